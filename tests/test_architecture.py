"""The layers a newcomer reads in the file list hold in the code: imports point down only, only the
ui layer and the pages import streamlit, and no two modules import each other (directly or round
a circle). Every import counts, including one inside a function.

    pages (Home.py, pages/*.py) → ui → outputs → access → process → engine → data → core
    core: successgaps/models.py, store.py, errors.py, sql.py, text.py (and the package itself)
    entry: successgaps/cli.py, __main__.py — may import any layer but ui

The checks run on the real tree, and on small made-up trees with a known violation, so that a
checker that has stopped finding anything fails too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "successgaps"
ORDER = ("core", "data", "engine", "process", "access", "outputs")
ALLOWED = {layer: set(ORDER[: i + 1]) for i, layer in enumerate(ORDER)}
ALLOWED["entry"] = set(ORDER) | {"entry"}
ALLOWED["ui"] = set(ORDER) | {"ui"}
ALLOWED["pages"] = set(ORDER) | {"ui"}
STREAMLIT_LAYERS = {"ui", "pages"}


def modules(root: Path) -> dict[str, Path]:
    """Dotted name -> file of every module of the app: the package, Home.py and the pages."""
    found = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    for path in [root / "Home.py", *sorted((root / "pages").glob("*.py"))]:
        if path.exists():
            found[f"pages:{path.name}"] = path
    return found


def layer(name: str) -> str:
    if name.startswith("pages:"):
        return "pages"
    parts = name.split(".")
    if len(parts) > 1 and parts[1] in ("data", "engine", "process", "access", "outputs", "ui"):
        return parts[1]
    if len(parts) > 1 and parts[1] in ("cli", "__main__"):
        return "entry"
    return "core"


def imports(name: str, path: Path, known: dict[str, Path]) -> list[tuple[str, int]]:
    """(imported module, line) of every import in the file, relative ones resolved; `from a import b`
    counts as a.b when that is a module of the app."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1] if node.level else [])
            module = ".".join(part for part in (base, node.module or "") if part)
            for alias in node.names:
                full = f"{module}.{alias.name}"
                found.append((full if full in known else module, node.lineno))
    return found


def violations(root: Path) -> list[str]:
    """One line per import that breaks a rule: a lower layer importing a higher one (or the CLI
    importing the ui), or streamlit imported outside the ui layer and the pages."""
    known = modules(root)
    problems = []
    for name, path in known.items():
        where, own = path.relative_to(root), layer(name)
        for target, line in imports(name, path, known):
            top = target.split(".")[0]
            if top == "streamlit" and own not in STREAMLIT_LAYERS:
                problems.append(f"{where}:{line} imports {target}: only successgaps/ui and the pages import streamlit")
            if top == PACKAGE and layer(target) not in ALLOWED[own]:
                problems.append(f"{where}:{line} ({own}) imports {target} ({layer(target)}): imports point down only")
    return problems


def circles(root: Path) -> list[list[str]]:
    """Groups of the package's modules that import each other, directly or round a circle."""
    known = modules(root)
    graph = {name: {t for t, _ in imports(name, path, known) if t in known and t != name}
             for name, path in known.items() if not name.startswith("pages:")}
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue  # a package's __init__ imported by name only counts when it is a module here
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return groups


# ---------------------------------------------------------------- the real tree


def test_every_layer_is_a_package_that_says_what_it_may_import():
    for name in ("data", "engine", "process", "access", "outputs", "ui"):
        init = ROOT / PACKAGE / name / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and ("May import" in doc or "only" in doc), f"{init} needs a docstring saying what it may import"


def test_imports_point_down_and_only_the_ui_imports_streamlit():
    problems = violations(ROOT)
    assert not problems, "\n".join(problems)


def test_no_module_imports_itself_round_a_circle():
    found = circles(ROOT)
    assert not found, "\n".join(" <-> ".join(group) for group in found)


def test_the_checker_sees_the_whole_app():
    known = modules(ROOT)
    assert {layer(name) for name in known} == set(ORDER) | {"entry", "ui", "pages"}
    assert "pages:Home.py" in known and "successgaps.engine.screen" in known


# ---------------------------------------------------------------- the checker itself finds violations


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


LAYERS = {f"{PACKAGE}/__init__.py": "", f"{PACKAGE}/models.py": "", f"{PACKAGE}/cli.py": "",
          **{f"{PACKAGE}/{name}/__init__.py": "" for name in ("data", "engine", "process", "outputs", "ui")},
          f"{PACKAGE}/data/views.py": "from ..models import Project\n",
          f"{PACKAGE}/engine/screen.py": "from ..data import views\n",
          f"{PACKAGE}/outputs/charts.py": "from ..engine.screen import screen\n",
          f"{PACKAGE}/ui/__init__.py": "import streamlit as st\nfrom ..outputs import charts\n",
          "Home.py": "import streamlit as st\nfrom successgaps import ui\n"}


def test_a_clean_made_up_tree_passes(tmp_path):
    root = write_tree(tmp_path, LAYERS)
    assert violations(root) == [] and circles(root) == []


@pytest.mark.parametrize("path, source, expected", [
    (f"{PACKAGE}/data/views.py", "def f():\n    from ..engine import screen\n", "(data) imports successgaps.engine.screen"),
    (f"{PACKAGE}/engine/screen.py", "from ..outputs.charts import gap_heatmap\n", "(engine) imports successgaps.outputs"),
    (f"{PACKAGE}/process/plan.py", "from successgaps.ui import page\n", "(process) imports successgaps.ui"),
    (f"{PACKAGE}/models.py", "from .data import views\n", "(core) imports successgaps.data.views"),
    (f"{PACKAGE}/cli.py", "from . import ui\n", "(entry) imports successgaps.ui"),
    ("pages/1_Team.py", "from successgaps import cli\n", "(pages) imports successgaps.cli"),
    (f"{PACKAGE}/outputs/charts.py", "import streamlit\n", "imports streamlit: only successgaps/ui"),
    (f"{PACKAGE}/engine/screen.py", "def f():\n    from streamlit import cache_data\n", "imports streamlit"),
])
def test_a_made_up_violation_is_found(tmp_path, path, source, expected):
    root = write_tree(tmp_path, {**LAYERS, path: source})
    found = violations(root)
    assert any(expected in line and line.startswith(path) for line in found), found


def test_a_made_up_circle_is_found_even_through_an_import_inside_a_function(tmp_path):
    root = write_tree(tmp_path, {**LAYERS, f"{PACKAGE}/data/quality.py": "from . import views\n",
                                 f"{PACKAGE}/data/views.py": "def f():\n    from .quality import report\n"})
    assert circles(root) == [[f"{PACKAGE}.data.quality", f"{PACKAGE}.data.views"]]
