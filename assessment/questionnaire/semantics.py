"""Rules that relate the parts of a questionnaire to each other (ids, references, counts, languages).

`check_semantics` runs on a possibly partial questionnaire (parts that failed the schema are absent) and
returns every problem it finds; it never raises for bad content.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from assessment.errors import Problem
from assessment.questionnaire.model import Crosswalk, CrosswalkEntry, Questionnaire

MIN_ITEMS_PER_DIMENSION = 3
#: Column names of the responses CSV that an item id must not take.
RESERVED_COLUMNS = frozenset(
    {
        "respondent_id",
        "unit",
        "role",
        "submitted_at",
        "questionnaire",
        "language",
        "duration_seconds",
    }
)
RESERVED_DIMENSIONS = frozenset({"overall"})

PreviousLookup = Callable[[str, str], Questionnaire | None]


def _get(q: Questionnaire, name: str) -> Any:
    """A field of a partially built questionnaire, or None when that part failed validation."""
    return q.__dict__.get(name)


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def _duplicates(ids: list[str]) -> set[str]:
    return {i for i, c in Counter(ids).items() if c > 1}


def _unknown(path: str, what: str, value: object, known: list[Any] | None) -> list[Problem]:
    """The problem of a reference to an id (or level) that is not declared; none when it is, or
    when the declarations themselves failed validation (``known`` None)."""
    if known is None or value in known:
        return []
    return [
        Problem(path, f"unknown {what} {value!r}: expected one of {known}", "unknown-reference")
    ]


def _localized_texts(value: Any, path: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Every localized text (a dict of language -> text) inside a model, with its path."""
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _localized_texts(
                value.__dict__.get(name), f"{path}.{name}" if path else name
            )
    elif isinstance(value, list):
        for i, element in enumerate(value):
            yield from _localized_texts(element, f"{path}[{i}]")
    elif isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
        yield path, value


def _check_languages(q: Questionnaire) -> list[Problem]:
    problems: list[Problem] = []
    languages = _get(q, "languages")
    if languages is None:
        return problems
    declared = list(languages)
    for lang in sorted(_duplicates(declared)):
        problems.append(
            Problem("languages", f"language {lang!r} is declared twice", "duplicate-id")
        )
    default = _get(q, "default_language")
    if default is not None and default not in declared:
        problems.append(
            Problem(
                "default_language",
                f"expected one of the declared languages {declared}, found {default!r}",
                "unknown-reference",
            )
        )
    wanted = set(declared)
    for name in type(q).model_fields:
        if name in ("languages", "default_language"):
            continue
        for path, text in _localized_texts(_get(q, name), name):
            missing = sorted(wanted - text.keys())
            extra = sorted(text.keys() - wanted)
            if missing:
                problems.append(
                    Problem(
                        path,
                        f"missing translation for {', '.join(missing)} "
                        f"(every text needs all declared languages {declared})",
                        "missing-translation",
                    )
                )
            if extra:
                problems.append(
                    Problem(
                        path,
                        f"text in undeclared language {', '.join(extra)} (declared: {declared})",
                        "unknown-language",
                    )
                )
    return problems


def _check_scale_and_levels(q: Questionnaire) -> list[Problem]:
    problems: list[Problem] = []
    scale = _get(q, "scale")
    if scale is not None:
        values = [o.value for o in scale.options]
        expected = list(range(values[0], values[0] + len(values)))
        if values != expected:
            problems.append(
                Problem(
                    "scale.options",
                    f"values must ascend by 1 from the first option, expected {expected}, found {values}",
                    "scale",
                )
            )
        codes = [s.code for s in scale.special]
        for code in sorted(_duplicates(codes)):
            problems.append(Problem("scale.special", f"code {code} appears twice", "duplicate-id"))
    levels = _get(q, "levels")
    if levels is None:
        return problems
    numbers = [lv.level for lv in levels]
    if numbers != list(range(1, len(levels) + 1)):
        problems.append(
            Problem(
                "levels",
                f"levels must be numbered 1..{len(levels)} in order, found {numbers}",
                "levels",
            )
        )
    thresholds = [lv.threshold for lv in levels]
    for i in range(1, len(thresholds)):
        if thresholds[i] <= thresholds[i - 1]:
            problems.append(
                Problem(
                    f"levels[{i}].threshold",
                    f"thresholds must ascend: expected more than {thresholds[i - 1]} "
                    f"(level {numbers[i - 1]}), found {thresholds[i]}",
                    "thresholds",
                )
            )
    if scale is not None and thresholds:
        low, high = scale.minimum, scale.maximum
        if thresholds[0] != low:
            problems.append(
                Problem(
                    "levels[0].threshold",
                    f"the first level must start at the scale minimum {low}, found {thresholds[0]}",
                    "thresholds",
                )
            )
        for i, t in enumerate(thresholds):
            if not low <= t <= high:
                problems.append(
                    Problem(
                        f"levels[{i}].threshold",
                        f"threshold outside the scale: expected {low}..{high}, found {t}",
                        "thresholds",
                    )
                )
    return problems


