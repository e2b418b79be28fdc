"""A seeded, realistic demo organisation: units, head-counts and two survey waves of responses.

Everything is vectorised over respondents, so the same machinery makes the 1M-row benchmark file;
`python -m assessment.demo.generate --write data/demo` writes the committed demo files (same seed, same bytes).
"""

from __future__ import annotations

import argparse
import csv
import io
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from assessment.questionnaire.model import Questionnaire
from assessment.responses.csv_safety import neutralise_text
from assessment.responses.wide_csv import ResponseTable, responses_csv
from scoring.recoding import DONT_KNOW, NOT_APPLICABLE, SKIPPED

#: The seed of the committed demo files.
DEMO_SEED = 20240304
DEMO_QUESTIONNAIRES = ("work-management@1.0.0", "work-management@1.1.0")

UNIT_NAMES: tuple[str, ...] = (
    "Finance",
    "Platform Engineering",
    "Customer Support",
    "Sales",
    "Marketing",
    "People & Culture",
    "Legal & Compliance",
    "Operations",
    "Product Management",
    "Data & Analytics",
    "Procurement",
    "IT Service Desk",
)

#: Organisation means on a 1..5 scale: the flywheel story is that work gets organised but not finished.
COMPONENT_MEANS: dict[str, float] = {
    "clarity": 3.35,
    "coordination": 3.0,
    "completion": 2.75,
    "collaboration": 3.45,
    "workflow-architecture": 2.7,
}
#: Leaders rate their organisation higher than the people who do the work.
ROLE_SHARES: dict[str, float] = {"leader": 0.08, "manager": 0.17, "staff": 0.65, "other": 0.10}
ROLE_SHIFTS: dict[str, float] = {"leader": 0.45, "manager": 0.2, "staff": 0.0, "other": -0.05}

_DONT_KNOW_RATE = 0.02
_NOT_APPLICABLE_RATE = 0.01
_SKIP_RATE = 0.012
_DROP_OUT_RATE = 0.03
_STRAIGHT_LINER_RATE = 0.02
_TOO_FAST_RATE = 0.03
_BLOCK_ROWS = 131_072


@dataclass(frozen=True)
class OrganisationProfile:
    """The organisation behind every wave: its units, head-counts and unit effects.

    Attributes
    ----------
    units : unit names
    head_counts : people per unit
    respondents : respondents per unit in the first wave
    unit_effects : (G,) overall effect of each unit on the 1..5 scale
    seed : the seed the profile was drawn with (waves derive their own streams from it)
    """

    units: tuple[str, ...]
    head_counts: npt.NDArray[np.int64]
    respondents: npt.NDArray[np.int64]
    unit_effects: npt.NDArray[np.float64]
    seed: int

    def component_effects(self, component_ids: Sequence[str]) -> npt.NDArray[np.float64]:
        """(G, C) unit × component effects; a component's effects depend only on its id and the seed."""
        columns = []
        for component in component_ids:
            rng = np.random.default_rng([self.seed, _stable_hash(component)])
            columns.append(rng.normal(0.0, 0.25, size=len(self.units)))
        return self.unit_effects[:, None] + np.column_stack(columns)


@dataclass(frozen=True)
class DemoOrganisation:
    """One wave of demo responses and the head-count of every unit."""

    table: ResponseTable
    head_counts: dict[str, int]


