"""The few distributions the gap engine needs, from `scipy.special` (0.2 s to import) instead of
`scipy.stats` (over 1 s): the very functions `scipy.stats` evaluates for them, with its checks of
the arguments, so every figure is the same to the last bit (`tests/test_stats.py`).
`binomtest`, needed only for small benchmark tables, still comes from `scipy.stats`, on first use."""

from __future__ import annotations

import numpy as np
from scipy import special


class norm:  # noqa: N801 - named as scipy.stats.norm
    @staticmethod
    def sf(x):
        """scipy.stats.norm.sf: 1 - Φ(x)."""
        return special.ndtr(-np.asarray(x, dtype=float))


class t:  # noqa: N801 - named as scipy.stats.t
    @staticmethod
    def sf(x, df):
        """scipy.stats.t.sf(x, df); NaN where df is not positive."""
        x, df = np.asarray(x, dtype=float), np.asarray(df, dtype=float)
        with np.errstate(invalid="ignore"):
            return np.where(df > 0, special.stdtr(df, -x), np.nan)[()]

    @staticmethod
    def ppf(q, df):
        """scipy.stats.t.ppf(q, df) for 0 < q < 1; NaN where df is not positive."""
        q, df = np.asarray(q, dtype=float), np.asarray(df, dtype=float)
        with np.errstate(invalid="ignore"):
            return np.where(df > 0, special.stdtrit(df, q), np.nan)[()]


def binomtest(k: int, n: int, p: float):
    from scipy import stats  # noqa: PLC0415 - rare: exact tests of small benchmark tables

    return stats.binomtest(k, n, p)