def _check_ids(q: Questionnaire) -> list[Problem]:
    problems: list[Problem] = []
    sections = {
        "components": _get(q, "components") or [],
        "principles": _get(q, "principles") or [],
        "demographics": _get(q, "demographics") or [],
    }
    for section, parts in sections.items():
        ids = [p.id for p in parts]
        for dup in sorted(_duplicates(ids)):
            problems.append(Problem(section, f"id {dup!r} is used more than once", "duplicate-id"))
    for d, demographic in enumerate(sections["demographics"]):
        for dup in sorted(_duplicates([o.id for o in demographic.options])):
            problems.append(
                Problem(
                    f"demographics[{d}].options", f"option {dup!r} appears twice", "duplicate-id"
                )
            )
    items = _get(q, "items") or []
    outcomes = _get(q, "outcomes") or []
    seen: dict[str, str] = {}
    for section, parts in (("items", items), ("outcomes", outcomes)):
        for i, part in enumerate(parts):
            path = f"{section}[{i}].id"
            if part.id in seen:
                problems.append(
                    Problem(
                        path, f"id {part.id!r} is already used by {seen[part.id]}", "duplicate-id"
                    )
                )
            else:
                seen[part.id] = path
            if part.id.lower() in RESERVED_COLUMNS:
                problems.append(
                    Problem(
                        path,
                        f"id {part.id!r} is a reserved column of the responses CSV; choose another",
                        "reserved-id",
                    )
                )
    dimension_ids = [c.id for c in sections["components"]] + [p.id for p in sections["principles"]]
    scoring = _get(q, "scoring")
    indices = scoring.indices if scoring is not None else []
    index_ids = [ix.id for ix in indices]
    for dup in sorted(_duplicates(index_ids)):
        problems.append(
            Problem("scoring.indices", f"index id {dup!r} appears twice", "duplicate-id")
        )
    for dup in sorted(_duplicates(dimension_ids + index_ids) - _duplicates(index_ids)):
        problems.append(
            Problem(
                "",
                f"dimension id {dup!r} is used by more than one component, principle or index",
                "duplicate-id",
            )
        )
    for i, ident in enumerate(index_ids):
        if ident in RESERVED_DIMENSIONS or ident in set(dimension_ids):
            problems.append(
                Problem(
                    f"scoring.indices[{i}].id", f"id {ident!r} is reserved or taken", "duplicate-id"
                )
            )
    return problems


def _check_items(q: Questionnaire) -> list[Problem]:
    problems: list[Problem] = []
    components = _get(q, "components")
    principles = _get(q, "principles")
    component_ids = [c.id for c in components] if components is not None else None
    principle_ids = [p.id for p in principles] if principles is not None else None
    items = _get(q, "items") or []
    for i, item in enumerate(items):
        problems += _unknown(f"items[{i}].component", "component", item.component, component_ids)
        for p, principle in enumerate(item.principles):
            problems += _unknown(
                f"items[{i}].principles[{p}]", "principle", principle, principle_ids
            )
        for dup in sorted(_duplicates(item.principles)):
            problems.append(
                Problem(f"items[{i}].principles", f"principle {dup!r} listed twice", "duplicate-id")
            )
        if item.weight == 0 and item.reverse:
            problems.append(
                Problem(
                    f"items[{i}]",
                    "item is reverse-keyed but has weight 0: a reverse-keyed item must count "
                    "(give it a weight > 0 or set reverse: false and remove it)",
                    "weight",
                )
            )
        elif item.weight == 0:
            problems.append(
                Problem(f"items[{i}].weight", "expected a weight > 0, found 0", "weight")
            )
    if not items:
        return problems
    for section, ids in (("components", component_ids), ("principles", principle_ids)):
        for d, ident in enumerate(ids or []):
            if section == "components":
                count = sum(1 for item in items if item.component == ident)
            else:
                count = sum(1 for item in items if ident in item.principles)
            if count < MIN_ITEMS_PER_DIMENSION:
                problems.append(
                    Problem(
                        f"{section}[{d}]",
                        f"{section[:-1]} {ident!r} has {count} item(s); at least "
                        f"{MIN_ITEMS_PER_DIMENSION} are needed for a reliable score",
                        "too-few-items",
                    )
                )
    return problems


