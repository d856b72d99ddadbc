"""`python -m bench --peers`: the app against its peers, each a whole process (imports included).

Per round, in turn: the app's command (`python -m successgaps screen FILE --by school --by year
--out app.csv`), the peers of `bench.peers` (DuckDB's minimal SQL, competent pandas, competent
polars: the same n and events per level x year x dimension x group x outcome), and for the load
DuckDB's in-memory read of the file. Each process's wall seconds are read from outside (start to
reaped), its peak RSS from `os.wait4`. The figures printed are the medians over the rounds, and
each ratio is the median of the rounds' own ratios (pairs of one round: a drifting machine moves
both sides).

Agreement: each peer's n and events equal the app's for every cell (`bench.phases counts`: the
app's engine on the same upload with nothing suppressed; events of a numeric outcome are its sum,
equal to 1e-9 relative), and the app command's own output agrees with them (n on every row,
events where shown).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEYS = ["level", "school", "year", "dimension", "group", "outcome"]
TOLERANCE = 1e-9


def timed(command: list[str]) -> dict:
    """Run one whole process; its wall seconds (from outside), peak RSS (MB) and its JSON line, if any."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=ROOT)
    output = child.stdout.read()
    child.stdout.close()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command[:4])} ... failed (exit code {os.waitstatus_to_exitcode(status)}); see above.")
    lines = output.decode(errors="replace").strip().splitlines()
    inside = json.loads(lines[-1]).get("seconds") if lines and lines[-1].startswith("{") else None
    return {"wall": wall, "peak_mb": usage.ru_maxrss / 1024, "inside": inside}


def polars_installed() -> bool:
    import importlib.util  # noqa: PLC0415

    return importlib.util.find_spec("polars") is not None


def commands(file: Path, workspace: Path, peers: list[str]) -> dict[str, list[str]]:
    py = sys.executable
    out = {"app": [py, "-m", "successgaps", "screen", str(file), "--by", "school", "--by", "year",
                   "--out", str(workspace / "app.csv")]}
    for peer in peers:
        out[peer] = [py, "-m", "bench.peers", peer, str(workspace / "spec.json"), str(file),
                     str(workspace / f"{peer}.parquet")]
    out["read"] = [py, "-m", "bench.peers", "read", str(file)]
    return out


def agree(app, peer, binary: set[str]) -> list[str]:
    """Where a peer's n and events differ from the app's (cells with n = 0 on one side and absent on
    the other are the same cell)."""
    import numpy as np  # noqa: PLC0415

    sides = []
    for table in (app, peer):
        table = table[KEYS + ["n", "events"]].copy()
        for key in KEYS:
            table[key] = table[key].astype("string").fillna("")
        sides.append(table)
    merged = sides[0].merge(sides[1], on=KEYS, how="outer", suffixes=("_app", "_peer"))
    n_app, n_peer = merged["n_app"].fillna(0).astype("float64"), merged["n_peer"].fillna(0).astype("float64")
    problems = [f"n: app {a:g} vs peer {b:g} at {tuple(row)}" for a, b, row in
                zip(n_app[n_app != n_peer], n_peer[n_app != n_peer], merged.loc[n_app != n_peer, KEYS].itertuples(index=False))]
    e_app, e_peer = merged["events_app"].astype("float64"), merged["events_peer"].astype("float64")
    both = (n_app > 0) & (n_peer > 0)
    is_binary = merged["outcome"].isin(binary).to_numpy()
    same = np.where(is_binary, e_app.round() == e_peer.round(),
                    (e_app - e_peer).abs() <= TOLERANCE * np.maximum(1, e_peer.abs()))
    bad = both & ~same
    problems += [f"events: app {a!r} vs peer {b!r} at {tuple(row)}" for a, b, row in
                 zip(e_app[bad], e_peer[bad], merged.loc[bad, KEYS].itertuples(index=False))]
    return problems


def cli_agrees(out_csv: Path, reference, binary: set[str]) -> list[str]:
    """The app command's own output against a peer's counts: n on every row, events where shown."""
    import pandas as pd  # noqa: PLC0415

    shown = pd.read_csv(out_csv, dtype={"school": "string", "year": "string"}, keep_default_na=False, na_values=[""])
    shown = shown[shown["dimension"] != "All"]
    # a cell a peer does not have has n = 0 in the app; the app's numeric events are empty
    shown = shown.assign(events=shown["events"].where(shown["outcome"].isin(binary)))
    problems = [p for p in agree(shown, reference, binary) if not p.startswith("events: app nan")]
    return problems


