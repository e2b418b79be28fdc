"""Calibration of the change between waves: does each interval cover the change it claims to estimate?

Two estimands (docs/statistics.md "Change, groups and drivers"):

- **as surveyed**: each unit is a finite population of N_g people whose scores move between waves;
  each wave asks a fresh sample of n_g of them (anonymous waves: different people). The truth is the
  change of the mean over all the organisation's people. Estimator: `scoring.change.stratified_change`
  with the head-counts; compared with Welch's interval on the organisation rows (overall n, mean, sd),
  what the product showed before.
- **wider pool**: units are drawn from a pool, keep their level between waves (unit effects correlated
  ρ between waves), and the truth is the pool's expected change δ. Estimator:
  `scoring.change.paired_unit_change` (weights n); compared with Welch on the organisation rows.

Person scores are means of five ordinal answers (1-5), as in `bench_calibration.py`. Not a test:
`python benchmarks/bench_change_calibration.py` (`--reps 300` for a quick run). Prints coverage with
Monte Carlo standard errors and the mean interval width; the target is 0.95 ± 0.015.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from scoring.change import paired_unit_change, stratified_change, welch_difference

N_ITEMS = 5
DELTA = 0.15  # true change of the latent mean between waves


def person_scores(latent: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Mean of five ordinal answers (1..5) around each person's latent score."""
    answers = np.clip(np.rint(latent[:, None] + rng.normal(0, 0.6, (latent.size, N_ITEMS))), 1, 5)
    return np.asarray(answers.mean(axis=1), dtype=np.float64)


def moments(values: np.ndarray, groups: np.ndarray, n_units: int) -> tuple[np.ndarray, ...]:
    """Per-unit n, mean and sd (divisor n − 1) as (G, 1) arrays."""
    n = np.bincount(groups, minlength=n_units).astype(np.float64)
    total = np.bincount(groups, weights=values, minlength=n_units)
    mean = total / n
    squares = np.bincount(groups, weights=(values - mean[groups]) ** 2, minlength=n_units)
    sd = np.sqrt(squares / np.maximum(n - 1.0, 1.0))
    return n[:, None], mean[:, None], sd[:, None]


def overall(values: np.ndarray) -> tuple[float, float, float]:
    return float(values.size), float(values.mean()), float(values.std(ddof=1))


def as_surveyed(n_units: int, reps: int, rng: np.random.Generator) -> dict[str, list[float]]:
    """Coverage of the organisation-as-surveyed change: stratified vs Welch on the org rows."""
    hits: dict[str, list[float]] = {"stratified": [], "welch": [], "w_strat": [], "w_welch": []}
    for _ in range(reps):
        heads = rng.integers(8, 40, n_units)
        unit_effect = rng.normal(0, 0.45, n_units)  # ICC about .3 on the latent scale
        people = np.repeat(np.arange(n_units), heads)
        person = rng.normal(0, 0.6, people.size)
        population = [
            person_scores(
                3.0 + shift + unit_effect[people] + person + rng.normal(0, 0.3, people.size), rng
            )
            for shift in (0.0, DELTA)
        ]
        truth = population[1].mean() - population[0].mean()
        samples = []
        for wave in range(2):
            take = np.concatenate(
                [
                    rng.choice(
                        np.flatnonzero(people == g),
                        size=max(2, int(h * rng.uniform(0.5, 0.9))),
                        replace=False,
                    )
                    for g, h in enumerate(heads)
                ]
            )
            samples.append((population[wave][take], people[take]))
        first, second = (moments(v, g, n_units) for v, g in samples)
        row = stratified_change(*first, heads.astype(float), *second, heads.astype(float)).iloc[0]
        welch = welch_difference(*overall(samples[0][0]), *overall(samples[1][0])).iloc[0]
        hits["stratified"].append(float(row["ci_low"] <= truth <= row["ci_high"]))
        hits["welch"].append(float(welch["ci_low"] <= truth <= welch["ci_high"]))
        hits["w_strat"].append(float(row["ci_high"] - row["ci_low"]))
        hits["w_welch"].append(float(welch["ci_high"] - welch["ci_low"]))
    return hits


def wider_pool(
    n_units: int, reps: int, rho: float, rng: np.random.Generator
) -> dict[str, list[float]]:
    """Coverage of the pool's change δ: paired unit differences vs Welch on the org rows."""
    hits: dict[str, list[float]] = {"paired": [], "welch": [], "w_paired": [], "w_welch": []}
    for _ in range(reps):
        sizes = rng.integers(5, 16, n_units)
        first_effect = rng.normal(0, 0.45, n_units)
        second_effect = rho * first_effect + np.sqrt(1 - rho**2) * rng.normal(0, 0.45, n_units)
        waves = []
        for shift, effect in ((0.0, first_effect), (DELTA, second_effect)):
            groups = np.repeat(np.arange(n_units), sizes)
            latent = 3.0 + shift + effect[groups] + rng.normal(0, 0.65, groups.size)
            waves.append((person_scores(latent, rng), groups))
        # The pool's change on the answer scale: the latent shift through the same rounding,
        # estimated once per rep from a large pool draw (same effects distribution).
        big = rng.normal(0, np.sqrt(0.45**2 + 0.65**2), 20000)
        truth = person_scores(3.0 + DELTA + big, rng).mean() - person_scores(3.0 + big, rng).mean()
        (n1, m1, _), (n2, m2, _) = (moments(v, g, n_units) for v, g in waves)
        row = paired_unit_change(m1, m2, ((n1 + n2) / 2.0)[:, 0]).iloc[0]
        welch = welch_difference(*overall(waves[0][0]), *overall(waves[1][0])).iloc[0]
        hits["paired"].append(float(row["ci_low"] <= truth <= row["ci_high"]))
        hits["welch"].append(float(welch["ci_low"] <= truth <= welch["ci_high"]))
        hits["w_paired"].append(float(row["ci_high"] - row["ci_low"]))
        hits["w_welch"].append(float(welch["ci_high"] - welch["ci_low"]))
    return hits


def share(values: list[float]) -> str:
    p = float(np.mean(values))
    return f"{p:.3f} ± {np.sqrt(p * (1 - p) / len(values)):.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20261204)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    print(f"python {platform.python_version()}, load average {os.getloadavg()}, reps {args.reps}")
    print(
        "\norganisation as surveyed (finite units, fresh samples each wave), coverage and mean width"
    )
    print("| G | stratified | width | Welch on org rows | width |")
    print("|---|---|---|---|---|")
    for n_units in (5, 10, 30):
        h = as_surveyed(n_units, args.reps, rng)
        print(
            f"| {n_units} | {share(h['stratified'])} | {np.mean(h['w_strat']):.3f} | "
            f"{share(h['welch'])} | {np.mean(h['w_welch']):.3f} |"
        )
    print("\nwider pool (unit effects correlated rho between waves), coverage and mean width")
    print("| G | rho | paired by unit | width | Welch on org rows | width |")
    print("|---|---|---|---|---|---|")
    for n_units in (5, 10, 30):
        for rho in (0.0, 0.8):
            h = wider_pool(n_units, args.reps, rho, rng)
            print(
                f"| {n_units} | {rho} | {share(h['paired'])} | {np.mean(h['w_paired']):.3f} | "
                f"{share(h['welch'])} | {np.mean(h['w_welch']):.3f} |"
            )
    print(f"\n{time.perf_counter() - start:.0f} s, load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
