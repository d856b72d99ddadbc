"""Command line: `python -m successgaps screen FILE ...` — the page's gap screen for one file.

The file goes through the same steps as an upload on the Data page (read, detect layout and
mapping, prepare) into a throwaway workspace, then through the same engine (`engine.screen`), and
the table is written (`outputs.gap_table`) with suppression and complementary suppression applied
(`engine.suppression.for_export`): CSV and Excel through the app's safe writer (`outputs.spreadsheet`:
formula-like text neutralised, so a school named "=..." never runs in a spreadsheet); JSON, read by
programs, keeps the text as it is.
Bad input ends with one sentence on stderr and a non-zero exit status.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import re
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .data import datasets, quality, views
from .errors import UserError
from .models import GapSettings
from .store import Store

# The engine and the writers (pandas, NumPy, SciPy: most of a second to import) are imported where they are
# used, after `_load_engine` has begun importing them beside the file's read.
ENGINE = ("successgaps.engine.screen", "successgaps.engine.disproportionality", "successgaps.outputs.gap_table")
_ENGINE_LOADING = threading.Event()  # set once the engine's import has begun


def _load_engine(*_) -> None:
    """Import the engine's modules in a thread while DuckDB reads the file (it lets go of Python as it reads):
    the user waits for the longer of the two, not their sum. Called (once) as the read's progress: its first report
    comes as DuckDB begins, after the file's encoding and dialect are found in Python, which the import would only
    slow. A module that fails to import fails again, with its sentence, where it is used."""
    if _ENGINE_LOADING.is_set():
        return
    _ENGINE_LOADING.set()

    def load():
        with contextlib.suppress(Exception):
            for name in ENGINE:
                importlib.import_module(name)

    threading.Thread(target=load, daemon=True, name="engine-import").start()

FORMATS = ("csv", "json", "xlsx", "pdf")
# A file larger than this is read into a database file in the command's temporary folder, DuckDB's memory capped
# at DUCKDB_MEMORY: the file's pages can then leave memory (10M rows, 826 MB: 5.6 → 4.1 GB at the peak, 64 → 72 s).
# A smaller one is read into memory, which is faster.
LARGE_FILE_BYTES = 256 * 1024**2
DUCKDB_MEMORY = "1GB"
_OUTCOME = re.compile(r"^(?P<column>.+?)\s*(?:(?P<op>>=|<)\s*(?P<cut>-?[\d.]+))?$")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one sentence, not a usage screen
        raise UserError(f"{message[:1].upper()}{message[1:]}; run `python -m successgaps screen --help` for the options.")


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="python -m successgaps", description="Success Gaps from the command line.")
    sub = top.add_subparsers(dest="command", required=True, parser_class=_Parser)
    a = sub.add_parser("account", help="team server: make an account that may create projects, and print its "
                                       "one-time sign-in link (run it while the app is stopped)")
    a.add_argument("email", help="the facilitator's email")
    a.add_argument("--name", default="", help="their name as the app shows it")
    p = sub.add_parser("screen", help="screen one data file for gaps and write the gap table")
    p.add_argument("file", type=Path, help="CSV, Excel or Parquet file (student-level, aggregate or EDFacts)")
    p.add_argument("--group", action="append", default=[], metavar="COLUMN",
                   help="a group column (repeat; overrides detection)")
    p.add_argument("--outcome", action="append", default=[], metavar="COLUMN[>=CUT]",
                   help="an outcome column, optionally made yes/no by a cut, e.g. math_ss>=700 (repeat)")
    p.add_argument("--comparison", choices=("all-others", "all-students"), default="all-others")
    p.add_argument("--min-n", type=int, default=30, help="minimum students in a group and its comparison")
    p.add_argument("--min-cell", type=int, default=10, help="minimum students with the outcome")
    p.add_argument("--by", action="append", default=[], choices=("district", "school", "year"),
                   help="add district rows (district: a file with a district column, e.g. EDFacts LEAID, or a state "
                        "report card's own D rows), "
                        "school rows (school) or split by school year (year)")
    p.add_argument("--among", metavar="COLUMN=VALUE", default="",
                   help="screen only the students of one group, e.g. iep=1: a discipline risk ratio then compares "
                        "Black children with disabilities with all other children with disabilities")
    p.add_argument("--state-comparison", type=Path, metavar="FILE2",
                   help="a state file (same layout) for the alternate and weighted risk ratios; without it, the "
                        "state rows of FILE when it has several districts")
    p.add_argument("--risk-ratio-threshold", type=float, default=2.0, metavar="RATIO",
                   help="a risk ratio that exceeds this is above the threshold (default 2.0; exactly 2.0 is not)")
    p.add_argument("--reasonable-progress", type=float, default=0.0, metavar="DROP",
                   help="the state's reasonable progress: the risk ratio fell by at least DROP in each of the two "
                        "prior years (default 0: off)")
    p.add_argument("--list", action="store_true",
                   help="state mode: write the districts (with --by school: the schools) whose groups exceed the "
                        "risk-ratio threshold for 1, 2 or 3 consecutive years instead of the gap table")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="csv (default), json, xlsx, or pdf (with --list)")
    p.add_argument("--out", type=Path, help="write here instead of standard output")
    return top


def _override(store: Store, project, dataset, groups: list[str], outcomes: list[str]) -> None:
    """Explicit --group / --outcome: exactly these columns are the groups / outcomes of a student file."""
    by_name = {c.column.lower(): c for c in dataset.columns}

    def column(name: str):
        found = by_name.get(name.strip().lower())
        if found is None:
            more = len(dataset.columns) - 12
            shown = ", ".join(c.column for c in dataset.columns[:12]) + (f" and {more} more" if more > 0 else "")
            raise UserError(f"The file has no column “{name}”; its columns are {shown}.")
        return found

    if dataset.layout != "student":
        if groups or outcomes:
            raise UserError("--group and --outcome choose columns of a student-level file; this file is "
                            f"{'an EDFacts' if dataset.layout == 'edfacts' else 'an aggregate'} file, screened as it is.")
        return
    if groups:
        for c in dataset.columns:
            if c.role == "group":
                c.role = "ignore"
        for name in groups:
            c = column(name)
            c.role = "group"
            if not any(c.codes.values()):
                rows = views.code_table(store.cursor(), project, dataset, c.column)
                c.codes = {r["code"]: r["label"] or r["code"] for r in rows}
    if outcomes:
        for c in dataset.columns:
            if c.role == "outcome":
                c.role = "ignore"
        named: set[str] = set()
        for spec in outcomes:
            match = _OUTCOME.match(spec.strip())
            c = column(match["column"])
            if c.column in named:
                raise UserError(f"--outcome names the column “{c.column}” twice; one column is one outcome, so "
                                "give it once (with or without a cut).")
            named.add(c.column)
            c.role = "outcome"
            if match["cut"] is not None:
                c.kind, c.cut, c.cut_below = "numeric", float(match["cut"]), match["op"] == "<"
                c.label = f"{c.label or c.column} {'<' if c.cut_below else '≥'} {c.cut:g}"
            elif c.kind == "binary" and not c.yes_values:
                c.kind = "numeric"


def _among(spec: str, dataset, prepared) -> tuple[str, str]:
    """--among COLUMN=VALUE as (dimension label, group label): the column by its name or label, the value by
    its code in the file or its label."""
    if not spec:
        return "", ""
    if prepared.layout != "student":
        from .engine.cells import AMONG_NEEDS_STUDENTS  # noqa: PLC0415 - the engine: imported beside the read

        raise UserError(AMONG_NEEDS_STUDENTS)
    column, sep, value = spec.partition("=")
    if not sep or not column.strip() or not value.strip():
        raise UserError("--among takes COLUMN=VALUE, for example --among iep=1.")
    column, value = column.strip(), value.strip()
    key = views.dimension_key(column)
    dim = next((d for d in prepared.dimensions if not d.parts and (d.key == key or d.label.lower() == column.lower())),
               None)
    if dim is None:
        names = ", ".join(d.label for d in prepared.dimensions if not d.parts)
        raise UserError(f"--among names “{column}”, which is not a group column of this file; its group columns are "
                        f"{names or 'none'}.")
    mapped = next((c for c in dataset.columns if c.role == "group" and views.dimension_key(c.column) == dim.key), None)
    codes = {str(k).strip().lower(): v for k, v in (mapped.codes if mapped else {}).items() if v}
    labels = {str(v).lower(): v for v in codes.values()}
    return dim.label, codes.get(value.lower()) or labels.get(value.lower()) or value


def _state(store: Store, project, path: Path | None, settings: GapSettings):
    """The state comparison file's counts (`disproportionality.state_counts`), or None."""
    if path is None:
        return None
    if not path.is_file():
        raise UserError(f"There is no state comparison file {path}; check the path and try again.")
    from .engine import disproportionality  # noqa: PLC0415 - the engine: imported beside the read

    dataset = datasets.create_dataset(store, project, path, path.name)
    return disproportionality.state_counts(store.cursor(), views.prepare(store.cursor(), project, dataset), settings)


