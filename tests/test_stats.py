"""successgaps.engine.distributions gives scipy.stats' very figures, to the last bit."""

import numpy as np
import pytest
from scipy import stats as scipy_stats

from successgaps.engine import distributions as stats


def test_the_distributions_are_scipy_stats_own_to_the_last_bit():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.standard_normal(5000) * 10.0 ** rng.integers(-3, 3, 5000),
                        [np.nan, np.inf, -np.inf, 0.0, -0.0, 40, -40]])
    df = np.concatenate([rng.random(5000) * 10.0 ** rng.integers(-2, 6, 5000), [np.nan, np.inf, 0.0, -1.0, 1e300, 1, 2]])
    assert np.array_equal(stats.norm.sf(x), scipy_stats.norm.sf(x), equal_nan=True)
    assert np.array_equal(stats.t.sf(np.abs(x), df), scipy_stats.t.sf(np.abs(x), df), equal_nan=True)
    assert np.array_equal(stats.t.ppf(0.975, df), scipy_stats.t.ppf(0.975, df), equal_nan=True)
    assert stats.binomtest(3, 20, 0.4).pvalue == scipy_stats.binomtest(3, 20, 0.4).pvalue


def test_the_command_line_starts_without_scipy_stats_and_openpyxl():
    import subprocess
    import sys

    code = ("import sys, successgaps.cli; "
            "print(sorted(m for m in ('scipy.stats', 'openpyxl', 'streamlit', 'plotly', 'matplotlib', 'fpdf') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_exact_binomial_test_without_scipy_stats_gives_scipys_p_value():
    """Alternate risk ratios against a state's rate test small groups exactly; the engine's own binomial
    p-value must be SciPy's (binomtest), for rare and common outcomes, both tails and the edges."""
    from scipy import stats as scipy_stats

    rng = np.random.default_rng(19)
    for _ in range(400):
        n = int(rng.integers(1, 300))
        p = float(rng.choice([rng.random(), rng.random() * 0.03, 0.5, 0.0, 1.0]))
        k = int(rng.integers(0, n + 1))
        assert stats.binom_two_sided(k, n, p) == pytest.approx(scipy_stats.binomtest(k, n, p).pvalue, abs=1e-12)
