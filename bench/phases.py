"""The benchmark's phases, each run in its own process by `python -m bench` (see __main__).

`python -m bench.phases <load|screen|page|reference|counts> '<json args>'` prints one JSON line of timings.
Timings start after the imports, so they measure the work, not the interpreter.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pandas as pd

from successgaps.models import DataFile, new_id
from successgaps.store import Store


def load(workspace: str, file: str) -> dict:
    """Upload, detect and quality report, as the Data page does for a new file."""
    from successgaps.data import detect, quality, read  # noqa: PLC0415

    path = Path(file)
    store = Store(Path(workspace))
    project = store.create("Benchmark")
    data_file = DataFile(filename=path.name, table=f"f_{new_id()}", cleaned=True)
    con = store.cursor()
    table = store.table(project.id, data_file.table)
    t0 = time.perf_counter()
    data_file.rows = read.read_upload(con, path, data_file.filename, table, tmp_dir=store.workspace)
    t1 = time.perf_counter()
    dataset = detect.detect(con, table, cleaned=True)
    dataset.name, dataset.files, dataset.confirmed = "Benchmark students", [data_file], True
    project.datasets.append(dataset)
    store.save(project)
    t2 = time.perf_counter()
    findings = quality.quality_report(con, project, dataset)
    t3 = time.perf_counter()
    store.close()
    return {"project": project.id, "rows": data_file.rows, "seconds": t3 - t0, "upload_seconds": t1 - t0,
            "detect_seconds": t2 - t1, "quality_seconds": t3 - t2, "findings": len(findings)}


def screen(workspace: str, project: str) -> dict:
    """Prepare and screen every dimension x outcome x year, district and school level."""
    from successgaps.data import views  # noqa: PLC0415
    from successgaps.engine.screen import screen  # noqa: PLC0415

    store = Store(Path(workspace))
    con = store.cursor()
    loaded = store.load(project)
    dataset = loaded.datasets[0]
    # a new process: its in-memory cache is empty, so `prepare` builds the cube from the uploaded
    # table (the engine's counterpart of the reference's "mapping")
    t0 = time.perf_counter()
    prepared = views.prepare(con, loaded, dataset)
    t1 = time.perf_counter()
    table = screen(con, prepared, loaded.gap_settings, by_school=True, by_year=True)
    t2 = time.perf_counter()
    changed = loaded.gap_settings.model_copy(update={"min_n": loaded.gap_settings.min_n - 10})
    screen(con, views.prepare(con, loaded, dataset), changed, by_school=True, by_year=True)
    t3 = time.perf_counter()
    table.to_parquet(Path(workspace) / "engine.parquet")
    store.close()
    return {"seconds": t2 - t0, "prepare_seconds": t1 - t0, "screen_seconds": t2 - t1, "rescreen_seconds": t3 - t2,
            "table_rows": len(table)}


def page(workspace: str, project: str) -> dict:
    """The Identify gaps page (Streamlit's AppTest, in this process, as the server runs it): its first
    screen, then the rerun after each of a few filter changes a facilitator makes."""
    import os  # noqa: PLC0415

    os.environ["SUCCESSGAPS_WORKSPACE"] = workspace
    from streamlit.testing.v1 import AppTest  # noqa: PLC0415

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "Home.py"), default_timeout=600)
    at.query_params["project"] = project
    at.run()
    at.switch_page("pages/3_Identify_Gaps.py")
    t0 = time.perf_counter()
    at.run()
    first = time.perf_counter() - t0
    years, outcomes = at.selectbox(key="gaps_year").options, at.multiselect(key="gaps_outcomes").options
    changes = [lambda: at.selectbox(key="gaps_year").select(years[-1]),
               lambda: at.radio(key="gaps_level").set_value("school"),
               lambda: at.selectbox(key="gaps_place_school").select_index(1),
               lambda: at.multiselect(key="gaps_outcomes").select(outcomes[0]),
               lambda: at.selectbox(key="gaps_year").select(years[0]),
               lambda: at.radio(key="gaps_level").set_value("district")]
    seconds = []
    for change in changes:
        change()
        t0 = time.perf_counter()
        at.run()
        seconds.append(time.perf_counter() - t0)
        if at.exception:
            raise SystemExit(f"The page failed: {at.exception[0].value}")
    return {"first_seconds": first, "filter_seconds": seconds}


def reference(workspace: str, project: str, file: str) -> dict:
    """The pandas reference: read the file, apply the confirmed mapping, compute the gap table."""
    from bench import reference as ref  # noqa: PLC0415

    store = Store(Path(workspace))
    loaded = store.load(project)
    store.close()
    dataset, settings = loaded.datasets[0], loaded.gap_settings
    t0 = time.perf_counter()
    if file.endswith(".parquet"):
        raw = pd.read_parquet(file).astype("string")
    else:
        raw = pd.read_csv(file, dtype="string", keep_default_na=False)
    t1 = time.perf_counter()
    frame, dimensions, outcomes = ref.canonical(raw, dataset)
    del raw
    t2 = time.perf_counter()
    table = ref.gap_table(frame, dimensions, outcomes, settings.min_n, settings.min_cell)
    t3 = time.perf_counter()
    table.to_parquet(Path(workspace) / "reference.parquet")
    return {"seconds": t3 - t0, "read_seconds": t1 - t0, "mapping_seconds": t2 - t1, "table_seconds": t3 - t2,
            "table_rows": len(table)}


def counts(workspace: str, project: str) -> dict:
    """For the peers (`bench.peers`): the mapping the app confirmed, as `spec.json`, and the app's own
    n and events of every cell, nothing suppressed (min n and min cell 0, so no complementary
    suppression), as `app_counts.parquet` (events of a numeric outcome: its sum, mean x n)."""
    from bench.peers import spec  # noqa: PLC0415
    from successgaps.data import views  # noqa: PLC0415
    from successgaps.data.codes import MISSING  # noqa: PLC0415
    from successgaps.data.prepared import ALL_DIMENSION  # noqa: PLC0415
    from successgaps.engine.screen import screen as gap_screen  # noqa: PLC0415

    store = Store(Path(workspace))
    con = store.cursor()
    loaded = store.load(project)
    dataset = loaded.datasets[0]
    Path(workspace, "spec.json").write_text(json.dumps(spec(dataset, MISSING), indent=1), encoding="utf-8")
    t0 = time.perf_counter()
    settings = loaded.gap_settings.model_copy(update={"min_n": 0, "min_cell": 0})
    table = gap_screen(con, views.prepare(con, loaded, dataset), settings, by_school=True, by_year=True,
                       extra=True)
    seconds = time.perf_counter() - t0
    store.close()
    numeric = table["kind"] == "numeric"
    table["events"] = table["events"].astype("float64").where(~numeric, table["mean"].astype("float64") * table["n"])
    table = table[table["dimension"] != ALL_DIMENSION]
    table[["level", "school", "year", "dimension", "group", "outcome", "n", "events", "suppressed"]].to_parquet(
        Path(workspace) / "app_counts.parquet")
    return {"seconds": seconds, "table_rows": len(table),
            "hidden": int((table["suppressed"] & (table["n"] > 0)).sum())}


def sql(workspace: str, project: str) -> dict:
    """The screen's yardstick: DuckDB's minimal gap-count statement (`bench.peers.counts_sql`: n and events of
    every level x year x dimension x group x outcome) over the very table the app screens (the workspace's
    upload, whose values are already clean, so the statement reads them as they are), materialised."""
    from bench.peers import counts_sql  # noqa: PLC0415
    from successgaps.data import views  # noqa: PLC0415

    store = Store(Path(workspace))
    con = store.cursor()
    loaded = store.load(project)
    source = views.file_table(loaded, loaded.datasets[0].files[0])
    s = json.loads(Path(workspace, "spec.json").read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    con.execute(f"CREATE TEMP TABLE minimal AS {counts_sql(s, source, cleaned=True)}")
    seconds = time.perf_counter() - t0
    rows = con.execute("SELECT count(*) FROM minimal").fetchone()[0]
    con.execute("COPY minimal TO ? (FORMAT parquet)", [str(Path(workspace) / "sql.parquet")])  # for the agreement
    store.close()
    return {"seconds": seconds, "rows": rows}


if __name__ == "__main__":
    phase, args = sys.argv[1], json.loads(sys.argv[2])
    print(json.dumps({"load": load, "screen": screen, "page": page, "reference": reference,
                      "counts": counts, "sql": sql}[phase](**args)))
