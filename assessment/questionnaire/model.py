"""Typed model of a questionnaire file (schema_version 1), as pydantic models.

The model checks the shape of each part; rules that relate parts to each other live in `semantics.py`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

SCHEMA_VERSION = 1

SemVer = Annotated[
    str,
    StringConstraints(pattern=r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$"),
    Field(description="semantic version MAJOR.MINOR.PATCH, e.g. 1.0.0"),
]
Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"),
    Field(description="lowercase letters, digits and single hyphens, e.g. workflow-architecture"),
]
ItemId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=40),
    Field(description="a letter, then letters, digits or '_' (used as a CSV column name)"),
]
LanguageCode = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$"),
    Field(description="an ISO 639 language code such as en, de or pt-BR"),
]
NonEmptyText = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
LocalizedText = Annotated[
    dict[LanguageCode, NonEmptyText],
    Field(description="one non-empty text per declared language, e.g. {en: ..., de: ...}"),
]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScaleOption(_Part):
    value: int = Field(ge=0, le=100, description="the number this answer scores as")
    label: LocalizedText


class SpecialCode(_Part):
    code: Literal["DK", "NA"] = Field(description="DK = don't know, NA = not applicable")
    label: LocalizedText


class Scale(_Part):
    options: list[ScaleOption] = Field(min_length=3)
    special: list[SpecialCode] = Field(default_factory=list)

    @property
    def values(self) -> list[int]:
        return [o.value for o in self.options]

    @property
    def minimum(self) -> int:
        return min(self.values)

    @property
    def maximum(self) -> int:
        return max(self.values)


class Level(_Part):
    level: int = Field(ge=1, le=10)
    name: LocalizedText
    threshold: float = Field(description="lowest mean score on the scale that reaches this level")
    summary: LocalizedText | None = None


class Component(_Part):
    id: Slug
    name: LocalizedText
    description: LocalizedText


class Principle(_Part):
    id: Slug
    name: LocalizedText
    description: LocalizedText


class Item(_Part):
    id: ItemId
    component: Slug
    principles: list[Slug] = Field(min_length=1)
    text: LocalizedText
    reverse: bool = False
    weight: float = Field(default=1.0, ge=0)


class Outcome(_Part):
    id: ItemId
    text: LocalizedText
    reverse: bool = False


class DemographicOption(_Part):
    id: Slug
    label: LocalizedText


class Demographic(_Part):
    id: Slug
    question: LocalizedText
    options: list[DemographicOption] = Field(min_length=2)


class Descriptor(_Part):
    component: Slug
    level: int = Field(ge=1)
    text: LocalizedText


class Recommendation(_Part):
    component: Slug
    from_level: int = Field(ge=1)
    to_level: int = Field(ge=2)
    actions: list[LocalizedText] = Field(min_length=1)


class Index(_Part):
    id: Slug
    name: LocalizedText
    description: LocalizedText | None = None
    components: list[Slug] = Field(default_factory=list)
    items: list[ItemId] = Field(default_factory=list)


class ScoringRules(_Part):
    min_item_coverage: float = Field(default=0.5, gt=0, le=1)
    min_group_size: int = Field(default=5, ge=1)
    confidence: float = Field(default=0.95, gt=0, lt=1)
    level_rule: Literal["highest-threshold"] = "highest-threshold"
    indices: list[Index] = Field(default_factory=list)


ChangeKind = Literal["same", "reworded", "new", "dropped", "split", "merged"]


class CrosswalkEntry(_Part):
    id: ItemId | None = Field(
        default=None, description="the item in this version (none for dropped)"
    )
    change: ChangeKind
    previous: list[ItemId] = Field(default_factory=list)


class Crosswalk(_Part):
    previous: SemVer
    items: list[CrosswalkEntry] = Field(min_length=1)


class Questionnaire(_Part):
    """A whole questionnaire version. Build it through the loader, which also checks semantics."""

    schema_version: Literal[1]
    id: Slug
    version: SemVer
    title: LocalizedText
    description: LocalizedText
    languages: list[LanguageCode] = Field(min_length=1)
    default_language: LanguageCode
    scale: Scale
    levels: list[Level] = Field(min_length=2)
    components: list[Component] = Field(min_length=1)
    principles: list[Principle] = Field(min_length=1)
    items: list[Item] = Field(min_length=3)
    outcomes: list[Outcome] = Field(default_factory=list)
    demographics: list[Demographic] = Field(default_factory=list)
    descriptors: list[Descriptor] = Field(default_factory=list)
    recommendations: list[Recommendation] = Field(default_factory=list)
    scoring: ScoringRules = Field(default_factory=ScoringRules)
    crosswalk: Crosswalk | None = None

    @property
    def key(self) -> str:
        """``id@version``, the name used in commands, files and the database."""
        return f"{self.id}@{self.version}"

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def items_of_component(self, component_id: str) -> list[Item]:
        return [i for i in self.items if i.component == component_id]

    def items_of_principle(self, principle_id: str) -> list[Item]:
        return [i for i in self.items if principle_id in i.principles]

    def level_name(self, level: int, language: str | None = None) -> str:
        lang = language or self.default_language
        for lv in self.levels:
            if lv.level == level:
                return lv.name.get(lang) or lv.name[self.default_language]
        raise KeyError(level)

    def text(self, text: dict[str, str], language: str | None = None) -> str:
        """A localized text in ``language``, falling back to the default language."""
        return text.get(language or self.default_language) or text[self.default_language]

    def common_items(self, previous: Questionnaire) -> dict[str, str]:
        """Items this version shares with ``previous`` (same or reworded): this id -> previous id."""
        if self.id != previous.id:
            return {}
        if self.crosswalk is None or self.crosswalk.previous != previous.version:
            if self.version == previous.version:
                return {i.id: i.id for i in self.items}
            return {}
        return {
            e.id: e.previous[0]
            for e in self.crosswalk.items
            if e.change in ("same", "reworded") and e.id is not None and e.previous
        }

    def reworded_items(self, previous: Questionnaire) -> frozenset[str]:
        """Ids of this version's items the crosswalk from ``previous`` marks ``reworded``."""
        if self.id != previous.id or self.crosswalk is None:
            return frozenset()
        if self.crosswalk.previous != previous.version:
            return frozenset()
        return frozenset(
            e.id for e in self.crosswalk.items if e.change == "reworded" and e.id is not None
        )