def _check_descriptors_and_recommendations(q: Questionnaire) -> list[Problem]:
    problems: list[Problem] = []
    components = _get(q, "components")
    levels = _get(q, "levels")
    component_ids = [c.id for c in components] if components is not None else None
    level_numbers = [lv.level for lv in levels] if levels is not None else None
    descriptors = _get(q, "descriptors") or []
    seen: set[tuple[str, int]] = set()
    for i, descriptor in enumerate(descriptors):
        key = (descriptor.component, descriptor.level)
        problems += _unknown(
            f"descriptors[{i}].component", "component", descriptor.component, component_ids
        )
        problems += _unknown(f"descriptors[{i}].level", "level", descriptor.level, level_numbers)
        if key in seen:
            problems.append(
                Problem(
                    f"descriptors[{i}]",
                    f"second descriptor for {key[0]} level {key[1]}",
                    "duplicate-id",
                )
            )
        seen.add(key)
    if descriptors and component_ids and level_numbers:
        missing = [
            f"{c} level {lv}" for c in component_ids for lv in level_numbers if (c, lv) not in seen
        ]
        if missing:
            problems.append(
                Problem(
                    "descriptors",
                    f"every component needs a descriptor for every level; missing: "
                    f"{', '.join(missing)}",
                    "missing-descriptor",
                )
            )
    recommendations = _get(q, "recommendations") or []
    seen_transitions: set[tuple[str, int]] = set()
    for i, rec in enumerate(recommendations):
        problems += _unknown(
            f"recommendations[{i}].component", "component", rec.component, component_ids
        )
        if rec.to_level != rec.from_level + 1:
            problems.append(
                Problem(
                    f"recommendations[{i}].to_level",
                    f"a recommendation covers one step: expected {rec.from_level + 1}, "
                    f"found {rec.to_level}",
                    "levels",
                )
            )
        problems += _unknown(f"recommendations[{i}].to_level", "level", rec.to_level, level_numbers)
        key = (rec.component, rec.from_level)
        if key in seen_transitions:
            problems.append(
                Problem(
                    f"recommendations[{i}]",
                    f"second recommendation for {key[0]} from level {key[1]}; merge their actions",
                    "duplicate-id",
                )
            )
        seen_transitions.add(key)
    return problems


def _check_indices(q: Questionnaire) -> list[Problem]:
    problems: list[Problem] = []
    scoring = _get(q, "scoring")
    if scoring is None:
        return problems
    components = _get(q, "components")
    component_ids = [c.id for c in components] if components is not None else None
    items = _get(q, "items")
    item_ids = [i.id for i in items] if items is not None else None
    for i, index in enumerate(scoring.indices):
        if not index.components and not index.items:
            problems.append(
                Problem(
                    f"scoring.indices[{i}]",
                    "an index needs at least one component or item",
                    "empty-index",
                )
            )
        for c, ident in enumerate(index.components):
            problems += _unknown(
                f"scoring.indices[{i}].components[{c}]", "component", ident, component_ids
            )
        for c, ident in enumerate(index.items):
            if item_ids is not None and ident not in item_ids:
                problems.append(
                    Problem(
                        f"scoring.indices[{i}].items[{c}]",
                        f"unknown item {ident!r}: expected an id from items",
                        "unknown-reference",
                    )
                )
    return problems


_CARDINALITY = {
    # change: (previous ids allowed: min, max), needs an id of this version
    "same": (1, 1, True),
    "reworded": (1, 1, True),
    "new": (0, 0, True),
    "dropped": (1, 1, False),
    "split": (1, 1, True),
    "merged": (2, None, True),
}


@dataclass(frozen=True)
class _CrosswalkContext:
    """What the crosswalk rules look at; a part that failed validation is None."""

    q: Questionnaire
    crosswalk: Crosswalk
    version: str | None
    item_ids: list[str] | None
    qid: str | None
    #: The previous version, when a lookup was given and it knows that version.
    before: Questionnaire | None

    @property
    def previous_named(self) -> list[str]:
        """Every previous item the entries name, in file order (with repeats)."""
        return [ident for entry in self.crosswalk.items for ident in entry.previous]