def screen_file(args: argparse.Namespace, listing: bool = False):
    """Read, detect, prepare and screen one file; the exported gap table (`listing`: the state list, the settings
    and what the list lists, "district" or "school")."""
    path: Path = args.file
    if not path.is_file():
        raise UserError(f"There is no file {path}; check the path and try again.")
    settings = GapSettings(min_n=args.min_n, min_cell=args.min_cell,
                           comparison="all_students" if args.comparison == "all-students" else "all_others",
                           risk_ratio_threshold=args.risk_ratio_threshold, progress_drop=args.reasonable_progress)
    with tempfile.TemporaryDirectory(prefix="successgaps-") as folder:
        large = path.stat().st_size > LARGE_FILE_BYTES
        store = Store(folder, memory=not large)  # thrown away at the end, with the folder
        if large:
            store.cursor().execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
        try:
            project = store.create("screen")
            dataset = datasets.create_dataset(store, project, path, path.name, progress=_load_engine)
            _override(store, project, dataset, args.group, args.outcome)
            from .engine.screen import screen  # noqa: PLC0415 - imported beside the read: ready, or nearly

            # the quality report (DuckDB scans) runs beside the screen (mostly the privacy gate, in Python): on a
            # machine with two cores or more the user waits for the longer of the two, not their sum
            with ThreadPoolExecutor(1) as pool:
                report = pool.submit(quality.quality_report, store.cursor(), project, dataset)
                try:
                    prepared = views.prepare(store.cursor(), project, dataset)
                    among = _among(args.among, dataset, prepared)
                    settings = settings.model_copy(update={"among_dimension": among[0], "among_group": among[1]})
                    state = _state(store, project, args.state_comparison, settings)
                    table = screen(store.cursor(), prepared, settings,
                                   by_school="school" in args.by and prepared.has_school,
                                   by_year="year" in args.by or listing, extra=True,
                                   by_district="district" in args.by or listing, state=state)
                finally:
                    for finding in report.result():
                        if finding.severity in ("problem", "warning"):
                            print(f"{finding.severity.capitalize()}: {finding.text}", file=sys.stderr)
            if "school" in args.by and not prepared.has_school:
                print("Warning: the file has no school column, so only district rows are written.", file=sys.stderr)
        finally:
            store.close()
    from .engine import disproportionality  # noqa: PLC0415
    from .outputs.gap_table import export_table  # noqa: PLC0415

    if listing:
        level = "school" if "school" in args.by and prepared.has_school else "district"
        return disproportionality.state_list(table, settings, level), settings, level
    return export_table(table)


