"""The few distributions the gap engine needs, from `scipy.special` (0.2 s to import) instead of
`scipy.stats` (over 1 s): the very functions `scipy.stats` evaluates for them, with its checks of
the arguments, so every figure is the same to the last bit (`tests/test_stats.py`).
`binomtest`, the exact test of a small table against a benchmark, still comes from `scipy.stats` on
first use; `binom_two_sided` gives its p-value in numpy (equal to it within 1e-12: the engine uses it,
so a screen never waits a second and a half for `scipy.stats` to load)."""

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


def binom_two_sided(k: int, n: int, p: float) -> float:
    """scipy.stats.binomtest(k, n, p).pvalue (two-sided): the probability of every count no more likely
    than k (relative tolerance 1e-7, as SciPy), from the binomial probabilities of 0..n."""
    if n <= 0:
        return np.nan
    x = np.arange(n + 1, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_pmf = (special.gammaln(n + 1) - special.gammaln(x + 1) - special.gammaln(n - x + 1)
                   + special.xlogy(x, p) + special.xlog1py(n - x, -p))
    pmf = np.exp(log_pmf)
    if k == p * n:
        return 1.0
    return float(min(1.0, pmf[pmf <= pmf[int(k)] * (1 + 1e-7)].sum()))
