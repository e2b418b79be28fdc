"""Speed of scoring at scale: the pipeline against its floor and naive tools, and `wmm score` end to end.

Generates 10,000 units x 100 respondents on work-management@1.1.0 (1M rows) with the demo generator
and prints medians and ratios, all measured in the same run. `python benchmarks/bench_scoring.py`
(`--units 1000` for a quicker run, `--markdown` for docs/benchmarks.md, `--profile` for the
pipeline's hot spots).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from assessment.analysis.spec import scoring_spec
from assessment.demo.generate import generate_organisation, organisation_profile
from assessment.questionnaire import default_registry
from assessment.responses.wide_csv import read_responses_csv, responses_csv
from assessment.runtime import single_threaded_blas
from scoring.groups import GroupIndex
from scoring.pipeline import score
from scoring.recoding import recode
from scoring.spec import ScoringSpec

KEY = "work-management@1.1.0"
#: A measurement whose first run takes longer than this is not repeated (its note says so).
SLOW_SECONDS = 60.0
TARGETS = {
    "pipeline / floor": ("<=", 25.0),
    "pingouin loop / pipeline": (">=", 50.0),
    "wmm score / pyarrow read (processes)": ("<=", 2.0),
    "wmm score peak memory (GB)": ("<=", 1.5),
}


@dataclass
class Timing:
    name: str
    seconds: float
    note: str = ""


def measure(name: str, run: Callable[[], object], repeats: int, note: str = "") -> Timing:
    """Median wall time of ``repeats`` runs (one run when the first takes over SLOW_SECONDS)."""
    times: list[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
        if times[0] > SLOW_SECONDS:
            break
    runs = f"median of {len(times)}" if len(times) > 1 else "1 run"
    return Timing(name, statistics.median(times), f"{runs}{'; ' + note if note else ''}")


# Prepended to a child's code: prints the child's own peak RSS (VmHWM) when it exits. (The
# rusage of os.wait4 would also count the pages the child shared with this large parent at fork.)
_PEAK = (
    "import atexit, sys\n"
    "def _peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            sys.stderr.write('PEAK_KB ' + line.split()[1] + '\\n')\n"
    "atexit.register(_peak)\n"
)


def _run_process(name: str, code: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (GB) of Python ``code`` run as its own process."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _PEAK + code], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed ({done.returncode}): {done.stderr}")
    kib = [int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("PEAK_KB")]
    return seconds, kib[-1] / 1024**2


def measure_processes(
    programs: dict[str, tuple[str, str]], repeats: int
) -> dict[str, tuple[Timing, float]]:
    """Like `measure` for Python programs run as processes of their own, taken in turn (A, B, A,
    B, ...) so that each ratio compares runs made under the same load; also each peak RSS in GB.

    ``programs`` maps a key to (name, code).
    """
    times: dict[str, list[float]] = {key: [] for key in programs}
    peaks: dict[str, list[float]] = {key: [] for key in programs}
    for _ in range(repeats):
        for key, (name, code) in programs.items():
            seconds, peak = _run_process(name, code)
            times[key].append(seconds)
            peaks[key].append(peak)
    result = {}
    for key, (name, _) in programs.items():
        note = f"median of {repeats}, alternating; peak {max(peaks[key]):.2f} GB"
        result[key] = (Timing(name, statistics.median(times[key]), note), max(peaks[key]))
    return result


def floor_time(units: np.ndarray, codes: np.ndarray, spec: ScoringSpec, repeats: int) -> Timing:
    """One pass of unit sums over the numeric (N, J) answers; building them is not timed."""
    index = GroupIndex.from_labels(units)
    answers = np.nan_to_num(recode(codes, spec))
    return measure(
        "floor: one pass of unit sums (sparse indicator @ answers)",
        lambda: index.indicator @ answers,
        repeats,
    )


def naive_pandas(
    frame: pd.DataFrame, dims: list[tuple[str, list[str]]], n_options: int
) -> pd.DataFrame:
    """The per-unit statistics as one writes them first: groupby().apply, a loop per dimension."""
    null_variance = (n_options**2 - 1) / 12.0

    def per_unit(unit: pd.DataFrame) -> pd.DataFrame:
        rows = []
        for name, columns in dims:
            answers = unit[columns]
            scores = answers.mean(axis=1).where(answers.notna().mean(axis=1) >= 0.5)
            n = int(scores.notna().sum())
            mean, sd = scores.mean(), scores.std()
            se = sd / np.sqrt(n) if n > 1 else np.nan
            half = stats.t.ppf(0.975, n - 1) * se if n > 1 else np.nan
            ratio = answers.var().clip(upper=null_variance).mean() / null_variance
            j = len(columns)
            rwg = j * (1 - ratio) / (j * (1 - ratio) + ratio)
            ad = (answers - answers.mean()).abs().mean().mean()
            rows.append((name, n, mean, sd, se, mean - half, mean + half, rwg, ad))
        columns = ["dimension", "n", "mean", "sd", "se", "lo", "hi", "rwg", "ad"]
        return pd.DataFrame(rows, columns=columns)

    return frame.groupby("unit", sort=True).apply(per_unit)


def profile_pipeline(run: Callable[[], object], top: int = 12) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(top)
    return text.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--per-unit", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--naive-units", type=int, default=200, help="units timed for the naive tools"
    )
    parser.add_argument("--markdown", action="store_true", help="also print Markdown tables")
    parser.add_argument("--profile", action="store_true", help="print the pipeline's hot spots")
    args = parser.parse_args()

    questionnaire = default_registry().get(KEY)
    spec = scoring_spec(questionnaire)
    started = time.perf_counter()
    profile = organisation_profile(
        seed=7, n_units=args.units, min_size=args.per_unit, max_size=args.per_unit
    )
    table = generate_organisation(questionnaire, seed=7, profile=profile).table
    n, n_items = table.codes.shape
    print(
        f"{n:,} respondents x {n_items} answers in {args.units:,} units (generated in "
        f"{time.perf_counter() - started:.1f} s); {os.cpu_count()} CPUs, load "
        f"{os.getloadavg()[0]:.1f}, Python {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}",
        flush=True,
    )
    timings: dict[str, Timing] = {}
    timings["floor"] = floor_time(table.unit, table.codes, spec, max(args.repeats, 5))

    def run_pipeline() -> object:
        return score(table.codes, table.unit, spec, duration_seconds=table.duration_seconds)

    # As `wmm score` and the app run it (assessment.runtime): BLAS on one thread.
    with single_threaded_blas():
        timings["pipeline"] = measure(
            "scoring.pipeline.score: every statistic, privacy rules", run_pipeline, args.repeats
        )
    print(f"pipeline {timings['pipeline'].seconds:.2f} s", flush=True)
    timings["pipeline-threads"] = measure(
        "  the same with OpenBLAS's default threads", run_pipeline, 1, "for comparison"
    )
    if args.profile:
        with single_threaded_blas():
            print(profile_pipeline(run_pipeline), flush=True)

    # Naive tools on a sample of units, scaled to all units.
    rng = np.random.default_rng(0)
    size = min(args.naive_units, args.units)
    sample = set(rng.choice(np.asarray(profile.units, dtype=object), size=size, replace=False))
    in_sample = np.isin(table.unit, list(sample))
    scale = args.units / len(sample)
    answers = table.codes[in_sample].astype(float)
    answers[answers < 0] = np.nan
    reverse = np.asarray(spec.reverse)
    answers[:, reverse] = spec.scale_min + spec.scale_max - answers[:, reverse]
    frame = pd.DataFrame(answers, columns=list(spec.item_ids))
    frame["unit"] = table.unit[in_sample]
    dims = [(d.id, [spec.item_ids[j] for j in d.items]) for d in spec.dimensions]
    scaled = f"{len(sample)} units timed, x{scale:g}"
    naive = measure("pandas groupby().apply, the same per-unit statistics",
                    lambda: naive_pandas(frame, dims, spec.n_options), 1, scaled)  # fmt: skip
    naive.seconds *= scale
    timings["naive"] = naive
    try:
        import pingouin

        groups = [g for _, g in frame.groupby("unit")]
        scored = [[spec.item_ids[j] for j in d.items] for d in spec.dimensions if len(d.items) >= 2]
        loop = measure(
            f"pingouin.cronbach_alpha per unit and dimension in a loop ({len(scored)} dimensions)",
            lambda: [pingouin.cronbach_alpha(data=g[items]) for g in groups for items in scored],
            1,
            scaled,
        )
        loop.seconds *= scale
        timings["pingouin"] = loop
        overall = [spec.item_ids[j] for j in spec.dimension("overall").items]
        single = measure(
            "  the same loop on the overall dimension only",
            lambda: [pingouin.cronbach_alpha(data=g[overall]) for g in groups],
            1,
            scaled,
        )
        single.seconds *= scale
        timings["pingouin-overall"] = single
    except ImportError:
        print("pingouin is not installed: no pingouin comparison")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "responses.csv"
        path.write_bytes(responses_csv(table))
        mb = path.stat().st_size / 1024**2
        timings["read"] = measure(
            f"pd.read_csv(engine='pyarrow') of the {mb:.0f} MB CSV, in process",
            lambda: pd.read_csv(path, engine="pyarrow"),
            args.repeats,
        )
        timings["reader"] = measure(
            "read_responses_csv (parse + validate + codes), in process",
            lambda: read_responses_csv(path, questionnaire),
            args.repeats,
        )
        read_code = f"import pandas as pd; pd.read_csv({str(path)!r}, engine='pyarrow')"
        argv = ["wmm", "score", str(path), "-q", KEY, "--out", str(Path(folder) / "scores.csv")]
        wmm_code = f"import sys; sys.argv = {argv!r}; from assessment.cli import main; main()"
        processes = measure_processes(
            {
                "read-process": ("the same pyarrow read as its own process (python -c)", read_code),
                "wmm": ("wmm score FILE --out scores.csv (process)", wmm_code),
            },
            max(args.repeats, 5),
        )
        timings["read-process"], _ = processes["read-process"]
        timings["wmm"], wmm_peak = processes["wmm"]

    ratios = {
        "pipeline / floor": timings["pipeline"].seconds / timings["floor"].seconds,
        "pipeline with default BLAS threads / floor": timings["pipeline-threads"].seconds
        / timings["floor"].seconds,
        "naive pandas / pipeline": timings["naive"].seconds / timings["pipeline"].seconds,
        "read_responses_csv / pyarrow read (in process)": timings["reader"].seconds
        / timings["read"].seconds,
        "wmm score / pyarrow read (processes)": timings["wmm"].seconds
        / timings["read-process"].seconds,
        "wmm score / pyarrow read (in process)": timings["wmm"].seconds / timings["read"].seconds,
        "wmm score peak memory (GB)": wmm_peak,
    }
    if "pingouin" in timings:
        ratios["pingouin loop / pipeline"] = (
            timings["pingouin"].seconds / timings["pipeline"].seconds
        )
        ratios["pingouin loop, overall dimension only / pipeline"] = (
            timings["pingouin-overall"].seconds / timings["pipeline"].seconds
        )

    print()
    print(f"{'measurement':<64} {'seconds':>10}  note")
    for t in timings.values():
        print(f"{t.name:<64} {t.seconds:>10.3f}  {t.note}")
    print()
    verdicts = {}
    for name, value in ratios.items():
        target = TARGETS.get(name)
        verdicts[name] = ""
        if target is not None:
            op, bound = target
            met = value <= bound if op == "<=" else value >= bound
            verdicts[name] = f"target {op} {bound:g}: {'met' if met else 'MISSED'}"
        print(f"{name:<50} {value:>10.2f}  {verdicts[name]}")
    if args.markdown:
        print("\n| measurement | seconds | note |\n|---|---:|---|")
        for t in timings.values():
            print(f"| {t.name} | {t.seconds:.3f} | {t.note} |")
        print("\n| ratio | value | target |\n|---|---:|---|")
        for name, value in ratios.items():
            print(f"| {name} | {value:.2f} | {verdicts[name]} |")


if __name__ == "__main__":
    main()
