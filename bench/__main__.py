"""`python -m bench --rows N [--seed S] [--smoke] [--peers] [--browser]`: time the engine against the pandas
reference, or (`--peers`) the whole app command against DuckDB, pandas and polars peers (`bench/whole.py`),
or (`--browser`) click to paint on Identify gaps in headless Chromium (`bench/browser.py`).

One run:
1. generate a student-level file of N rows (cached as bench/out/students_<N>_<seed>.csv);
2. in a child process, load it into a new project of a temporary workspace (upload + detect +
   quality report), as the Data page does;
3. in a child process, prepare the data set (build its cube) and screen every dimension x outcome
   x year at district and school level (`engine.screen`), then once more after a settings change;
   then, in another, the Identify gaps page (AppTest): its first screen and a few filter changes;
4. in a child process, the pandas reference on the same file (read_csv, mapping, gap table);
5. compare the two tables figure by figure, print a summary, and last `speedup_vs_pandas=<x>`:
   the reference's (mapping + gap table) seconds over the engine's (prepare + screen) seconds,
   both starting from data already loaded (DuckDB table; pandas frame from read_csv).

Peak memory: each phase runs in its own child process and the parent reads that child's peak
resident set size from `os.wait4` (the same figure `getrusage(RUSAGE_CHILDREN).ru_maxrss` gives,
but for that child alone). RSS is what counts for DuckDB, whose memory tracemalloc cannot see.
`--smoke` runs a few thousand rows and exits 1 when the engine and the reference disagree.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
SMOKE_ROWS = 4_000


def run_phase(name: str, **args) -> dict:
    """Run `bench.phases <name>` in a child process; its JSON result plus its peak RSS in MB."""
    command = [sys.executable, "-m", "bench.phases", name, json.dumps({k: str(v) for k, v in args.items()})]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=Path(__file__).resolve().parent.parent)
    output = child.stdout.read()
    child.stdout.close()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"The {name} phase failed (exit code {child.returncode}); see the error above.")
    result = json.loads(output.decode().strip().splitlines()[-1])
    result["peak_rss_mb"] = usage.ru_maxrss / 1024  # Linux reports kilobytes
    return result


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = int(Path("/proc/meminfo").read_text().split()[1]) / 1024**2
    return (f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GB RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--smoke", action="store_true", help=f"{SMOKE_ROWS:,} rows unless --rows is given; exit 1 on any disagreement")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the cached file and the temporary workspace")
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--keep", action="store_true", help="keep the workspace and both tables (engine.parquet, reference.parquet)")
    parser.add_argument("--skip-reference", action="store_true", help="time only the engine (for very large files)")
    parser.add_argument("--peers", action="store_true",
                        help="instead of the phases: the app's command and its DuckDB/pandas/polars peers as whole "
                             "processes, ratios and the agreement of their counts (bench/whole.py)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of --peers or of --browser (default 3)")
    parser.add_argument("--browser", action="store_true",
                        help="instead of the phases: the app served over the loaded project and, in headless "
                             "Chromium, click to paint on Identify gaps (bench/browser.py)")
    args = parser.parse_args(argv)
    if args.smoke and "--rows" not in (argv if argv is not None else sys.argv[1:]):
        args.rows = SMOKE_ROWS
    from bench import generate  # noqa: PLC0415 - keep --help fast

    path = args.out / f"students_{args.rows}_{args.seed}.{args.format}"
    started = time.perf_counter()
    if not path.exists():
        generate.write(path, args.rows, args.seed)
        print(f"generate        {time.perf_counter() - started:8.2f} s   wrote {path} ({path.stat().st_size / 1e6:.0f} MB)")
    else:
        print(f"generate        (cached) {path} ({path.stat().st_size / 1e6:.0f} MB)")
    print(f"machine         {machine()}")

    args.out.mkdir(parents=True, exist_ok=True)
    workspace = tempfile.mkdtemp(prefix="workspace-", dir=args.out)
    try:
        if args.keep:
            print(f"workspace       {workspace} (kept)")
        load = run_phase("load", workspace=workspace, file=path)
        print(f"load            {load['seconds']:8.2f} s   peak {load['peak_rss_mb']:7.0f} MB   "
              f"(upload {load['upload_seconds']:.2f} s, detect {load['detect_seconds']:.2f} s, "
              f"quality report {load['quality_seconds']:.2f} s; {load['rows']:,} rows)")
        if args.peers:
            from bench import whole  # noqa: PLC0415

            status = whole.run(path, Path(workspace), load["project"], load["seconds"], args.rounds, args.smoke)
            return status if args.smoke else 0
        if args.browser:
            from bench import browser  # noqa: PLC0415

            return browser.run(Path(workspace), load["project"], args.rounds)
        screen = run_phase("screen", workspace=workspace, project=load["project"])
        print(f"screen          {screen['seconds']:8.2f} s   peak {screen['peak_rss_mb']:7.0f} MB   "
              f"(prepare {screen['prepare_seconds']:.2f} s, screen {screen['screen_seconds']:.2f} s, "
              f"{screen['table_rows']:,} table rows; after a settings change {screen['rescreen_seconds']:.2f} s)")
        if not args.smoke:
            shown = run_phase("page", workspace=workspace, project=load["project"])
            changes = sorted(shown["filter_seconds"])
            print(f"page            {shown['first_seconds']:8.2f} s   peak {shown['peak_rss_mb']:7.0f} MB   "
                  f"(Identify gaps, first screen; then {len(changes)} filter changes: median "
                  f"{changes[len(changes) // 2]:.2f} s, slowest {changes[-1]:.2f} s)")
        if args.skip_reference:
            print("reference       skipped (--skip-reference)")
            return 0
        reference = run_phase("reference", workspace=workspace, project=load["project"], file=path)
        print(f"reference       {reference['seconds']:8.2f} s   peak {reference['peak_rss_mb']:7.0f} MB   "
              f"(read_csv {reference['read_seconds']:.2f} s, mapping {reference['mapping_seconds']:.2f} s, "
              f"gap table {reference['table_seconds']:.2f} s, {reference['table_rows']:,} table rows)")
        import pandas as pd  # noqa: PLC0415

        from bench.reference import compare  # noqa: PLC0415

        problems = compare(pd.read_parquet(Path(workspace) / "engine.parquet"),
                           pd.read_parquet(Path(workspace) / "reference.parquet"))
    finally:
        if not args.keep:
            shutil.rmtree(workspace, ignore_errors=True)
    for check, found in problems.items():
        print(f"agree on {check:<13} {'yes' if not found else f'NO ({len(found)} findings)'}")
        for problem in found[:10]:
            print(f"    {problem}")
    engine_seconds = screen["prepare_seconds"] + screen["screen_seconds"]
    pandas_seconds = reference["mapping_seconds"] + reference["table_seconds"]
    print(f"speedup_vs_pandas={pandas_seconds / engine_seconds:.1f}")
    return 1 if args.smoke and any(problems.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
