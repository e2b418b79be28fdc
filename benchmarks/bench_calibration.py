"""Calibration of what `score` claims: interval coverage, level probabilities, the lowest unit's bias.

Simulates organisations from a latent multilevel model with ordinal 1-5 answers and known true
means, scores each with `scoring.pipeline.score`, and prints Monte Carlo estimates with their
standard errors. Not a test: `python benchmarks/bench_calibration.py` (`--reps 100 --org-reps 500`
for a quick run).

The organisation intervals' coverage is estimated on `--org-reps` further organisations per regime
and G (default 4,000: Monte Carlo se 0.0035, against 0.007 from 1,000), computed by the same
functions the pipeline calls (`organisation_as_surveyed`, `organisation_wider_pool`) from the
units' moments; the first of them is checked against the pipeline's organisation rows.

Beside the product's level probabilities the benchmark prints two oracles that know the true
between-unit sd τ (on the answer scale) and the within-unit sd: one with a flat prior on the
organisation mean, as the product has, and one with the regime's true (uniform) distribution of the
organisation mean. They show how much of a miscalibration no method could remove without knowing
where organisations lie.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from scoring.estimates import organisation_as_surveyed, organisation_wider_pool
from scoring.groups import GroupIndex
from scoring.maturity import assess_levels
from scoring.pipeline import score
from scoring.spec import Dimension, ScoringSpec

THRESHOLDS = (1.0, 1.8, 2.6, 3.4, 4.2)
N_ITEMS = 5
ITEM_SD = 0.6  # item-specific noise on top of the respondent's latent score
SPEC = ScoringSpec(
    item_ids=tuple(f"I{j}" for j in range(N_ITEMS)),
    reverse=(False,) * N_ITEMS,
    weights=(1.0,) * N_ITEMS,
    dimensions=(Dimension("component", "d", tuple(range(N_ITEMS))),),
    level_names=("Ad hoc", "Emerging", "Defined", "Managed", "Optimised"),
    scale_min=1,
    scale_max=5,
    level_thresholds=THRESHOLDS,
    min_group_size=1,
)


@dataclass(frozen=True)
class Regime:
    """A population of organisations: latent ICC, unit sizes and where the organisation mean lies."""

    name: str
    icc: float
    sizes: tuple[int, int]
    centre: tuple[float, float]  # organisation latent mean drawn uniformly from this range


REGIMES = (
    Regime("units differ a lot (ICC .30, n 5-30)", 0.30, (5, 30), (2.2, 3.8)),
    # Near the 3.4 boundary: the organisation's latent mean within half a band (±0.4) of it, so
    # at a random position relative to the band edges.
    Regime(
        "homogeneous near a boundary (ICC .04, n 5-15, mean 3.4 ± 0.4)", 0.04, (5, 15), (3.0, 3.8)
    ),
    # Stress case: every organisation within ±0.2 of the boundary. A flat prior on the
    # organisation mean cannot know that, so level probabilities here are somewhat overconfident.
    Regime(
        "homogeneous, closer to a boundary (ICC .04, n 5-15, mean 3.4 ± 0.2)",
        0.04,
        (5, 15),
        (3.2, 3.6),
    ),
)
WITHIN_SD = 0.7


def expected_answer(latent_mean: np.ndarray, extra_sd: float = 0.0) -> np.ndarray:
    """E[answer] of one item for people of a unit with this latent mean (the true unit mean).

    An answer is the latent score plus item noise, rounded and cut to 1..5; with the latent score
    N(m, WITHIN_SD²) the answer is a discretised N(m, WITHIN_SD² + ITEM_SD²).
    """
    sd = np.sqrt(WITHIN_SD**2 + ITEM_SD**2 + extra_sd**2)
    cuts = np.array([1.5, 2.5, 3.5, 4.5])
    cdf = special.ndtr((cuts[None, :] - latent_mean[:, None]) / sd)
    # E = 1 + Σ_k P(answer > k) over the four cuts
    return 1.0 + (1.0 - cdf).sum(axis=1)


def simulate(
    rng: np.random.Generator, regime: Regime, n_units: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, int], float, float]:
    """Answers, unit labels, true unit means, head-counts, the surveyed organisation's mean and
    the mean of the wider pool of units it comes from."""
    tau = np.sqrt(regime.icc / (1.0 - regime.icc)) * WITHIN_SD
    centre = rng.uniform(*regime.centre)
    latent_unit = centre + rng.normal(0.0, tau, n_units)
    sizes = rng.integers(regime.sizes[0], regime.sizes[1] + 1, n_units)
    heads = np.ceil(sizes / rng.uniform(0.5, 0.9, n_units)).astype(int)
    people = np.repeat(np.arange(n_units), heads)
    latent = latent_unit[people] + rng.normal(0.0, WITHIN_SD, people.size)
    answers = np.clip(
        np.rint(latent[:, None] + rng.normal(0.0, ITEM_SD, (people.size, N_ITEMS))), 1, 5
    )
    # The organisation as surveyed: the mean over all its people's scores.
    org_mean = float(answers.mean(axis=1).mean())
    starts = np.concatenate(([0], np.cumsum(heads)[:-1]))
    chosen = np.concatenate(
        [s + rng.choice(h, n, replace=False) for s, h, n in zip(starts, heads, sizes, strict=True)]
    )
    labels = np.array([f"u{g:03d}" for g in range(n_units)])
    head_counts = {labels[g]: int(heads[g]) for g in range(n_units)}
    return (
        answers[chosen].astype(np.int8),
        labels[people[chosen]],
        expected_answer(latent_unit),
        head_counts,
        org_mean,
        float(expected_answer(np.array([centre]), tau)[0]),
    )


def level_of(values: np.ndarray) -> np.ndarray:
    return np.maximum(np.searchsorted(np.asarray(THRESHOLDS), values, side="right"), 1)


def tau_on_answer_scale(regime: Regime) -> float:
    """The between-unit sd of true unit means: latent τ times the slope of E[answer] at the
    regime's central organisation mean."""
    tau = np.sqrt(regime.icc / (1.0 - regime.icc)) * WITHIN_SD
    middle = 0.5 * (regime.centre[0] + regime.centre[1])
    slope = (
        expected_answer(np.array([middle + 1e-4]))[0]
        - expected_answer(np.array([middle - 1e-4]))[0]
    ) / 2e-4
    return float(tau * slope)


