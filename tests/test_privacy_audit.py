"""Privacy audit: no hidden cell of the published gap tables can be worked out (tests/privacy_attack.py).

Each fixture file (tests/privacy_fixtures.py) and the sample district is published in every view
(`VIEWS`: with and without --by school / --by year, both comparisons) through the command line
(subprocesses, two at a time; PRIVACY_AUDIT_IN_PROCESS=1 calls the command line's `main` in this
process instead, much faster), or through the package API when the file gets a combined group (a
fixture with `combine`, and 'sample_district_combined'; `publish_api` is the one place that knows
the package's module paths). The attacker works on the union of one file's views; each
(file, view) test fails with the cells hidden in that view that the union gives away.
"""

from __future__ import annotations

import functools
import importlib
import io
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the helpers next to this file

import privacy_attack as attack  # noqa: E402
import privacy_fixtures  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample_district.csv"
CELL_SIZE = 10  # the app's default minimum students with the outcome (--min-cell)
VIEWS = {  # name: (--by options, --comparison)
    f"{'_'.join(by) or 'district'}-{comparison}": (by, comparison)
    for comparison in ("all-others", "all-students")
    for by in ((), ("school",), ("year",), ("school", "year"))
}
SAMPLE_COMBINED = ("race_ethnicity", "disability")  # the combined group added to the sample district
FILES = [*privacy_fixtures.FIXTURES, "sample_district", "sample_district_combined"]

# Mutation-test hook: the function that adds complementary suppression, and a stand-in that only
# blanks the primary-suppressed rows. Repoint both here when the suppression code moves.
COMPLEMENTARY_SUPPRESSION = "successgaps.engine.suppression.certify"


def PRIMARY_ONLY(lattice, *args, **kwargs):  # noqa: N802 - the stand-in: hide nothing more
    return lattice.hidden.copy(), np.full(len(lattice.n), -1)


def _resolve(dotted: str):
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


# ---------------------------------------------------------------- publishing

def publish_cli(path: Path, by: tuple, comparison: str) -> pd.DataFrame:
    """The table `python -m successgaps screen` writes for one view: a subprocess, or with
    PRIVACY_AUDIT_IN_PROCESS=1 the same command line's `main` in this process (no 2-3 s start-up per view)."""
    with tempfile.TemporaryDirectory(prefix="privacy-") as folder:
        out = Path(folder) / "gaps.csv"
        argv = ["screen", str(path), "--comparison", comparison, "--out", str(out)]
        for option in by:
            argv += ["--by", option]
        if os.environ.get("PRIVACY_AUDIT_IN_PROCESS", "1") == "1":
            from successgaps import cli

            assert cli.main(argv) == 0
        else:
            done = subprocess.run([sys.executable, "-m", "successgaps", *argv], cwd=ROOT, capture_output=True,
                                  text=True, timeout=600)
            assert done.returncode == 0, done.stderr
        return attack.read_table(out)


def publish_api(path: Path, by: tuple, comparison: str, combine: tuple[str, str] | None = None) -> pd.DataFrame:
    """The same view through the package (read, detect, add a combined group, prepare, screen, export):
    the only code here that knows the package's module paths."""
    from successgaps.outputs import gap_table
    from successgaps.data import datasets, mapping, views
    from successgaps.engine.screen import screen
    from successgaps.models import GapSettings
    from successgaps.store import Store

    settings = GapSettings(comparison=comparison.replace("-", "_"))
    with tempfile.TemporaryDirectory(prefix="privacy-") as folder:
        store = Store(folder)
        try:
            project = store.create("privacy audit")
            dataset = datasets.create_dataset(store, project, Path(path), Path(path).name)
            if combine:
                mapping.add_combined(dataset, *combine)
            prepared = views.prepare(store.cursor(), project, dataset)
            table = screen(store.cursor(), prepared, settings, by_school="school" in by, by_year="year" in by,
                           extra=True)
        finally:
            store.close()
    return attack.read_table(io.StringIO(gap_table.export_table(table).to_csv(index=False)))


@functools.cache
def _folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="privacy-fixtures-"))


