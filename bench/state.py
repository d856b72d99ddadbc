"""A state's district-level counts for the state mode (issue #19), and its benchmark and reference.

`generate(districts, years, seed)` draws a state file — one row per district, school year, race and
outcome (and an all-students row), columns district, year, group_type, student_group, outcome, n,
events — with identification (denominator: all children), placement and discipline (denominator:
children with disabilities) outcomes, district sizes from 150 to about 150,000 children, and planted
disproportionality: every 25th district identifies Black children three times as often as the others,
every 40th suspends Hispanic children with disabilities four times as often, in every year.
`state_file(frame)` adds the districts up: the state comparison file (no district column).

`reference(frame, state, ...)` computes the rule's risk ratios from its text, independently of the
app (pandas, one line per formula): the list of district groups whose risk ratio exceeds the threshold
with their consecutive years; the tests compare it with the app's, district by district.

`python -m bench.state [--districts 1000] [--years 3]` writes both files to bench/out/ and times the
app's command as the user waits (a whole process: start, read, detect, screen, list):
`python -m successgaps screen FILE --by district --state-comparison FILE2 --list`.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

RACES = ("American Indian or Alaska Native", "Asian", "Black or African American", "Hispanic/Latino",
         "Native Hawaiian or Other Pacific Islander", "Two or more races", "White")
SHARES = np.array([0.01, 0.05, 0.15, 0.27, 0.005, 0.045, 0.46])
OUTCOMES = (  # label, base risk, denominator: all children (False) or children with disabilities (True)
    ("Identified for special education", 0.13, False),
    ("Identified: specific learning disability", 0.045, False),
    ("Placement: inside regular class less than 40%", 0.13, True),
    ("Placement: separate school or residential facility", 0.03, True),
    ("Out-of-school suspensions and expulsions over 10 days", 0.02, True),
    ("Total disciplinary removals", 0.08, True),
)
YEARS = ("2018-19", "2019-20", "2020-21", "2021-22", "2022-23")
OUT = Path(__file__).resolve().parent / "out"


def generate(districts: int = 300, years: int = 3, seed: int = 19) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    size = np.clip(np.exp(rng.normal(8.0, 1.3, districts)), 150, 150_000).round()
    mix = rng.dirichlet(SHARES * 40, districts)
    bias = np.exp(rng.normal(0, 0.15, (districts, len(RACES), len(OUTCOMES))))  # each district's own tilt
    bias[::25, RACES.index("Black or African American"), :2] = 3.0
    bias[::40, RACES.index("Hispanic/Latino"), 4] = 4.0
    frames = []
    for year in YEARS[-years:]:
        children = rng.binomial(size[:, None].astype(int), mix)  # (districts, races)
        disabled = rng.binomial(children, 0.13 * np.minimum(bias[:, :, 0], 3.5))
        for k, (label, risk, among_disabled) in enumerate(OUTCOMES):
            n = disabled if among_disabled else children
            events = rng.binomial(n, np.clip(risk * bias[:, :, k], 0, 0.95)) if k else disabled
            frames.append(_rows(year, label, n, events))
    return pd.concat(frames, ignore_index=True)


def _rows(year: str, outcome: str, n: np.ndarray, events: np.ndarray) -> pd.DataFrame:
    districts = len(n)
    names = np.array([f"D{d:04d}" for d in range(districts)], object)
    groups = list(RACES) + ["All students"]
    n_all = np.column_stack([n, n.sum(axis=1)])
    e_all = np.column_stack([events, events.sum(axis=1)])
    return pd.DataFrame({
        "district": np.repeat(names, len(groups)), "year": year,
        "group_type": np.tile(["Race/ethnicity"] * len(RACES) + ["All"], districts),
        "student_group": np.tile(groups, districts), "outcome": outcome,
        "n": n_all.ravel(), "events": e_all.ravel()})


def state_file(frame: pd.DataFrame) -> pd.DataFrame:
    """The state comparison file: every district added up."""
    return frame.groupby(["year", "group_type", "student_group", "outcome"], sort=False, as_index=False)[
        ["n", "events"]].sum()


def reference(frame: pd.DataFrame, state: pd.DataFrame, threshold: float = 2.0, min_n: int = 30,
              min_cell: int = 10) -> pd.DataFrame:
    """The rule's list, from its text: per district, race, outcome and year, risk = events ÷ n; the risk
    ratio against all other children of the district, or — when those are fewer than min_n or fewer
    than min_cell have (or lack) the outcome — against all other children of the state; a group below
    the minimum sizes is not computed. Kept: ratios that exceed the threshold in the latest year, with
    the count of consecutive years (ending with the latest) they did."""
    keys = ["district", "year", "outcome"]
    total = frame[frame["group_type"] == "All"].set_index(keys)[["n", "events"]]
    rows = frame[frame["group_type"] != "All"].merge(total.add_suffix("_all"), left_on=keys, right_index=True)
    s_total = state[state["group_type"] == "All"].set_index(["year", "outcome"])[["n", "events"]]
    s_rows = state[state["group_type"] != "All"].merge(s_total.add_suffix("_all"), left_on=["year", "outcome"], right_index=True)
    s_rows["state_others"] = (s_rows["events_all"] - s_rows["events"]) / (s_rows["n_all"] - s_rows["n"])
    rows = rows.merge(s_rows[["year", "student_group", "outcome", "state_others"]], on=["year", "student_group",
                                                                                          "outcome"])
    on, oe = rows["n_all"] - rows["n"], rows["events_all"] - rows["events"]
    big = lambda n, e: (n >= min_n) & (e >= min_cell) & (n - e >= min_cell)  # noqa: E731
    risk = rows["events"] / rows["n"]
    rows["risk_ratio"] = np.where(big(on, oe), risk / (oe / on), risk / rows["state_others"])
    rows["against"] = np.where(big(on, oe), "all others", "state")
    rows = rows[big(rows["n"], rows["events"])]
    rows = rows.assign(above=rows["risk_ratio"] > threshold)
    years = sorted(frame["year"].unique())
    wide = rows.pivot_table(index=["district", "student_group", "outcome"], columns="year", values="above",
                            aggfunc="max").reindex(columns=years).fillna(False).astype(bool)
    run = np.cumprod(wide.to_numpy()[:, ::-1], axis=1).sum(axis=1)
    out = wide.index.to_frame(index=False).assign(years_flagged=run)
    latest = rows[rows["year"] == years[-1]][["district", "student_group", "outcome", "risk_ratio", "against"]]
    return out[out["years_flagged"] > 0].merge(latest, on=["district", "student_group", "outcome"])


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.state", description=__doc__.splitlines()[0])
    parser.add_argument("--districts", type=int, default=1000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    frame = generate(args.districts, args.years)
    path, state_path = OUT / f"state_{args.districts}_{args.years}.csv", OUT / f"state_{args.districts}_{args.years}_totals.csv"
    frame.to_csv(path, index=False)
    state_file(frame).to_csv(state_path, index=False)
    out = OUT / "state_list.csv"
    command = [sys.executable, "-m", "successgaps", "screen", str(path), "--by", "district", "--state-comparison",
               str(state_path), "--list", "--out", str(out)]
    seconds, cpu = [], []
    for _ in range(args.rounds):
        start, used = time.perf_counter(), _children_cpu()
        subprocess.run(command, check=True, stderr=subprocess.DEVNULL)
        seconds.append(time.perf_counter() - start)
        cpu.append(_children_cpu() - used)
    listing = pd.read_csv(out)
    expected = reference(frame, state_file(frame))
    print(f"{len(frame):,} rows ({args.districts:,} districts, {args.years} years); list of {len(listing):,} district "
          f"groups (reference: {len(expected):,}); command seconds: " + ", ".join(f"{s:.2f}" for s in seconds)
          + "; CPU seconds (all threads): " + ", ".join(f"{s:.2f}" for s in cpu)
          + f"; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"state_mode_seconds={min(seconds):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
