"""Student-level files of any size in the sample district's shape, for benchmarks.

`write(path, rows, seed)` writes `rows` student-year records with exactly the columns and codes
of `successgaps.process.sample` (see that module for the planted gaps, reused here row by row). The
sample builds cohorts that move through the grades year by year; a benchmark file instead draws
each record independently, so it can be written in fixed-size chunks of numpy arrays (never a
Python object per row) and stays the same for a given (rows, seed) whatever the machine:

- school years: the sample's three years, uniformly;
- schools: `school_count(rows)` schools (about 1,000 records per school per year, at least the
  sample's seven), cycling elementary (K-5), elementary, elementary, middle (6-8), middle, high
  (9-12), high like the sample; a record's school is drawn among the schools serving its grade;
- student ids: unique per record (`10000000 + row number`), so no duplicate student in a year.

Chunk k is drawn from `numpy.random.default_rng([seed, k])`, so a file is deterministic by seed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from successgaps.process.sample import (
    DISABILITY_CATEGORIES,
    DISABILITY_SHARES,
    RACE_CODES,
    RACE_SHARES,
    YEARS,
    _expit,
    _logit,
)

CHUNK_ROWS = 250_000
ROWS_PER_SCHOOL_YEAR = 1_000
BAND_CYCLE = (0, 0, 0, 1, 1, 2, 2)  # elementary, middle, high: the sample's 3:2:2 mix
BAND_NAMES = ("Elementary", "Middle", "High")
COLUMNS = (
    "student_id", "school_id", "school_name", "school_year", "grade", "race_ethnicity", "sex",
    "disability", "disability_category", "english_learner", "econ_disadvantaged", "migrant",
    "graduated_4yr", "dropped_out", "reading_scale_score", "reading_proficient", "math_scale_score",
    "math_proficient", "days_enrolled", "days_absent", "chronically_absent", "suspended_oss",
    "newly_identified_sped",
)


def school_count(rows: int) -> int:
    return max(len(BAND_CYCLE), round(rows / (len(YEARS) * ROWS_PER_SCHOOL_YEAR)))


def schools(rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ids, names, bands) of the schools of a file of `rows` records."""
    count = school_count(rows)
    bands = np.array([BAND_CYCLE[i % len(BAND_CYCLE)] for i in range(count)])
    ids = np.array([f"{b + 1}{i + 1:05d}" for i, b in enumerate(bands)])
    names = np.array([f"School {i + 1} {BAND_NAMES[b]}" for i, b in enumerate(bands)])
    return ids, names, bands


def _yn(flag: np.ndarray) -> np.ndarray:
    return np.where(flag, "Y", "N")