def organisation_profile(
    *,
    seed: int,
    n_units: int = 10,
    unit_names: Sequence[str] | None = None,
    min_size: int = 3,
    max_size: int = 60,
) -> OrganisationProfile:
    """Draw an organisation: unit names, respondents per unit (min_size..max_size) and head-counts.

    With the default names (at most 12 units) one unit is kept below the usual minimum group size
    of 5, so the demo shows suppression; head-counts exceed respondents (response rates 60-95%).
    """
    if n_units < 1:
        raise ValueError(f"n_units must be at least 1; got {n_units}")
    if not 1 <= min_size <= max_size:
        raise ValueError(f"expected 1 <= min_size <= max_size; got {min_size} and {max_size}")
    rng = np.random.default_rng([seed, 1])
    if unit_names is None:
        if n_units <= len(UNIT_NAMES):
            order = rng.permutation(len(UNIT_NAMES))[:n_units]
            names = tuple(UNIT_NAMES[i] for i in sorted(order))
        else:
            width = len(str(n_units))
            names = tuple(
                f"{UNIT_NAMES[k % len(UNIT_NAMES)]} {k // len(UNIT_NAMES) + 1:0{width}d}"
                for k in range(n_units)
            )
    else:
        names = tuple(unit_names)
        if len(names) != n_units or len(set(names)) != n_units:
            raise ValueError(f"unit_names must hold {n_units} distinct names; got {len(names)}")
    sizes = rng.integers(min_size, max_size + 1, size=n_units)
    if n_units >= 3 and n_units <= len(UNIT_NAMES) and min_size < 5:
        sizes[rng.integers(n_units)] = rng.integers(min_size, 5)
    response_rate = rng.uniform(0.6, 0.95, size=n_units)
    head_counts = np.maximum(sizes, np.ceil(sizes / response_rate)).astype(np.int64)
    effects = rng.normal(0.0, 0.35, size=n_units)
    return OrganisationProfile(names, head_counts, sizes.astype(np.int64), effects, seed)


def generate_organisation(
    questionnaire: Questionnaire,
    *,
    seed: int,
    n_units: int = 10,
    profile: OrganisationProfile | None = None,
    wave: int = 1,
    improvement: float = 0.0,
    respondents: npt.ArrayLike | None = None,
    start: str = "2024-03-04T08:00:00",
) -> DemoOrganisation:
    """Responses of a demo organisation to ``questionnaire`` (one wave).

    Parameters
    ----------
    questionnaire : the questionnaire answered
    seed : the organisation's seed (the profile, if not given, is drawn from it)
    n_units : units of a profile drawn here
    profile : the organisation (pass the same profile for several waves)
    wave : wave number; each wave has its own respondents and random stream
    improvement : shift of every latent on the 1..5 scale (a later, better wave)
    respondents : respondents per unit (default: the profile's, varied a little after wave 1)
    start : first day of the survey window (10 days)

    Notes
    -----
    Latent model (1..5 scale): θ_ic = μ_c + u_g + v_gc + role shift + p_i + e_ic with unit effects
    u_g ~ N(0, 0.35²), v_gc ~ N(0, 0.25²), person p_i ~ N(0, 0.55²), e_ic ~ N(0, 0.3²). An answer is
    round(θ_ic + d_j + ε_ij), ε ~ N(0, 0.75²), clipped to the scale; reverse-keyed items store
    L + H − answer, so they agree with the latent once reverse-scored. Outcomes follow completion
    (0.7) and clarity (0.2). About 2% don't know, 1% not applicable, 1.2% skipped, 3% drop out part-way
    (their last answers skipped), 2% straight-line (one value everywhere, often fast), 3% are
    implausibly fast (35-110 s); the rest take about 8 minutes.
    """
    if profile is None:
        profile = organisation_profile(seed=seed, n_units=n_units)
    rng = np.random.default_rng([profile.seed, 100 + wave])
    sizes = _wave_sizes(profile, wave, rng, respondents)
    unit_of = np.repeat(np.arange(len(profile.units)), sizes)
    n = int(unit_of.size)
    roles = np.array(list(ROLE_SHARES), dtype=object)
    role_index = rng.choice(len(roles), size=n, p=np.array(list(ROLE_SHARES.values())))
    role_shift = np.array([ROLE_SHIFTS[r] for r in roles])[role_index]
    person = rng.normal(0.0, 0.55, size=n)

    components = [c.id for c in questionnaire.components]
    effects = profile.component_effects(components)
    means = np.array([COMPONENT_MEANS.get(c, 3.0) for c in components])
    theta = (
        means[None, :]
        + effects[unit_of]
        + (role_shift + person + improvement)[:, None]
        + rng.normal(0.0, 0.3, size=(n, len(components)))
    )
    completion = components.index("completion") if "completion" in components else 0
    clarity = components.index("clarity") if "clarity" in components else 0
    outcome = (
        2.9
        + improvement
        + 0.7 * (theta[:, completion] - means[completion])
        + 0.2 * (theta[:, clarity] - means[clarity])
        + rng.normal(0.0, 0.35, size=n)
    )
    latents = np.column_stack([theta, outcome])
    item_ids = tuple(i.id for i in questionnaire.items) + tuple(
        o.id for o in questionnaire.outcomes
    )
    latent_of_item = np.array(
        [components.index(i.component) for i in questionnaire.items]
        + [len(components)] * len(questionnaire.outcomes)
    )
    reverse = np.array(
        [i.reverse for i in questionnaire.items] + [o.reverse for o in questionnaire.outcomes]
    )
    difficulty = np.array([_item_difficulty(i) for i in item_ids])
    low, high = questionnaire.scale.minimum, questionnaire.scale.maximum
    codes = _answers(rng, latents, latent_of_item, difficulty, reverse, low, high)
    straight = _straight_line(rng, codes, low, high)
    _missing_answers(rng, codes, item_ids, questionnaire)
    duration = _durations(rng, n, straight)
    languages = _languages(rng, questionnaire, n)
    submitted = _submitted_at(rng, n, start)
    demographics = {
        d.id: (
            roles[role_index]
            if d.id == "role"
            else np.asarray([o.id for o in d.options], dtype=object)[
                rng.integers(len(d.options), size=n)
            ]
        )
        for d in questionnaire.demographics
    }
    # Rows in order of arrival, as a survey tool exports them.
    order = np.argsort(submitted, kind="stable")
    table = ResponseTable(
        questionnaire=questionnaire.key,
        item_ids=item_ids,
        respondent_id=_respondent_ids(profile.seed, wave, n)[order],
        unit=np.asarray(profile.units, dtype=object)[unit_of][order],
        demographics={k: v[order] for k, v in demographics.items()},
        language=languages[order],
        submitted_at=submitted[order],
        duration_seconds=duration[order],
        codes=codes[order],
        columns=(
            *(d.id for d in questionnaire.demographics),
            "submitted_at",
            "questionnaire",
            "language",
            "duration_seconds",
        ),
    )
    head_counts = {u: int(h) for u, h in zip(profile.units, profile.head_counts, strict=True)}
    return DemoOrganisation(table=table, head_counts=head_counts)


