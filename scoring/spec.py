"""The scoring specification: items, scale, dimensions, levels and privacy settings.

The assessment layer builds a `ScoringSpec` from a questionnaire; scoring never reads YAML itself.
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

DimensionType = Literal["component", "principle", "overall", "index", "outcome"]
DIMENSION_TYPES: tuple[str, ...] = get_args(DimensionType)

#: Answers arrive as int8 codes, so a scale value must fit into 0..127.
MAX_SCALE_VALUE = 127


@dataclass(frozen=True)
class Dimension:
    """A scored dimension: a component, principle, the overall score, a derived index or an outcome.

    Attributes
    ----------
    type : one of ``component``, ``principle``, ``overall``, ``index``, ``outcome``
    id : the dimension's id (``clarity``, ``flow-over-friction``, ``ai-readiness`` ...)
    items : the column positions of its items in the answer matrix (unique, in any order)
    """

    type: DimensionType
    id: str
    items: tuple[int, ...]

    def __post_init__(self) -> None:
        if self.type not in DIMENSION_TYPES:
            raise ValueError(
                f"dimension type must be one of {', '.join(DIMENSION_TYPES)}; got {self.type!r}"
            )
        if not isinstance(self.id, str) or not self.id.strip():
            raise ValueError(f"dimension id must be a non-empty string; got {self.id!r}")
        items = tuple(self.items)
        if not items:
            raise ValueError(f"dimension {self.id!r} has no items; give it at least one item")
        for position in items:
            if (
                isinstance(position, bool)
                or not isinstance(position, numbers.Integral)
                or position < 0
            ):
                raise ValueError(
                    f"dimension {self.id!r}: item positions must be integers >= 0 (columns of "
                    f"the answer matrix); got {position!r}"
                )
        if len(set(items)) != len(items):
            raise ValueError(f"dimension {self.id!r} lists an item more than once: {items}")
        object.__setattr__(self, "items", tuple(int(p) for p in items))


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


@dataclass(frozen=True)
class ScoringSpec:
    """Everything the scoring engine needs to know about a questionnaire.

    Attributes
    ----------
    item_ids : the id of each column of the answer matrix, in column order
    scale_min, scale_max : lowest (L) and highest (H) answer value; options are L, L+1, ..., H
    reverse : per item, whether it is reverse-keyed (scored as L + H - x)
    weights : per item, its weight (> 0) in every dimension it belongs to
    dimensions : the dimensions, in report order; ids are unique across all dimensions
    level_thresholds : lower threshold of levels 1..K on the scale, strictly ascending, the first
        equal to ``scale_min``
    level_names : the name of each level 1..K
    min_item_coverage : share of a dimension's items a respondent must answer to get a score
    min_group_size : groups with fewer respondents are suppressed (docs/formats.md "Privacy rules")
    confidence : confidence level of every interval
    """

    item_ids: tuple[str, ...]
    scale_min: int
    scale_max: int
    reverse: tuple[bool, ...]
    weights: tuple[float, ...]
    dimensions: tuple[Dimension, ...]
    level_thresholds: tuple[float, ...]
    level_names: tuple[str, ...]
    min_item_coverage: float = 0.5
    min_group_size: int = 5
    confidence: float = 0.95

    def __post_init__(self) -> None:
        for name in ("item_ids", "reverse", "weights", "dimensions", "level_thresholds"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "level_names", tuple(self.level_names))
        self._check_items()
        self._check_scale()
        self._check_dimensions()
        self._check_levels()
        self._check_settings()

    def _check_items(self) -> None:
        n_items = len(self.item_ids)
        if n_items == 0:
            raise ValueError("a scoring spec needs at least one item; item_ids is empty")
        for item in self.item_ids:
            if not isinstance(item, str) or not item:
                raise ValueError(f"item ids must be non-empty strings; got {item!r}")
        duplicates = sorted({i for i in self.item_ids if self.item_ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"item ids must be unique; repeated: {', '.join(duplicates)}")
        if len(self.reverse) != n_items:
            raise ValueError(
                f"reverse needs one flag per item ({n_items}); got {len(self.reverse)}"
            )
        if any(not isinstance(flag, bool | np.bool_) for flag in self.reverse):
            raise ValueError(f"reverse flags must be True or False; got {self.reverse}")
        object.__setattr__(self, "reverse", tuple(bool(flag) for flag in self.reverse))
        if len(self.weights) != n_items:
            raise ValueError(
                f"weights needs one value per item ({n_items}); got {len(self.weights)}"
            )
        for item, weight in zip(self.item_ids, self.weights, strict=True):
            if not _is_number(weight) or not math.isfinite(weight) or weight <= 0:
                raise ValueError(
                    f"item {item!r}: weight must be a finite number > 0; got {weight!r}"
                )
        object.__setattr__(self, "weights", tuple(float(w) for w in self.weights))

    def _check_scale(self) -> None:
        for name in ("scale_min", "scale_max"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise ValueError(f"{name} must be an integer; got {value!r}")
            object.__setattr__(self, name, int(value))
        if not 0 <= self.scale_min < self.scale_max <= MAX_SCALE_VALUE:
            raise ValueError(
                f"the scale must satisfy 0 <= scale_min < scale_max <= {MAX_SCALE_VALUE} "
                f"(negative codes are reserved for skipped, DK and NA); got "
                f"scale_min={self.scale_min}, scale_max={self.scale_max}"
            )

    def _check_dimensions(self) -> None:
        if not self.dimensions:
            raise ValueError("a scoring spec needs at least one dimension")
        n_items = len(self.item_ids)
        seen: set[str] = set()
        for dimension in self.dimensions:
            if not isinstance(dimension, Dimension):
                raise ValueError(f"dimensions must be Dimension objects; got {dimension!r}")
            if dimension.id in seen:
                raise ValueError(
                    f"dimension ids must be unique across all dimension types; {dimension.id!r} "
                    "appears twice (rename one of them)"
                )
            seen.add(dimension.id)
            bad = [p for p in dimension.items if p >= n_items]
            if bad:
                raise ValueError(
                    f"dimension {dimension.id!r} refers to item positions {bad}, but the answer "
                    f"matrix has only {n_items} columns (0..{n_items - 1})"
                )

    def _check_levels(self) -> None:
        thresholds = self.level_thresholds
        if not thresholds:
            raise ValueError("at least one level threshold is needed (level 1 = scale minimum)")
        if len(self.level_names) != len(thresholds):
            raise ValueError(
                f"one level name per threshold is needed; got {len(self.level_names)} names "
                f"for {len(thresholds)} thresholds"
            )
        for value in thresholds:
            if not _is_number(value) or not math.isfinite(value):
                raise ValueError(f"level thresholds must be finite numbers; got {value!r}")
        thresholds = tuple(float(t) for t in thresholds)
        object.__setattr__(self, "level_thresholds", thresholds)
        if any(b <= a for a, b in itertools.pairwise(thresholds)):
            raise ValueError(f"level thresholds must be strictly ascending; got {thresholds}")
        if thresholds[0] != self.scale_min:
            raise ValueError(
                f"the threshold of level 1 must equal the scale minimum {self.scale_min}; "
                f"got {thresholds[0]}"
            )
        if thresholds[-1] > self.scale_max:
            raise ValueError(
                f"level thresholds must lie on the scale {self.scale_min}..{self.scale_max}; "
                f"got {thresholds[-1]}"
            )
        for name in self.level_names:
            if not isinstance(name, str) or not name:
                raise ValueError(f"level names must be non-empty strings; got {name!r}")

    def _check_settings(self) -> None:
        coverage = self.min_item_coverage
        if not _is_number(coverage) or not 0 < coverage <= 1:
            raise ValueError(f"min_item_coverage must lie in (0, 1]; got {coverage!r}")
        size = self.min_group_size
        if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
            raise ValueError(f"min_group_size must be an integer >= 1; got {size!r}")
        object.__setattr__(self, "min_group_size", int(size))
        object.__setattr__(self, "min_item_coverage", float(coverage))
        confidence = self.confidence
        if not _is_number(confidence) or not 0 < confidence < 1:
            raise ValueError(f"confidence must lie strictly between 0 and 1; got {confidence!r}")
        object.__setattr__(self, "confidence", float(confidence))

    @property
    def n_items(self) -> int:
        """Number of items (columns of the answer matrix)."""
        return len(self.item_ids)

    @property
    def n_options(self) -> int:
        """Number of answer options A = H - L + 1."""
        return self.scale_max - self.scale_min + 1

    @property
    def n_levels(self) -> int:
        """Number of maturity levels K."""
        return len(self.level_thresholds)

    @property
    def dimension_ids(self) -> tuple[str, ...]:
        """The dimension ids in report order."""
        return tuple(d.id for d in self.dimensions)

    def dimension(self, dimension_id: str) -> Dimension:
        """The dimension with this id."""
        for dimension in self.dimensions:
            if dimension.id == dimension_id:
                return dimension
        raise ValueError(
            f"unknown dimension {dimension_id!r}; known: {', '.join(self.dimension_ids)}"
        )

    def item_positions(self, item_ids: Iterable[str]) -> tuple[int, ...]:
        """Column positions of the given item ids (in the order given)."""
        index = {item: j for j, item in enumerate(self.item_ids)}
        wanted = list(item_ids)
        unknown = [i for i in wanted if i not in index]
        if unknown:
            raise ValueError(f"unknown item ids: {', '.join(map(str, unknown))}")
        return tuple(index[i] for i in wanted)

    def restricted_to(self, item_ids: Iterable[str]) -> ScoringSpec:
        """The spec on a subset of items (e.g. the items two questionnaire versions share).

        Items keep this spec's order; dimensions lose the dropped items and disappear when none
        is left. Select the answer columns with ``codes[:, spec.item_positions(new.item_ids)]``.
        """
        keep_set = set(item_ids)
        unknown = sorted(keep_set - set(self.item_ids))
        if unknown:
            raise ValueError(f"cannot restrict to unknown item ids: {', '.join(unknown)}")
        kept = [j for j, item in enumerate(self.item_ids) if item in keep_set]
        if not kept:
            raise ValueError("cannot restrict a scoring spec to an empty set of items")
        new_position = {old: new for new, old in enumerate(kept)}
        dimensions = tuple(
            Dimension(d.type, d.id, tuple(new_position[p] for p in d.items if p in new_position))
            for d in self.dimensions
            if any(p in new_position for p in d.items)
        )
        if not dimensions:
            raise ValueError("no dimension keeps any of the given items")
        return ScoringSpec(
            item_ids=tuple(self.item_ids[j] for j in kept),
            scale_min=self.scale_min,
            scale_max=self.scale_max,
            reverse=tuple(self.reverse[j] for j in kept),
            weights=tuple(self.weights[j] for j in kept),
            dimensions=dimensions,
            level_thresholds=self.level_thresholds,
            level_names=self.level_names,
            min_item_coverage=self.min_item_coverage,
            min_group_size=self.min_group_size,
            confidence=self.confidence,
        )
