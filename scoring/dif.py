"""Differential item functioning: the Mantel-Haenszel check that a statement works alike in two groups.

Used for reworded statements between questionnaire versions and for language versions (en vs de):
respondents matched on the rest of the scale should agree with the statement equally often.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import special

__all__ = ["MantelHaenszel", "mantel_haenszel_dif"]

#: ETS delta scale: Δ_MH = −2.35 ln α_MH (Holland & Thayer 1988).
_DELTA_PER_LOG_ODDS = -2.35


@dataclass(frozen=True)
class MantelHaenszel:
    """Mantel-Haenszel DIF of one statement between a reference and a focal group.

    Attributes
    ----------
    odds_ratio : α_MH, the common odds ratio of agreeing (reference over focal) across strata
    ci_low, ci_high : its interval (Robins-Breslow-Greenland variance of ln α_MH)
    chi2, p_value : the Mantel-Haenszel statistic with continuity correction and its p-value (1 df)
    delta : ETS Δ_MH = −2.35 ln α_MH (negative: the item favours the reference group)
    category : ETS class ``A`` (negligible), ``B`` (moderate) or ``C`` (large); ``""`` when α_MH
        is undefined (no stratum holds both groups, or in every stratum one group all agrees or
        all disagrees the same way): the check could not be made, which is not "negligible"
    n_strata : strata that held both groups
    """

    odds_ratio: float
    ci_low: float
    ci_high: float
    chi2: float
    p_value: float
    delta: float
    category: str
    n_strata: int


def mantel_haenszel_dif(
    agree: npt.ArrayLike,
    focal: npt.ArrayLike,
    stratum: npt.ArrayLike,
    *,
    confidence: float = 0.95,
) -> MantelHaenszel:
    """Mantel-Haenszel DIF of a dichotomised statement, matching on a stratum (e.g. rest score).

    Parameters
    ----------
    agree : (N,) 1 where the respondent agreed (e.g. answer ≥ 4), 0 otherwise, NaN when missing
    focal : (N,) True for the focal group (e.g. the reworded version, or ``de``)
    stratum : (N,) the matching variable's level (e.g. the rounded rest score); NaN drops the row
    confidence : level of the odds ratio's interval

    Notes
    -----
    In stratum k, with A_k, B_k the reference group's agreeing and not agreeing, C_k, D_k the
    focal group's and T_k the stratum total,

        α_MH = Σ A_k D_k / T_k  /  Σ B_k C_k / T_k,
        χ²_MH = (|Σ A_k − Σ E[A_k]| − ½)² / Σ Var(A_k),

    with E and Var from the hypergeometric distribution; ln α_MH has the Robins, Breslow &
    Greenland (1986) variance. R ``mantelhaen.test(table(agree, group, stratum))`` gives the same
    estimate, interval and statistic. Strata with one group only carry no information and are
    dropped. ETS classes (Zwick 2012): C when |Δ| ≥ 1.5 and |Δ| is significantly above 1, A when
    |Δ| < 1 or χ²_MH is not significant at 0.05, B otherwise; the "significantly above 1" test
    uses the RBG se of Δ at one-sided 0.05.

    References
    ----------
    .. [1] Holland, P. W., & Thayer, D. T. (1988). Differential item performance and the
       Mantel-Haenszel procedure. In Wainer & Braun (Eds.), Test validity (pp. 129-145).
    .. [2] Robins, J., Breslow, N., & Greenland, S. (1986). Estimators of the Mantel-Haenszel
       variance consistent in both sparse data and large-strata limiting models. Biometrics 42.
    .. [3] Zwick, R. (2012). A review of ETS differential item functioning assessment procedures.
       ETS Research Report RR-12-08.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1; got {confidence}")
    y = np.asarray(agree, dtype=np.float64)
    g = np.asarray(focal, dtype=bool)
    s = np.asarray(stratum, dtype=np.float64)
    if not (y.shape == g.shape == s.shape) or y.ndim != 1:
        raise ValueError(
            f"agree, focal and stratum must be 1-D of one length; got {y.shape}, {g.shape}, {s.shape}"
        )
    keep = ~np.isnan(y) & ~np.isnan(s)
    if np.any((y[keep] != 0) & (y[keep] != 1)):
        raise ValueError("agree must hold 0, 1 or NaN (dichotomise the answers first)")
    y, g, s = y[keep], g[keep], s[keep]
    levels, k = np.unique(s, return_inverse=True)
    size = levels.size

    def count(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
        return np.bincount(k[mask], minlength=size).astype(np.float64)

    a = count(~g & (y == 1))
    b = count(~g & (y == 0))
    c = count(g & (y == 1))
    d = count(g & (y == 0))
    t = a + b + c + d
    both = ((a + b) > 0) & ((c + d) > 0) & (t > 1)
    a, b, c, d, t = a[both], b[both], c[both], d[both], t[both]
    nan = float("nan")
    r = a * d / t
    q = b * c / t
    if r.sum() == 0 or q.sum() == 0:
        return MantelHaenszel(nan, nan, nan, nan, nan, nan, "", int(both.sum()))
    odds = float(r.sum() / q.sum())
    # Robins-Breslow-Greenland variance of ln α_MH.
    p_ = (a + d) / t
    q_ = (b + c) / t
    rs, qs = r.sum(), q.sum()
    var_log = float(
        (p_ * r).sum() / (2 * rs**2)
        + (p_ * q + q_ * r).sum() / (2 * rs * qs)
        + (q_ * q).sum() / (2 * qs**2)
    )
    z = float(special.ndtri(0.5 + confidence / 2.0))
    se_log = np.sqrt(var_log)
    low, high = odds * np.exp(-z * se_log), odds * np.exp(z * se_log)
    n1 = a + b
    m1 = a + c
    expected = n1 * m1 / t
    variance = n1 * (c + d) * m1 * (b + d) / (t * t * (t - 1.0))
    chi2 = float((abs(a.sum() - expected.sum()) - 0.5) ** 2 / variance.sum())
    p_value = float(special.chdtrc(1.0, chi2))
    delta = _DELTA_PER_LOG_ODDS * np.log(odds)
    se_delta = abs(_DELTA_PER_LOG_ODDS) * se_log
    if abs(delta) < 1.0 or p_value >= 0.05:
        category = "A"
    elif abs(delta) >= 1.5 and (abs(delta) - 1.0) / se_delta > special.ndtri(0.95):
        category = "C"
    else:
        category = "B"
    return MantelHaenszel(
        odds_ratio=odds,
        ci_low=float(low),
        ci_high=float(high),
        chi2=chi2,
        p_value=p_value,
        delta=float(delta),
        category=category,
        n_strata=int(both.sum()),
    )