def run(file: Path, workspace: Path, project: str, load_seconds: float, rounds: int, smoke: bool) -> int:
    import pandas as pd  # noqa: PLC0415

    from bench.__main__ import run_phase  # noqa: PLC0415

    counts = run_phase("counts", workspace=workspace, project=project)
    print(f"app counts      {counts['seconds']:8.2f} s   ({counts['table_rows']:,} cells, nothing suppressed: "
          f"{counts['hidden']} hidden)")
    peers = ["duckdb", "pandas"] + (["polars"] if polars_installed() else [])
    if "polars" not in peers:
        print("polars          NOT INSTALLED: the polars peer is skipped "
              "(pip install -r bench/requirements.txt)")
    runs: dict[str, list[dict]] = {}
    for r in range(rounds):
        load_avg = os.getloadavg()[0]
        for name, command in commands(file, workspace, peers).items():
            runs.setdefault(name, []).append(timed(command))
        print(f"round {r + 1}/{rounds}     " + "  ".join(f"{name} {runs[name][-1]['wall']:.2f} s" for name in runs)
              + f"   (load average at start {load_avg:.2f})")
    median = {name: statistics.median(x["wall"] for x in found) for name, found in runs.items()}
    peak = {name: max(x["peak_mb"] for x in found) for name, found in runs.items()}
    what = {"app": "python -m successgaps screen FILE --by school --by year --out app.csv",
            "duckdb": "DuckDB: read the CSV (all text) + one GROUPING SETS gap-count statement",
            "pandas": "pandas: pyarrow read as categoricals, mapping per distinct value, groupby per dimension",
            "polars": "polars: lazy scan, mapping as expressions, group_by per dimension (collect_all)",
            "read": "DuckDB: in-memory read of the CSV, every column text"}
    print(f"whole processes, median of {rounds} round(s):")
    for name in runs:
        print(f"  {name:<7} {median[name]:7.2f} s   peak {peak[name]:6.0f} MB   {what[name]}")
    ratios = {}
    for peer in [p for p in runs if p not in ("app", "read")]:
        ratios[peer] = statistics.median(a["wall"] / b["wall"] for a, b in zip(runs["app"], runs[peer]))
    read_inside = statistics.median(x["inside"] for x in runs["read"])
    for peer, ratio in ratios.items():
        print(f"app_vs_{peer}={ratio:.2f}")
    print(f"load_vs_duckdb_read={load_seconds / read_inside:.2f}   (the app's upload + detect + quality report "
          f"{load_seconds:.2f} s over DuckDB's in-memory read {read_inside:.2f} s, both after the imports)")
    # the screen over the loaded table against DuckDB's minimal statement over the same table: in turn, each in a
    # fresh process, timed after the imports and the opening of the workspace
    screens, statements = [], []
    for _ in range(rounds):
        screens.append(run_phase("screen", workspace=workspace, project=project)["seconds"])
        statements.append(run_phase("sql", workspace=workspace, project=project)["seconds"])
    print(f"screen_vs_sql={statistics.median(a / b for a, b in zip(screens, statements)):.2f}   (the app's prepare + "
          f"screen of the uploaded table {statistics.median(screens):.2f} s over DuckDB's minimal gap-count statement "
          f"over the same table {statistics.median(statements):.2f} s, medians of {rounds})")

    spec = json.loads((workspace / "spec.json").read_text(encoding="utf-8"))
    binary = {o["label"] for o in spec["outcomes"] if o["kind"] == "binary" or o["cut"] is not None}
    app = pd.read_parquet(workspace / "app_counts.parquet")
    failed = False
    named = {peer: peer for peer in ratios} | {"sql": "sql       (the minimal statement over the uploaded table)"}
    for peer, label in named.items():
        found = agree(app, pd.read_parquet(workspace / f"{peer}.parquet"), binary)
        failed |= bool(found)
        print(f"agree {label:<9} n and events on every cell: {'yes' if not found else f'NO ({len(found)} cells)'}")
        for problem in found[:10]:
            print(f"    {problem}")
    found = cli_agrees(workspace / "app.csv", pd.read_parquet(workspace / "duckdb.parquet"), binary)
    failed |= bool(found)
    print(f"agree app.csv   with the peers (n on every row, events where shown): "
          f"{'yes' if not found else f'NO ({len(found)} rows)'}")
    for problem in found[:10]:
        print(f"    {problem}")
    return 1 if failed else 0
