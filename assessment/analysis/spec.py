"""From a questionnaire to the pure `ScoringSpec`: dimensions, levels and the scoring settings.

Also the spec of the items two versions share (same or reworded per the crosswalk), for comparing
waves, and the dimensions' names and display order (the dashboard, the report and the waves use them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from assessment import i18n
from assessment.questionnaire.flywheel import flywheel
from assessment.questionnaire.model import Questionnaire
from assessment.responses.wide_csv import ResponseTable
from scoring.spec import Dimension, ScoringSpec

OVERALL = "overall"
OUTCOME = "outcome"

#: Dimensions the questionnaire does not name itself: their names are the catalogues'
#: ``common.dimension.<id>`` (English for a language without a catalogue).
BUILT_IN_DIMENSIONS = (OVERALL, OUTCOME)


def dimension_names(questionnaire: Questionnaire, language: str | None = None) -> dict[str, str]:
    """Dimension id -> name in ``language``: components, principles, indices, overall, outcomes."""
    lang = language or questionnaire.default_language
    names = {c.id: questionnaire.text(c.name, lang) for c in questionnaire.components}
    names.update({p.id: questionnaire.text(p.name, lang) for p in questionnaire.principles})
    names.update({i.id: questionnaire.text(i.name, lang) for i in questionnaire.scoring.indices})
    for dimension in BUILT_IN_DIMENSIONS:
        names[dimension] = i18n.text(f"common.dimension.{dimension}", lang)
    return names


def dimension_order(questionnaire: Questionnaire) -> list[str]:
    """Dimension ids in display order: the components (the flywheel Clarity → Coordination →
    Completion first), the principles, overall, the indices, outcomes."""
    components = [c.id for c in questionnaire.components]
    cycle = list(flywheel(questionnaire).cycle)
    rest = [c for c in components if c not in cycle]
    return [
        *cycle,
        *rest,
        *(p.id for p in questionnaire.principles),
        OVERALL,
        *(i.id for i in questionnaire.scoring.indices),
        OUTCOME,
    ]


def column_ids(questionnaire: Questionnaire) -> tuple[str, ...]:
    """The answer columns of a questionnaire: its items, then its outcomes (as in `ResponseTable`)."""
    return tuple(i.id for i in questionnaire.items) + tuple(o.id for o in questionnaire.outcomes)


def scoring_spec(
    questionnaire: Questionnaire,
    *,
    confidence: float | None = None,
    min_group_size: int | None = None,
    min_item_coverage: float | None = None,
    language: str | None = None,
) -> ScoringSpec:
    """The scoring spec of a questionnaire, with its ``scoring`` settings unless overridden.

    Parameters
    ----------
    questionnaire : the questionnaire
    confidence, min_group_size, min_item_coverage : override the questionnaire's settings
    language : language of the level names (default: the questionnaire's default language)

    Returns
    -------
    ScoringSpec
        Columns: items then outcomes. Dimensions, in report order: every component, every
        principle, ``overall`` (all scored items), each index of ``scoring.indices`` (its
        components' items plus its extra items), and ``outcome`` (all outcome statements
        together, when there are any). Outcomes count in no other dimension.
    """
    rules = questionnaire.scoring
    ids = column_ids(questionnaire)
    position = {item_id: j for j, item_id in enumerate(ids)}
    items = questionnaire.items
    dimensions: list[Dimension] = []
    for component in questionnaire.components:
        members = tuple(position[i.id] for i in items if i.component == component.id)
        dimensions.append(Dimension("component", component.id, members))
    for principle in questionnaire.principles:
        members = tuple(position[i.id] for i in items if principle.id in i.principles)
        dimensions.append(Dimension("principle", principle.id, members))
    dimensions.append(Dimension("overall", OVERALL, tuple(position[i.id] for i in items)))
    for index in rules.indices:
        wanted = set(index.items) | {i.id for i in items if i.component in index.components}
        members = tuple(position[i] for i in ids if i in wanted)
        dimensions.append(Dimension("index", index.id, members))
    if questionnaire.outcomes:
        members = tuple(position[o.id] for o in questionnaire.outcomes)
        dimensions.append(Dimension("outcome", OUTCOME, members))
    return ScoringSpec(
        item_ids=ids,
        scale_min=questionnaire.scale.minimum,
        scale_max=questionnaire.scale.maximum,
        reverse=tuple(i.reverse for i in items) + tuple(o.reverse for o in questionnaire.outcomes),
        weights=tuple(float(i.weight) for i in items) + (1.0,) * len(questionnaire.outcomes),
        dimensions=tuple(dimensions),
        level_thresholds=tuple(level.threshold for level in questionnaire.levels),
        level_names=tuple(
            questionnaire.level_name(level.level, language) for level in questionnaire.levels
        ),
        min_item_coverage=rules.min_item_coverage
        if min_item_coverage is None
        else min_item_coverage,
        min_group_size=rules.min_group_size if min_group_size is None else min_group_size,
        confidence=rules.confidence if confidence is None else confidence,
    )


@dataclass(frozen=True)
class CommonItemSpec:
    """The items two versions share, and how to line up each version's answers with them.

    Attributes
    ----------
    spec : the newer version's spec restricted to the shared items (ids of the newer version)
    new_key, old_key : the two questionnaires (``id@version``)
    new_ids, old_ids : the shared items under their id in each version, aligned with ``spec.item_ids``
    only_new : items of the newer version that are not compared (new, split, merged ...)
    only_old : items of the older version that are not compared (dropped, ...)
    reworded : shared items (newer ids) whose wording changed between the versions
    """

    spec: ScoringSpec
    new_key: str
    old_key: str
    new_ids: tuple[str, ...]
    old_ids: tuple[str, ...]
    only_new: tuple[str, ...]
    only_old: tuple[str, ...]
    reworded: tuple[str, ...] = ()

    @property
    def overlap(self) -> str:
        """A one-line description of the overlap, to show next to a comparison."""
        return (
            f"{len(self.new_ids)} items in common between {self.old_key} and {self.new_key}; "
            f"not compared: {len(self.only_new)} of {self.new_key}"
            + (f" ({', '.join(self.only_new)})" if self.only_new else "")
            + f", {len(self.only_old)} of {self.old_key}"
            + (f" ({', '.join(self.only_old)})" if self.only_old else "")
        )

    def codes(self, table: ResponseTable) -> npt.NDArray[np.int8]:
        """A table's answers to the shared items, in the column order of ``spec``."""
        if table.questionnaire == self.new_key:
            return table.item_codes(self.new_ids)
        if table.questionnaire == self.old_key:
            return table.item_codes(self.old_ids)
        raise ValueError(
            f"the table answers {table.questionnaire}; expected {self.new_key} or {self.old_key}"
        )


def common_item_spec(
    new: Questionnaire,
    old: Questionnaire,
    *,
    confidence: float | None = None,
    min_group_size: int | None = None,
    min_item_coverage: float | None = None,
    language: str | None = None,
    include_reworded: bool = True,
) -> CommonItemSpec:
    """The spec for comparing two versions of a questionnaire on the items they share.

    Items are shared when the newer version's crosswalk marks them ``same`` or ``reworded``
    (from the older version; only ``same`` with ``include_reworded=False``, the check of whether
    a change is due to the new wording); outcomes are shared when both versions have the outcome
    id with the same text. Two identical versions share everything. Settings come from the newer
    version unless overridden.

    Raises
    ------
    ValueError
        When the two questionnaires share no item (different ids, or no crosswalk between them).
    """
    spec = scoring_spec(
        new,
        confidence=confidence,
        min_group_size=min_group_size,
        min_item_coverage=min_item_coverage,
        language=language,
    )
    reworded = new.reworded_items(old)
    shared = dict(new.common_items(old))
    if not include_reworded:
        shared = {k: v for k, v in shared.items() if k not in reworded}
    old_outcomes = {o.id: o for o in old.outcomes}
    for outcome in new.outcomes:
        previous = old_outcomes.get(outcome.id)
        if previous is not None and previous.text == outcome.text:
            shared[outcome.id] = outcome.id
    old_ids_all = set(column_ids(old))
    shared = {k: v for k, v in shared.items() if v in old_ids_all}
    if not shared:
        raise ValueError(
            f"{new.key} and {old.key} share no items: expected {new.key} to have a crosswalk from "
            f"{old.version} marking items 'same' or 'reworded'"
        )
    restricted = spec.restricted_to(shared)
    new_ids = restricted.item_ids
    old_ids = tuple(shared[i] for i in new_ids)
    return CommonItemSpec(
        spec=restricted,
        new_key=new.key,
        old_key=old.key,
        new_ids=new_ids,
        old_ids=old_ids,
        only_new=tuple(i for i in column_ids(new) if i not in shared),
        only_old=tuple(i for i in column_ids(old) if i not in set(old_ids)),
        reworded=tuple(i for i in new_ids if i in reworded),
    )
