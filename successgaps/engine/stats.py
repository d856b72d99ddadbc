"""The statistics of the gap table, vectorised over numpy arrays: Wilson score intervals,
Newcombe's interval of a difference of proportions, the two-proportion test (chi-square, or Fisher's
exact test for small counts), the test against a benchmark rate, Welch's t, Hedges' g and Cohen's h.

The formulas are stated in `engine.screen`'s docstring and in the README's Formulas section.
"""

from __future__ import annotations

import numpy as np

from . import distributions as stats  # scipy.special, not scipy.stats: 1 s less to start (distributions.py)

Z95 = 1.959963984540054


def wilson(events, n, z: float = Z95):
    """Wilson score interval (low, high) of events/n; NaN where n is 0."""
    events, n = np.asarray(events, float), np.asarray(n, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = events / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(np.clip(p * (1 - p) / n + z * z / (4 * n * n), 0, None)) / denom
    return centre - half, centre + half


def newcombe(e1, n1, e2, n2, z: float = Z95):
    """Newcombe's hybrid score interval (method 10) of p1 - p2 for two independent proportions."""
    l1, u1 = wilson(e1, n1, z)
    l2, u2 = wilson(e2, n2, z)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = np.asarray(e1, float) / n1, np.asarray(e2, float) / n2
    d = p1 - p2
    return d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def two_proportion_p(e1, n1, e2, n2):
    """Two-sided p-value of equal proportions: chi-square (pooled z) or Fisher's exact when any expected count < 5."""
    e1, n1, e2, n2 = (np.asarray(x, float) for x in (e1, n1, e2, n2))
    total = n1 + n2
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (e1 + e2) / total
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = (e1 / n1 - e2 / n2) / se
        p = np.where(se > 0, 2 * stats.norm.sf(np.abs(z)), 1.0)
        expected = np.minimum(np.minimum(n1, n2) * np.minimum(pooled, 1 - pooled), np.inf)
    valid = (n1 > 0) & (n2 > 0) & (e1 >= 0) & (e1 <= n1) & (e2 >= 0) & (e2 <= n2)
    small = valid & (expected < 5)
    idx = np.flatnonzero(small)  # only the small-count rows, each distinct table once: Fisher's exact test
    # the 2×2 table in whole students (aggregate files give rate × n): each cell rounded on its own
    a, b, c, d = (np.rint(x) for x in (e1[idx], n1[idx] - e1[idx], e2[idx], n2[idx] - e2[idx]))
    unique, inverse = np.unique(np.column_stack([a, a + b, c + d, a + c]), axis=0, return_inverse=True)
    p[idx] = fisher_exact_p(*unique.T)[inverse.ravel()]
    return np.where(valid, p, np.nan)


FISHER_TOLERANCE = 1e-7  # tables as likely as the observed one within this relative error count as "as extreme"
FISHER_CELLS = 4_000_000  # grid cells per step of `fisher_exact_p` (bounds its memory)


def fisher_exact_p(a, n1, n2, k):
    """Two-sided p-values of Fisher's exact test, vectorised over 2×2 tables given as arrays: a events
    among n1 in the group, k events among n1 + n2 in all. With the margins fixed, a is hypergeometric
    on lo..hi (lo = max(0, k - n2), hi = min(k, n1)); p = the probability of every table no more
    likely than the observed one (R's fisher.test, with its relative tolerance 1e-7). The
    probabilities come from the ratio of neighbours, P(x+1)/P(x) = (n1-x)(k-x) / ((x+1)(n2-k+x+1)),
    summed in logs and normalised over the support, which is exact to ~1e-12 without factorials."""
    a, n1, n2, k = (np.asarray(x, float) for x in (a, n1, n2, k))
    lo, hi = np.maximum(0, k - n2), np.minimum(k, n1)
    width = (hi - lo + 1).astype(int)
    out = np.ones(len(a))
    order = np.argsort(width, kind="stable")
    start = 0
    while start < len(order):  # tables of similar support width together, a bounded grid at a time
        stop = start + 1
        while stop < len(order) and (stop - start + 1) * width[order[stop]] <= FISHER_CELLS:
            stop += 1
        rows = order[start:stop]
        start = stop
        steps = width[rows].max() - 1
        if steps <= 0:
            continue  # only one table has these margins: p = 1
        x = lo[rows, None] + np.arange(steps)[None, :]
        inside = x < hi[rows, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.log((n1[rows, None] - x) * (k[rows, None] - x)) - np.log(
                (x + 1) * (n2[rows, None] - k[rows, None] + x + 1))
        logw = np.concatenate([np.zeros((len(rows), 1)), np.cumsum(np.where(inside, ratio, 0.0), axis=1)], axis=1)
        logw = np.where(np.concatenate([np.ones((len(rows), 1), bool), inside], axis=1), logw, -np.inf)
        w = np.exp(logw - logw.max(axis=1, keepdims=True))
        observed = w[np.arange(len(rows)), (a[rows] - lo[rows]).astype(int)]
        extreme = w <= observed[:, None] * (1 + FISHER_TOLERANCE)
        out[rows] = np.minimum((w * extreme).sum(axis=1) / w.sum(axis=1), 1.0)
    return out


def benchmark_p(events, n, b):
    """Two-sided p-value of rate = b (one benchmark, or one per row): score z test, or the exact binomial
    test when n·b or n·(1-b) < 5."""
    events, n = np.asarray(events, float), np.asarray(n, float)
    b = np.broadcast_to(np.asarray(b, float), n.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (events / n - b) / np.sqrt(b * (1 - b) / n)
        p = 2 * stats.norm.sf(np.abs(z))
    valid = (n > 0) & (events >= 0) & (events <= n) & np.isfinite(b)
    small = valid & ((n * b < 5) | (n * (1 - b) < 5))
    idx = np.flatnonzero(small)
    if len(idx):
        keys = np.column_stack([np.rint(events[idx]), np.rint(n[idx]), b[idx]])
        triples, inverse = np.unique(keys, axis=0, return_inverse=True)
        exact = np.array([stats.binom_two_sided(int(k), int(m), float(q)) for k, m, q in triples])
        p[idx] = exact[inverse.ravel()]
    return np.where(valid, p, np.nan)


def welch(m1, v1, n1, m2, v2, n2):
    """Welch's t: (ci_low, ci_high, p_value) of m1 - m2."""
    with np.errstate(divide="ignore", invalid="ignore"):
        q1, q2 = v1 / n1, v2 / n2
        se = np.sqrt(q1 + q2)
        df = (q1 + q2) ** 2 / (q1 ** 2 / (n1 - 1) + q2 ** 2 / (n2 - 1))
        d = m1 - m2
        half = stats.t.ppf(0.975, df) * se
        p = 2 * stats.t.sf(np.abs(d / se), df)
    return d - half, d + half, p


def hedges_g(m1, v1, n1, m2, v2, n2):
    """Hedges' g: J·(m1 - m2)/s_pooled, J = 1 - 3/(4(n1+n2) - 9)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        sp = np.sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2))
        return (1 - 3 / (4 * (n1 + n2) - 9)) * (m1 - m2) / sp


def cohen_h(p1, p2):
    """Cohen's h: 2·asin(√p1) - 2·asin(√p2)."""
    return 2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p2))


def mean_interval(mean, var, n):
    """The 95% t interval of an average: mean ± t(0.975, n-1)·s/√n (the one-group half of Welch's
    interval: the standard errors of two such averages add as in Welch's t)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        n = np.asarray(n, float)
        half = stats.t.ppf(0.975, n - 1) * np.sqrt(np.asarray(var, float) / n)
    return mean - half, mean + half
