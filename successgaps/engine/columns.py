"""The gap table's columns, and how its long text columns are built.

`COLUMNS` are the published columns of the gap table (every screen and export), `EXTRA_COLUMNS`
the ones `screen(..., extra=True)` adds for the app's own screens and reports. `strings` builds a
text column from a few labels with Arrow (fast for long columns of a few labels).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pyarrow as pa

if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
    # The gap table is long text columns built by Arrow; its default allocator (mimalloc) spends
    # tens of milliseconds readying memory for each fresh batch of them, the system's does not
    # (a screen of 1M student records: 0.5 s instead of 0.6 s; bench/README.md). Process-wide.
    pa.set_memory_pool(pa.system_memory_pool())

COLUMNS = [
    "level", "school", "year", "dimension", "group", "outcome", "n", "events", "rate", "rate_low",
    "rate_high", "mean", "comparison", "comparison_n", "comparison_rate", "comparison_mean",
    "difference", "risk_ratio", "effect_size", "ci_low", "ci_high", "p_value", "suppressed",
    "suppression_reason", "district", "note",
    # disproportionality (34 CFR 300.647 and the IDC calculators; engine.disproportionality)
    "risk_ratio_comparison", "alternate_risk_ratio", "weighted_risk_ratio", "composition", "comparison_composition",
    "composition_difference",
]
# the `comparison` column's words: what each group is compared with
LABEL_OTHERS, LABEL_ALL = "all other students", "all students"
LABEL_BENCHMARK = "benchmark rate"
LABEL_ALTERNATE = "benchmark rate (alternate risk ratio: comparison group too small)"
LABEL_STATE = "all other students in the state (alternate risk ratio: comparison group too small)"
EXTRA_COLUMNS = [
    "kind", "higher_is_better", "difference_low", "difference_high", "comparison_rate_low",
    "comparison_rate_high", "share_of_events", "share_of_students",
]


def strings(values: np.ndarray, codes: np.ndarray):
    """A str column of values[codes], built by Arrow (fast for long columns of a few labels)."""
    return pd.array(pa.array(values, pa.large_string()).take(pa.array(codes, pa.int64())), dtype="str")