def demo_waves(
    first: Questionnaire, second: Questionnaire, *, seed: int = DEMO_SEED, n_units: int = 10
) -> tuple[DemoOrganisation, DemoOrganisation]:
    """Two waves of one organisation: ``first``, then ``second`` half a year later, a little better."""
    profile = organisation_profile(seed=seed, n_units=n_units)
    wave1 = generate_organisation(first, seed=seed, profile=profile, wave=1)
    wave2 = generate_organisation(
        second,
        seed=seed,
        profile=profile,
        wave=2,
        improvement=0.15,
        start="2024-09-09T08:00:00",
    )
    return wave1, wave2


def write_demo(folder: Path, *, seed: int = DEMO_SEED) -> list[Path]:
    """Write ``wave1.csv``, ``wave2.csv`` and ``units.csv`` (unit,head_count) into ``folder``."""
    from assessment.questionnaire import default_registry

    registry = default_registry()
    first, second = (registry.get(key) for key in DEMO_QUESTIONNAIRES)
    wave1, wave2 = demo_waves(first, second, seed=seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "wave1.csv", folder / "wave2.csv", folder / "units.csv"]
    paths[0].write_bytes(responses_csv(wave1.table))
    paths[1].write_bytes(responses_csv(wave2.table))
    paths[2].write_bytes(units_csv(wave1.head_counts))
    return paths