def oracle_levels(
    n: np.ndarray, ybar: np.ndarray, sigma2: float, tau: float, mu_range: tuple[float, float] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Level and level probability of each unit under the exact normal posterior with τ and σ²
    known: θ_g ~ N(μ, τ²), ȳ_g | θ_g ~ N(θ_g, σ²/n_g); μ flat (``mu_range`` None) or uniform on
    ``mu_range`` (the regime's truth), integrated on a grid. The level is the posterior mean's."""
    grid = np.linspace(*(mu_range or (0.0, 6.0)), 1201)
    v = tau**2 + sigma2 / n
    loglik = -0.5 * (((ybar[None, :] - grid[:, None]) ** 2) / v[None, :]).sum(axis=1)
    weight = np.exp(loglik - loglik.max())
    weight /= weight.sum()
    shrink = tau**2 / v
    centre = grid[:, None] + shrink[None, :] * (ybar[None, :] - grid[:, None])
    sd = np.sqrt(shrink * sigma2 / n)
    level = level_of((weight[:, None] * centre).sum(axis=0))
    edges = np.array((-np.inf, *THRESHOLDS[1:], np.inf))
    lo, hi = edges[level - 1], edges[level]
    inside = special.ndtr((hi - centre) / sd) - special.ndtr((lo - centre) / sd)
    return level, (weight[:, None] * inside).sum(axis=0)


def run(regime: Regime, n_units: int, reps: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    tau_answer = tau_on_answer_scale(regime)
    tau_latent = np.sqrt(regime.icc / (1.0 - regime.icc)) * WITHIN_SD
    mu_range = (
        float(expected_answer(np.array([regime.centre[0]]), tau_latent)[0]),
        float(expected_answer(np.array([regime.centre[1]]), tau_latent)[0]),
    )
    for rep in range(reps):
        codes, labels, truth, heads, _, _ = simulate(rng, regime, n_units)
        result = score(codes, labels, SPEC, head_counts=heads, parts={"scores"})
        wider = score(codes, labels, SPEC, parts={"scores"}, org_interval="wider-pool")
        s = result.scores
        units = s[s["unit"] != "__all__"].reset_index(drop=True)
        # Raw unit intervals without head-counts (the t interval targets the unit's true mean).
        raw = wider.scores[wider.scores["unit"] != "__all__"].reset_index(drop=True)
        truth_level = level_of(truth)
        # What the flat-prior t posterior would state (the level probability before pooling).
        t_levels = assess_levels(
            raw["mean"].to_numpy(),
            raw["se"].to_numpy(),
            raw["n"].to_numpy() - 1.0,
            raw["ci_low"].to_numpy(),
            raw["ci_high"].to_numpy(),
            thresholds=THRESHOLDS,
        )
        n = raw["n"].to_numpy(dtype=float)
        ybar = raw["mean"].to_numpy(dtype=float)
        sd = raw["sd"].to_numpy(dtype=float)
        sigma2 = float(((n - 1.0) * sd**2).sum() / (n.sum() - n.size))
        flat_level, flat_p = oracle_levels(n, ybar, sigma2, tau_answer, None)
        true_level, true_p = oracle_levels(n, ybar, sigma2, tau_answer, mu_range)
        lowest = int(np.argmin(units["pooled_mean"].to_numpy()))
        lowest_raw = int(np.argmin(raw["mean"].to_numpy()))
        rows.append(
            pd.DataFrame(
                {
                    "rep": rep,
                    "truth": truth,
                    "raw_cover": (raw["ci_low"] <= truth) & (truth <= raw["ci_high"]),
                    "pooled_cover": (units["pooled_ci_low"] <= truth)
                    & (truth <= units["pooled_ci_high"]),
                    "stated": units["level_probability"],
                    "hit": units["level"].to_numpy(dtype=float) == truth_level,
                    "t_stated": t_levels.level_probability,
                    "t_hit": t_levels.level == truth_level,
                    "flat_stated": flat_p,
                    "flat_hit": flat_level == truth_level,
                    "true_stated": true_p,
                    "true_hit": true_level == truth_level,
                    "lowest_error": np.where(
                        np.arange(n_units) == lowest, units["pooled_mean"] - truth, np.nan
                    ),
                    "lowest_raw_error": np.where(
                        np.arange(n_units) == lowest_raw, raw["mean"] - truth, np.nan
                    ),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def organisation_cover(
    regime: Regime, n_units: int, reps: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Whether each organisation interval covers its estimand: as surveyed (head-counts) and a
    wider pool, on ``reps`` organisations, from the units' moments of the respondent scores.
    The first organisation is also scored by the pipeline, whose rows must be the same."""
    rng = np.random.default_rng(seed)
    surveyed = np.zeros(reps, dtype=bool)
    wider = np.zeros(reps, dtype=bool)
    for rep in range(reps):
        codes, labels, _, heads, org_mean, pool_mean = simulate(rng, regime, n_units)
        names, codes_g = np.unique(labels, return_inverse=True)
        moments = GroupIndex.from_codes(codes_g, names).moments(codes.mean(axis=1)[:, None])
        population = np.array([heads[name] for name in names], dtype=float)
        a = organisation_as_surveyed(moments, confidence=0.95, head_counts=population)
        b = organisation_wider_pool(moments, confidence=0.95)
        surveyed[rep] = a.ci_low[0, 0] <= org_mean <= a.ci_high[0, 0]
        wider[rep] = b.ci_low[0, 0] <= pool_mean <= b.ci_high[0, 0]
        if rep == 0:
            for how, mine, kwargs in (
                ("as-surveyed", a, {"head_counts": heads}),
                ("wider-pool", b, {}),
            ):
                s = score(codes, labels, SPEC, parts={"scores"}, org_interval=how, **kwargs).scores
                row = s[s["unit"] == "__all__"].iloc[0]
                ends = np.array([mine.ci_low[0, 0], mine.ci_high[0, 0]])
                if not np.allclose([row["ci_low"], row["ci_high"]], ends, rtol=0, atol=1e-12):
                    raise SystemExit(f"{how}: the pipeline's organisation row differs")
    return surveyed, wider


def share(x: pd.Series) -> str:
    p = float(x.mean())
    return f"{p:.3f} ± {np.sqrt(p * (1 - p) / len(x)):.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=1000, help="organisations per regime and G")
    parser.add_argument(
        "--org-reps",
        type=int,
        default=4000,
        help="organisations per regime and G for the organisation intervals' coverage",
    )
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    started = time.perf_counter()
    print(
        f"python {platform.python_version()}, {os.cpu_count()} cores, load "
        f"{os.getloadavg()[0]:.2f}; {args.reps} organisations per regime and G "
        f"({args.org_reps} for the organisation intervals)"
    )
    for r, regime in enumerate(REGIMES):
        print(f"\n### {regime.name}\n")
        print(
            "| G | raw unit 95% cover | pooled unit 95% cover | org as surveyed, cover | "
            "org wider pool, cover |"
        )
        print("|---|---|---|---|---|")
        frames = []
        for g in (5, 10, 30):
            frame = run(regime, g, args.reps, seed=args.seed * 1000 + r * 100 + g)
            frames.append(frame)
            surveyed, wider = organisation_cover(
                regime, g, args.org_reps, seed=args.seed * 1000 + r * 100 + g + 50
            )
            print(
                f"| {g} | {share(frame['raw_cover'])} | {share(frame['pooled_cover'])} | "
                f"{share(pd.Series(surveyed))} | {share(pd.Series(wider))} |"
            )
        everything = pd.concat(frames, ignore_index=True)
        for label, stated_column, hit_column in (
            ("level_probability (pooled posterior)", "stated", "hit"),
            ("for comparison, the flat-prior t posterior of the raw mean", "t_stated", "t_hit"),
            (
                "oracle: τ and σ known, flat prior on the organisation mean",
                "flat_stated",
                "flat_hit",
            ),
            (
                "oracle: τ and σ known, the regime's true prior on the mean",
                "true_stated",
                "true_hit",
            ),
        ):
            print(f"\n{label}, calibration (all G together):\n")
            print("| stated bin | units | mean stated | observed ± MC se | difference |")
            print("|---|---:|---:|---:|---:|")
            bins = np.array([0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0001])
            stated = everything[stated_column].to_numpy()
            for lo, hi in itertools.pairwise(bins):
                inside = (stated >= lo) & (stated < hi)
                if not inside.any():
                    continue
                observed = everything.loc[inside, hit_column]
                mean_stated = float(stated[inside].mean())
                p = float(observed.mean())
                se = np.sqrt(p * (1 - p) / inside.sum())
                print(
                    f"| [{lo:.2f}, {min(hi, 1):.2f}) | {int(inside.sum())} | {mean_stated:.3f} | "
                    f"{p:.3f} ± {se:.3f} | {p - mean_stated:+.3f} |"
                )
        errors = everything["lowest_error"].dropna()
        raw_errors = everything["lowest_raw_error"].dropna()
        print(
            f"\nlowest-ranked unit: pooled estimate − truth {errors.mean():+.3f} ± "
            f"{errors.std(ddof=1) / np.sqrt(len(errors)):.3f} (raw mean: {raw_errors.mean():+.3f} ± "
            f"{raw_errors.std(ddof=1) / np.sqrt(len(raw_errors)):.3f})"
        )
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