def make_account(email: str, name: str = "") -> str:
    """An account that may create projects on a team server; returns a sentence with its sign-in link."""
    from .access import accounts, config  # noqa: PLC0415 - only this command needs them

    deployment = config.load()
    store = Store()
    try:
        made = accounts.create_account(store, email, name, can_create=True)
        link = accounts.link_url(accounts.issue_link(store, made.email, deployment), deployment)
    finally:
        store.close()
    return (f"{made.email} may now create projects. Their one-time sign-in link (it works once, for "
            f"{deployment.link_days:g} days{'' if deployment.base_url else '; put the server address before it'}):\n{link}")


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
        if args.command == "account":
            print(make_account(args.email, args.name))
            return 0
        fmt = args.format or (args.out.suffix.lstrip(".").lower() if args.out and
                              args.out.suffix.lstrip(".").lower() in FORMATS else "csv")
        if args.min_n < 0 or args.min_cell < 0:
            raise UserError("--min-n and --min-cell must be 0 or more.")
        if args.risk_ratio_threshold < 0 or args.reasonable_progress < 0:
            raise UserError("--risk-ratio-threshold and --reasonable-progress must be 0 or more.")
        if fmt in ("xlsx", "pdf") and args.out is None:
            raise UserError(f"{'An Excel table' if fmt == 'xlsx' else 'A PDF'} cannot go to the screen; "
                            f"add --out table.{fmt}.")
        if fmt == "pdf" and not args.list:
            raise UserError("A PDF is written for the state list; add --list, or choose csv, json or xlsx.")
        # the writers are imported once the file is screened: the engine's modules load beside the read
        if args.list:
            listing, settings, unit = screen_file(args, listing=True)
            from .outputs import disproportionality as disproportionality_report  # noqa: PLC0415 - PDF: only here
            from .outputs.gap_table import write  # noqa: PLC0415

            if fmt == "pdf":
                args.out.write_bytes(disproportionality_report.list_pdf(listing, settings, place=args.file.name,
                                                                        unit=unit))
            elif fmt == "xlsx":
                args.out.write_bytes(disproportionality_report.list_workbook(listing, unit))
            else:
                write(listing, fmt, args.out)
            return 0
        table = screen_file(args)
        from .outputs.gap_table import write  # noqa: PLC0415

        write(table, fmt, args.out)
        return 0
    except UserError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - a user never sees a traceback
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        print(f"Error: the file could not be screened ({type(exc).__name__}: {first}); "
              "check that it is a data table and try again.", file=sys.stderr)
        return 1