def units_csv(head_counts: dict[str, int]) -> bytes:
    """The units file: ``unit,head_count``, one row per unit, sorted by name."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["unit", "head_count"])
    for unit in sorted(head_counts):
        writer.writerow([neutralise_text(unit), head_counts[unit]])
    return text.getvalue().encode("utf-8")


# -- the pieces ---------------------------------------------------------------------------------------


def _stable_hash(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def _item_difficulty(item_id: str) -> float:
    """A fixed offset per item id in [-0.35, 0.35], the same in every version that keeps the id."""
    return (_stable_hash(item_id) % 1001) / 1000 * 0.7 - 0.35


def _wave_sizes(
    profile: OrganisationProfile,
    wave: int,
    rng: np.random.Generator,
    respondents: npt.ArrayLike | None,
) -> npt.NDArray[np.int64]:
    if respondents is not None:
        sizes = np.asarray(respondents, dtype=np.int64)
        if sizes.shape != (len(profile.units),) or (sizes < 0).any():
            raise ValueError(
                f"respondents must give a count >= 0 for each of {len(profile.units)} units"
            )
        return sizes
    if wave == 1:
        return profile.respondents
    varied = profile.respondents + rng.integers(-3, 4, size=len(profile.units))
    low = np.minimum(profile.respondents, 3)
    clipped = np.clip(varied, low, np.minimum(profile.head_counts, 60))
    return np.asarray(clipped, dtype=np.int64)


def _answers(
    rng: np.random.Generator,
    latents: npt.NDArray[np.float64],
    latent_of_item: npt.NDArray[np.int64],
    difficulty: npt.NDArray[np.float64],
    reverse: npt.NDArray[np.bool_],
    low: int,
    high: int,
) -> npt.NDArray[np.int8]:
    """Answers in blocks of rows (bounded memory at a million respondents)."""
    n, n_items = latents.shape[0], latent_of_item.size
    codes = np.empty((n, n_items), dtype=np.int8)
    stretch = (high - low) / 4.0
    for start in range(0, n, _BLOCK_ROWS):
        stop = min(start + _BLOCK_ROWS, n)
        block = latents[start:stop][:, latent_of_item].astype(np.float32)
        block += difficulty.astype(np.float32)
        block += rng.standard_normal(size=block.shape, dtype=np.float32) * np.float32(0.75)
        scaled = np.rint(low + (block - 1.0) * stretch)
        answers = np.clip(scaled, low, high).astype(np.int8)
        answers[:, reverse] = low + high - answers[:, reverse]
        codes[start:stop] = answers
    return codes


def _straight_line(
    rng: np.random.Generator, codes: npt.NDArray[np.int8], low: int, high: int
) -> npt.NDArray[np.bool_]:
    """Make ~2% of respondents give one value everywhere (mostly agreeable ones)."""
    n = codes.shape[0]
    straight: npt.NDArray[np.bool_] = np.asarray(rng.random(n) < _STRAIGHT_LINER_RATE, dtype=bool)
    values = rng.choice(np.arange(low, high + 1), size=int(straight.sum()))
    values = np.where(rng.random(values.size) < 0.7, high - (high - low) // 4, values)
    codes[straight] = values.astype(np.int8)[:, None]
    return straight


def _missing_answers(
    rng: np.random.Generator,
    codes: npt.NDArray[np.int8],
    item_ids: tuple[str, ...],
    questionnaire: Questionnaire,
) -> None:
    """Don't know, not applicable, skipped cells and drop-outs, in place."""
    n, n_items = codes.shape
    specials = {s.code for s in questionnaire.scale.special}
    # Some items are harder to judge (tools, other teams): an item-specific don't-know multiplier.
    multiplier = np.array([0.5 + (_stable_hash(i + "/dk") % 100) / 50 for i in item_ids])
    for start in range(0, n, _BLOCK_ROWS):
        stop = min(start + _BLOCK_ROWS, n)
        u = rng.random(size=(stop - start, n_items), dtype=np.float32)
        block = codes[start:stop]
        dk = u < _DONT_KNOW_RATE * multiplier
        na = (u >= 0.9) & (u < 0.9 + _NOT_APPLICABLE_RATE)
        skip = u > 1.0 - _SKIP_RATE
        if "DK" in specials:
            block[dk] = DONT_KNOW
        if "NA" in specials:
            block[na] = NOT_APPLICABLE
        block[skip] = SKIPPED
    drop = np.flatnonzero(rng.random(n) < _DROP_OUT_RATE)
    stop_at = rng.integers(n_items // 3, n_items, size=drop.size)
    tail = np.arange(n_items)[None, :] >= stop_at[:, None]
    rows = codes[drop]
    rows[tail] = SKIPPED
    codes[drop] = rows


def _durations(
    rng: np.random.Generator, n: int, straight: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float64]:
    seconds = rng.lognormal(np.log(480.0), 0.45, size=n)
    fast = (rng.random(n) < _TOO_FAST_RATE) | (straight & (rng.random(n) < 0.6))
    seconds[fast] = rng.uniform(35.0, 110.0, size=int(fast.sum()))
    return np.round(seconds, 1)


def _languages(
    rng: np.random.Generator, questionnaire: Questionnaire, n: int
) -> npt.NDArray[np.object_]:
    languages = [questionnaire.default_language] + [
        code for code in questionnaire.languages if code != questionnaire.default_language
    ]
    if len(languages) == 1:
        return np.full(n, languages[0], dtype=object)
    shares = np.array([0.8] + [0.2 / (len(languages) - 1)] * (len(languages) - 1))
    return np.asarray(languages, dtype=object)[rng.choice(len(languages), size=n, p=shares)]


def _submitted_at(rng: np.random.Generator, n: int, start: str) -> npt.NDArray[np.datetime64]:
    """Working hours (08:00-18:00 UTC) of a 10-day window, whole seconds, in order of arrival."""
    first = np.datetime64(start, "s")
    day = rng.integers(0, 10, size=n)
    second = rng.integers(0, 10 * 3600, size=n)
    stamps = first + (day * 86_400 + second).astype("timedelta64[s]")
    return stamps.astype("datetime64[us]")


def _respondent_ids(seed: int, wave: int, n: int) -> npt.NDArray[np.object_]:
    """Anonymous, unique ids such as ``w1-3fa9c2d1`` (a bijective mix of the row number)."""
    x = (np.arange(n, dtype=np.uint64) + np.uint64(_stable_hash(f"{seed}/{wave}"))) & np.uint64(
        0xFFFFFFFF
    )
    x = (x * np.uint64(0x9E3779B1)) & np.uint64(0xFFFFFFFF)
    x ^= x >> np.uint64(15)
    x = (x * np.uint64(0x85EBCA6B)) & np.uint64(0xFFFFFFFF)
    x ^= x >> np.uint64(13)
    shifts = np.arange(28, -1, -4, dtype=np.uint64)
    nibbles = ((x[:, None] >> shifts[None, :]) & np.uint64(0xF)).astype(np.uint8)
    hex_digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)[nibbles]
    prefix = np.frombuffer(f"w{wave}-".encode(), dtype=np.uint8)
    chars = np.concatenate([np.broadcast_to(prefix, (n, prefix.size)), hex_digits], axis=1)
    width = chars.shape[1]
    return np.ascontiguousarray(chars).view(f"S{width}").ravel().astype(f"U{width}").astype(object)


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m assessment.demo.generate --write data/demo``: write the demo files."""
    parser = argparse.ArgumentParser(prog="python -m assessment.demo.generate", description=__doc__)
    parser.add_argument(
        "--write", type=Path, required=True, metavar="FOLDER", help="where to write"
    )
    parser.add_argument("--seed", type=int, default=DEMO_SEED, help=f"seed (default {DEMO_SEED})")
    args = parser.parse_args(argv)
    for path in write_demo(args.write, seed=args.seed):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