def _crosswalk_previous_is_older(ctx: _CrosswalkContext) -> list[Problem]:
    older = ctx.crosswalk.previous
    if ctx.version is None or _version_tuple(older) < _version_tuple(ctx.version):
        return []
    return [
        Problem(
            "crosswalk.previous",
            f"the previous version must be older than {ctx.version}, found {older}",
            "crosswalk",
        )
    ]


def _entry_names_enough_previous(
    ctx: _CrosswalkContext, path: str, entry: CrosswalkEntry
) -> list[Problem]:
    low, high, _ = _CARDINALITY[entry.change]
    count = len(entry.previous)
    if low <= count and (high is None or count <= high):
        return []
    want = f"exactly {low}" if low == high else f"at least {low}"
    return [
        Problem(
            f"{path}.previous",
            f"a '{entry.change}' entry names {want} previous item(s), found {count}",
            "crosswalk",
        )
    ]


def _entry_has_id_when_needed(
    ctx: _CrosswalkContext, path: str, entry: CrosswalkEntry
) -> list[Problem]:
    needs_id = _CARDINALITY[entry.change][2]
    if needs_id and entry.id is None:
        return [
            Problem(
                f"{path}.id",
                f"a '{entry.change}' entry needs the id of the item in this version",
                "crosswalk",
            )
        ]
    if not needs_id and entry.id is not None:
        return [
            Problem(f"{path}.id", "a 'dropped' entry names no item of this version", "crosswalk")
        ]
    return []


def _entry_id_is_an_item(ctx: _CrosswalkContext, path: str, entry: CrosswalkEntry) -> list[Problem]:
    if entry.id is None or ctx.item_ids is None or entry.id in ctx.item_ids:
        return []
    return [
        Problem(
            f"{path}.id",
            f"unknown item {entry.id!r}: not among this version's items",
            "unknown-reference",
        )
    ]


#: Rules about one entry, run entry by entry (so their problems come in file order).
_ENTRY_RULES: tuple[Callable[[_CrosswalkContext, str, CrosswalkEntry], list[Problem]], ...] = (
    _entry_names_enough_previous,
    _entry_has_id_when_needed,
    _entry_id_is_an_item,
)


def _crosswalk_entries(ctx: _CrosswalkContext) -> list[Problem]:
    return [
        problem
        for e, entry in enumerate(ctx.crosswalk.items)
        for rule in _ENTRY_RULES
        for problem in rule(ctx, f"crosswalk.items[{e}]", entry)
    ]


def _crosswalk_splits_into_several(ctx: _CrosswalkContext) -> list[Problem]:
    sources = Counter(
        ident
        for entry in ctx.crosswalk.items
        if entry.change == "split"
        for ident in entry.previous
    )
    return [
        Problem(
            "crosswalk.items",
            f"item {source!r} is 'split' into only one item; use 'reworded' or split it "
            "into two or more",
            "crosswalk",
        )
        for source, count in sorted(sources.items())
        if count < 2
    ]


def _crosswalk_one_entry_per_item(ctx: _CrosswalkContext) -> list[Problem]:
    covered = Counter(entry.id for entry in ctx.crosswalk.items if entry.id is not None)
    return [
        Problem("crosswalk.items", f"item {ident!r} has {count} entries; expected one", "crosswalk")
        for ident, count in sorted(covered.items())
        if count > 1
    ]


def _crosswalk_covers_every_item(ctx: _CrosswalkContext) -> list[Problem]:
    if ctx.item_ids is None:
        return []
    covered = {entry.id for entry in ctx.crosswalk.items if entry.id is not None}
    missing = [i for i in ctx.item_ids if i not in covered]
    if not missing:
        return []
    return [
        Problem(
            "crosswalk.items",
            f"every item needs an entry (same, reworded, new, split or merged); missing: "
            f"{', '.join(missing)}",
            "crosswalk",
        )
    ]


def _crosswalk_previous_items_exist(ctx: _CrosswalkContext) -> list[Problem]:
    if ctx.before is None:
        return []
    before_ids = {i.id for i in ctx.before.items}
    return [
        Problem(
            "crosswalk.items",
            f"previous item {ident!r} is not an item of {ctx.qid}@{ctx.crosswalk.previous}",
            "unknown-reference",
        )
        for ident in sorted(set(ctx.previous_named) - before_ids)
    ]