@functools.cache
def published(name: str) -> dict[str, pd.DataFrame]:
    """{view: table} of one file (a fixture's name, 'sample_district', or 'sample_district_combined': the
    sample with `SAMPLE_COMBINED` as a combined group), made once per test run."""
    if name.startswith("sample_district"):
        path, combine = SAMPLE, SAMPLE_COMBINED if name.endswith("combined") else None
    else:
        path, combine = privacy_fixtures.write(name, _folder()), getattr(privacy_fixtures.FIXTURES[name], "combine", None)
    if combine:
        return {view: publish_api(path, by, comparison, combine) for view, (by, comparison) in VIEWS.items()}
    with ThreadPoolExecutor(max_workers=1 if os.environ.get("PRIVACY_AUDIT_IN_PROCESS", "1") == "1" else 2) as pool:
        tables = pool.map(lambda v: publish_cli(path, *v), VIEWS.values())
        return dict(zip(VIEWS, tables))


@functools.cache
def findings(name: str, reasons: bool = True) -> pd.DataFrame:
    return attack.audit(published(name), cell_size=CELL_SIZE, reasons=reasons)


SMALL = ("students in the group", "students in the group with the outcome", "students in the group without the outcome")


def _sensitive(tables: dict[str, pd.DataFrame]) -> set[tuple]:
    """Cells some table hides for the group's own small counts (its published reason says so)."""
    out = set()
    for table in tables.values():
        reason = table["suppression_reason"].astype(str)
        small = reason.str.startswith("fewer than") & reason.str.endswith(SMALL)
        out |= {tuple(r) for r in table.loc[small, attack.KEYS].itertuples(index=False)}
    return out


def _describe(found: pd.DataFrame, limit: int = 8) -> str:
    lines = [f"{r.level} {r.school or '-'} {r.year or '-'} | {r.dimension}: {r.group} | {r.outcome}: n={r.n:g}, "
             f"{'sum' if r.kind == 'numeric' else 'events'} in [{r.low:g}, {r.high:g}]{' PINNED' if r.pinned else ''}"
             f" — {r.why}" for r in found.head(limit).itertuples()]
    more = f"\n… and {len(found) - limit} more" if len(found) > limit else ""
    return "\n".join(lines) + more


# ---------------------------------------------------------------- the audits

@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("name", FILES)
def test_no_hidden_cell_can_be_worked_out(name, view):
    """No hidden cell is pinned to one value (even reading the published reasons), and from the sums alone
    a cell hidden for its own small counts keeps at least min(cell size, n + 1) possible counts. A cell hidden only to protect
    another, or because its comparison is small, shares that smaller cell's uncertainty (all students
    minus the migrant students are the others), so it is only required not to be pinned (README, Privacy)."""
    pinned = findings(name)  # the attacker reads the published reasons too ("fewer than 10 with …": 0-9)
    pinned = pinned[pinned["pinned"].to_numpy(bool)]
    plain = findings(name, reasons=False)  # the sums alone (README, Privacy: the limits)
    small = _sensitive(published(name))
    narrowed = plain[np.array([tuple(r) in small for r in plain[attack.KEYS].itertuples(index=False)], bool)]
    found = pd.concat([pinned, narrowed], ignore_index=True).drop_duplicates(attack.KEYS)
    mine = found.loc[[view in views for views in found["views"]]]
    assert mine.empty, (f"{name}, view {view}: {len(mine)} hidden cells can be worked out from the published "
                        f"views ({int(mine['pinned'].sum())} exactly):\n{_describe(mine)}")


def test_the_audit_finds_the_sums_without_complementary_suppression(monkeypatch):
    """Mutation test: with complementary suppression switched off (primary-suppressed rows blanked only),
    the attacker must work out hidden cells of the sample district."""
    monkeypatch.setattr(COMPLEMENTARY_SUPPRESSION, PRIMARY_ONLY)
    tables = {view: publish_api(SAMPLE, by, comparison) for view, (by, comparison) in VIEWS.items()
              if by == ("school", "year")}
    found = attack.audit(tables, cell_size=CELL_SIZE)
    assert found["pinned"].sum() > 0, "the attacker found nothing in tables without complementary suppression"


# ---------------------------------------------------------------- the attacker itself, on known answers

def _row(group, n, cn, events=None, comparison_rate=None, mean=None, comparison_mean=None, *, level="district",
         school="", year="2024", dimension="Race", outcome="Graduated", comparison="all other students"):
    shown = events is not None or mean is not None
    return dict(level=level, school=school, year=year, dimension=dimension, group=group, outcome=outcome, n=n,
                events=events, rate=None if events is None else events / n, mean=mean, comparison=comparison,
                comparison_n=cn, comparison_rate=comparison_rate, comparison_mean=comparison_mean,
                suppressed=not shown)