def chunk(rows: int, start: int, size: int, seed: int) -> pa.Table:
    """Records start..start+size-1 of a file of `rows` records (start must be a CHUNK_ROWS multiple)."""
    rng = np.random.default_rng([seed, start // CHUNK_ROWS])
    n = size
    school_ids, school_names, school_bands = schools(rows)
    y = rng.integers(0, len(YEARS), n)
    gr = rng.integers(0, 13, n)
    band = np.where(gr <= 5, 0, np.where(gr <= 8, 1, 2))
    school = np.empty(n, dtype=np.int64)
    pick = rng.random(n)
    for b in range(3):
        members = np.flatnonzero(school_bands == b)
        mask = band == b
        school[mask] = members[(pick[mask] * members.size).astype(np.int64)]

    r = rng.choice(np.array(RACE_CODES), size=n, p=RACE_SHARES)
    h, blk = r == "H", r == "B"
    e = rng.random(n) < np.where(h | blk, 0.62, 0.32)
    l = rng.random(n) < np.where(h, 0.38, np.where(r == "A", 0.22, 0.02))
    migrant = rng.random(n) < np.where(h & e, 0.05, 0.002)
    d = rng.random(n) < np.where(blk, 0.16, 0.13)
    category = rng.choice(np.array(DISABILITY_CATEGORIES), size=n, p=DISABILITY_SHARES)
    sex = rng.choice(np.array(["F", "M"]), size=n)
    ability = rng.normal(0, 1, n)

    days_enrolled = np.where(rng.random(n) < 0.08, rng.integers(60, 170, n), 175)
    absence_rate = np.clip(rng.gamma(1.6, 0.032 + 0.025 * e + 0.012 * h + 0.010 * d, n), 0, 0.9)
    days_absent = np.round(days_enrolled * absence_rate).astype(np.int64)
    chronic = (days_absent >= 0.10 * days_enrolled).astype(np.int64)

    tested = ((gr >= 3) & (gr <= 8)) | (gr == 10)
    base = 728 + 30 * ability - 35 * d - 20 * l - 10 * e + 2 * y
    reading = np.round(base + rng.normal(0, 25, n)).astype(np.int64)
    math = np.round(base + 4 - 3 * l + rng.normal(0, 28, n)).astype(np.int64)

    susp_p = _expit(_logit(0.035) + np.log(3.2) * blk + np.log(1.9) * d + 0.3 * e - 0.25 * (gr <= 5))
    suspended = (rng.random(n) < susp_p).astype(np.int64)
    identified = (rng.random(n) < 0.012 * np.where(blk, 2.2, 1.0)).astype(np.int64)
    grad_p = _expit(_logit(0.905) - 1.25 * l - 1.05 * d - 0.25 * e + 0.5 * ability)
    graduated = (rng.random(n) < grad_p).astype(np.int64)
    drop_p = _expit(_logit(0.018) + 1.1 * l + 0.7 * d + 0.4 * e)
    dropped = (rng.random(n) < drop_p).astype(np.int64)

    def maybe(values, present):  # null where the record has no value (an empty CSV field)
        return pa.array(values, mask=~present)

    grade_labels = np.array(["KG"] + [str(g) for g in range(1, 13)])
    return pa.table({
        "student_id": pa.array((10_000_000 + start + np.arange(n)).astype(str)),
        "school_id": school_ids[school],
        "school_name": school_names[school],
        "school_year": np.array(YEARS)[y],
        "grade": grade_labels[gr],
        "race_ethnicity": r,
        "sex": sex,
        "disability": _yn(d),
        "disability_category": maybe(category, d),
        "english_learner": _yn(l),
        "econ_disadvantaged": _yn(e),
        "migrant": _yn(migrant),
        "graduated_4yr": maybe(graduated, gr == 12),
        "dropped_out": maybe(dropped, gr >= 9),
        "reading_scale_score": maybe(reading, tested),
        "reading_proficient": maybe(_yn(reading >= 700), tested),
        "math_scale_score": maybe(math, tested),
        "math_proficient": maybe(_yn(math >= 700), tested),
        "days_enrolled": days_enrolled.astype(np.int64),
        "days_absent": days_absent,
        "chronically_absent": chronic,
        "suspended_oss": suspended,
        "newly_identified_sped": maybe(identified, ~d),
    })


def chunks(rows: int, seed: int):
    for start in range(0, rows, CHUNK_ROWS):
        yield chunk(rows, start, min(CHUNK_ROWS, rows - start), seed)


def write(path: Path, rows: int, seed: int = 2025) -> Path:
    """Write `rows` records to `path` (.csv or .parquet), one chunk in memory at a time."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as sink:
        writer = None
        try:
            for table in chunks(rows, seed):
                if writer is None and path.suffix == ".parquet":
                    writer = pq.ParquetWriter(sink, table.schema)
                elif writer is None:  # a plain header line, like the sample's
                    sink.write((",".join(table.column_names) + "\n").encode())
                    options = pacsv.WriteOptions(include_header=False, quoting_style="none")
                    writer = pacsv.CSVWriter(sink, table.schema, write_options=options)
                writer.write_table(table)
        finally:
            if writer is not None:
                writer.close()
    partial.replace(path)
    return path