def _crosswalk_accounts_for_previous_items(ctx: _CrosswalkContext) -> list[Problem]:
    if ctx.before is None:
        return []
    named = set(ctx.previous_named)
    unaccounted = [i.id for i in ctx.before.items if i.id not in named]
    if not unaccounted:
        return []
    return [
        Problem(
            "crosswalk.items",
            f"items of {ctx.crosswalk.previous} with no entry (mark them same, reworded, "
            f"dropped, split or merged): {', '.join(unaccounted)}",
            "crosswalk",
        )
    ]


def _crosswalk_texts_match_changes(ctx: _CrosswalkContext) -> list[Problem]:
    """'same' items keep their text, 'reworded' ones change it (checked where both items exist)."""
    before, item_ids = ctx.before, ctx.item_ids
    if before is None or item_ids is None:
        return []
    before_ids = {i.id for i in before.items}
    problems: list[Problem] = []
    for e, entry in enumerate(ctx.crosswalk.items):
        if entry.change not in ("same", "reworded") or entry.id is None or not entry.previous:
            continue
        if entry.id not in item_ids or entry.previous[0] not in before_ids:
            continue
        unchanged = ctx.q.item(entry.id).text == before.item(entry.previous[0]).text
        if entry.change == "same" and not unchanged:
            problems.append(
                Problem(
                    f"crosswalk.items[{e}]",
                    f"item {entry.id!r} is marked 'same' but its text differs from "
                    f"{ctx.crosswalk.previous}; mark it 'reworded'",
                    "crosswalk",
                )
            )
        if entry.change == "reworded" and unchanged:
            problems.append(
                Problem(
                    f"crosswalk.items[{e}]",
                    f"item {entry.id!r} is marked 'reworded' but its text is unchanged; "
                    "mark it 'same'",
                    "crosswalk",
                )
            )
    return problems


#: The crosswalk's rules, in the order their problems are reported.
_CROSSWALK_RULES: tuple[Callable[[_CrosswalkContext], list[Problem]], ...] = (
    _crosswalk_previous_is_older,
    _crosswalk_entries,
    _crosswalk_splits_into_several,
    _crosswalk_one_entry_per_item,
    _crosswalk_covers_every_item,
    _crosswalk_previous_items_exist,
    _crosswalk_accounts_for_previous_items,
    _crosswalk_texts_match_changes,
)


def _check_crosswalk(q: Questionnaire, previous: PreviousLookup | None) -> list[Problem]:
    crosswalk: Crosswalk | None = _get(q, "crosswalk")
    if crosswalk is None:
        return []
    items = _get(q, "items")
    qid = _get(q, "id")
    ctx = _CrosswalkContext(
        q=q,
        crosswalk=crosswalk,
        version=_get(q, "version"),
        item_ids=[i.id for i in items] if items is not None else None,
        qid=qid,
        before=previous(qid, crosswalk.previous) if previous is not None and qid else None,
    )
    return [problem for rule in _CROSSWALK_RULES for problem in rule(ctx)]


def _check_file_name(q: Questionnaire, file_path: Path | None) -> list[Problem]:
    if file_path is None:
        return []
    problems: list[Problem] = []
    version = _get(q, "version")
    qid = _get(q, "id")
    if (
        version is not None
        and file_path.stem != version
        and file_path.parent.parent.name == "questionnaires"
    ):
        problems.append(
            Problem(
                "version",
                f"the file is named {file_path.name} but declares version {version}; "
                f"name it {version}.yaml",
                "file-name",
            )
        )
    if (
        qid is not None
        and file_path.parent.parent.name == "questionnaires"
        and file_path.parent.name != qid
    ):
        problems.append(
            Problem(
                "id",
                f"the file lies in folder {file_path.parent.name!r} but declares id {qid!r}",
                "file-name",
            )
        )
    return problems


def check_semantics(
    q: Questionnaire, *, file_path: Path | None = None, previous: PreviousLookup | None = None
) -> list[Problem]:
    """Every cross-part problem of a (possibly partial) questionnaire, in file order of the checks."""
    return [
        *_check_file_name(q, file_path),
        *_check_languages(q),
        *_check_scale_and_levels(q),
        *_check_ids(q),
        *_check_items(q),
        *_check_descriptors_and_recommendations(q),
        *_check_indices(q),
        *_check_crosswalk(q, previous),
    ]