def _table(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows)


def test_two_small_groups_with_no_events_are_pinned():
    # 100 + 5 + 4 = 109 students, 50 events in all, all of them in the big group: both small groups have 0
    table = _table(_row("Big", 100, 9, 50, 0.0), _row("Small", 5, 104), _row("Tiny", 4, 105))
    found = attack.audit({"t": table})
    assert set(found["group"]) == {"Small", "Tiny"}
    assert found["pinned"].all() and (found["low"] == 0).all() and (found["high"] == 0).all()


def test_hidden_groups_that_share_enough_events_are_safe():
    # 20 events among the hidden 30 + 25: either can have anything from 0 to 20
    table = _table(_row("Big", 100, 55, 50, 20 / 55), _row("Mid", 30, 125), _row("Small", 25, 130))
    assert attack.audit({"t": table}).empty


def test_a_narrow_range_is_a_disclosure_and_unknown_students_widen_it():
    # 4 events among the hidden 30 + 25: each has 0-4, fewer than 10 apart
    found = attack.audit({"t": _table(_row("Big", 100, 55, 50, 4 / 55), _row("Mid", 30, 125), _row("Small", 25, 130))})
    assert set(found["group"]) == {"Mid", "Small"} and not found["pinned"].any() and (found["high"] == 4).all()
    # 12 more students of no known group (N = 167): the hidden groups may hold 0-4 events, still too narrow;
    # with 4 + 20 = 24 events outside the big group they may hold 0-24: safe
    assert len(attack.audit({"t": _table(_row("Big", 100, 67, 50, 4 / 67), _row("Mid", 30, 137),
                                         _row("Small", 25, 142))})) == 2
    assert attack.audit({"t": _table(_row("Big", 100, 67, 50, 24 / 67), _row("Mid", 30, 137),
                                     _row("Small", 25, 142))}).empty


def test_schools_add_up_to_the_district_and_tables_are_combined():
    district = _table(_row("A", 80, 70, 40, 30 / 70), _row("B", 70, 80, 30, 40 / 80))
    schools = _table(*district.to_dict("records"),
                     _row("A", 50, 50, 25, 20 / 50, level="school", school="North"),
                     _row("B", 50, 50, 20, 25 / 50, level="school", school="North"),
                     _row("A", 30, 20, level="school", school="South"), _row("B", 20, 30, level="school", school="South"))
    found = attack.audit({"district": district, "schools": schools})
    assert set(zip(found["school"], found["group"], found["low"])) == {("South", "A", 15), ("South", "B", 10)}
    assert found["pinned"].all()


def test_complementary_outcomes_and_other_tables_give_cells_away():
    # 110 students, 10 of no known group: B's 40 hold 10-20 of the 50 graduates, unless "Not graduated" shows B
    graduated = [_row("A", 60, 50, 30, 20 / 50), _row("B", 40, 70)]
    assert attack.audit({"t": _table(*graduated)}).empty
    not_graduated = [_row("A", 60, 50, 30, 30 / 50, outcome="Not graduated"),
                     _row("B", 40, 70, 20, 40 / 70, outcome="Not graduated")]
    found = attack.audit({"t": _table(*graduated, *not_graduated)})
    assert list(found["group"]) == ["B"] and found["pinned"].all() and found["low"].iloc[0] == 20
    assert "complement" in found["why"].iloc[0]
    # the same cell shown in another table (another comparison) is pinned outright
    other = _table(_row("B", 40, 110, 20, 50 / 110, comparison="all students"))
    found = attack.audit({"t": _table(*graduated), "all": other})
    assert found["pinned"].all() and "shown in table all" in found["why"].iloc[0]


def test_a_numeric_sum_is_found_only_when_the_groups_cover_everyone():
    rows = [_row("A", 60, 40, mean=700.0, comparison_mean=710.0, outcome="Score"), _row("B", 40, 60, outcome="Score")]
    found = attack.audit({"t": _table(*rows)})
    assert list(found["group"]) == ["B"] and found["pinned"].all() and abs(found["low"].iloc[0] - 40 * 710) < 1e-6
    rows = [_row("A", 60, 45, mean=700.0, comparison_mean=710.0, outcome="Score"), _row("B", 40, 65, outcome="Score")]
    assert attack.audit({"t": _table(*rows)}).empty  # 5 students of no known group could hold any sum
