"""Issue #21: the README opens with a short quick start; `make run` takes a port and a workspace."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_readme_starts_with_a_quick_start():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings[0] == "Quick start"
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "make run" in quick and "make test" in quick
    assert "workspace/" in quick and "PORT=" in quick and "WORKSPACE=" in quick
    assert len(quick.splitlines()) < 25  # short: the long reference comes after it


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_takes_the_port_and_the_workspace():
    out = subprocess.run(["make", "-n", "-W", "requirements.txt", "run", "PORT=8600", "WORKSPACE=/tmp/team"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    serve = next(line for line in out.splitlines() if "streamlit run Home.py" in line)
    assert "--server.port 8600" in serve and 'SUCCESSGAPS_WORKSPACE="/tmp/team"' in serve
