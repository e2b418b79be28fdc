"""From a questionnaire to the scoring spec: dimensions, levels, settings, and the items two versions share."""

from __future__ import annotations

import numpy as np
import pytest
from support import ROOT

from assessment.analysis.spec import column_ids, common_item_spec, scoring_spec
from assessment.questionnaire import default_registry, load_questionnaire
from assessment.questionnaire.model import Index, Questionnaire
from assessment.responses.wide_csv import read_responses_csv

REGISTRY = default_registry()
V1 = REGISTRY.get("work-management@1.0.0")
V11 = REGISTRY.get("work-management@1.1.0")
MINIMAL = ROOT / "tests" / "questionnaire" / "minimal.yaml"


def ids_of(spec_items: tuple[int, ...], q: Questionnaire) -> list[str]:
    columns = column_ids(q)
    return [columns[j] for j in spec_items]


def test_columns_are_items_then_outcomes() -> None:
    spec = scoring_spec(V1)
    assert spec.item_ids == (*(i.id for i in V1.items), "OUT01", "OUT02", "OUT03")
    assert spec.n_items == 38
    assert (spec.scale_min, spec.scale_max) == (1, 5)


@pytest.mark.parametrize(
    ("dimension", "kind", "expected"),
    [
        ("clarity", "component", [f"CLA0{k}" for k in range(1, 8)]),
        ("workflow-architecture", "component", [f"WFA0{k}" for k in range(1, 8)]),
        ("overall", "overall", [i.id for i in V1.items]),
        (
            "ai-readiness",
            "index",
            [
                i.id
                for i in V1.items
                if i.component in ("clarity", "coordination", "workflow-architecture")
            ],
        ),
        ("outcome", "outcome", ["OUT01", "OUT02", "OUT03"]),
        (
            "flow-over-friction",
            "principle",
            [i.id for i in V1.items if "flow-over-friction" in i.principles],
        ),
    ],
    ids=["component", "last-component", "overall", "index", "outcome", "principle"],
)
def test_dimension_items(dimension: str, kind: str, expected: list[str]) -> None:
    spec = scoring_spec(V1)
    found = spec.dimension(dimension)
    assert found.type == kind
    assert ids_of(found.items, V1) == expected


def test_dimension_order_and_counts() -> None:
    spec = scoring_spec(V1)
    kinds = [d.type for d in spec.dimensions]
    assert kinds == ["component"] * 5 + ["principle"] * 7 + ["overall", "index", "outcome"]
    # Outcomes count only in the outcome dimension.
    outcome_positions = set(spec.dimension("outcome").items)
    assert all(not outcome_positions & set(d.items) for d in spec.dimensions if d.type != "outcome")


def test_reverse_flags_weights_and_levels() -> None:
    spec = scoring_spec(V1)
    reversed_ids = {item for item, flag in zip(spec.item_ids, spec.reverse, strict=True) if flag}
    assert reversed_ids == {i.id for i in V1.items if i.reverse}
    assert spec.weights == (1.0,) * 38
    assert spec.level_thresholds == (1.0, 1.8, 2.6, 3.4, 4.2)
    assert spec.level_names == ("Ad hoc", "Emerging", "Defined", "Managed", "Optimizing")
    assert scoring_spec(V1, language="de").level_names[1] == "Im Aufbau"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, (0.95, 5, 0.5)),
        ({"confidence": 0.9}, (0.9, 5, 0.5)),
        ({"min_group_size": 3, "min_item_coverage": 0.75}, (0.95, 3, 0.75)),
    ],
    ids=["questionnaire-defaults", "confidence", "group-size-and-coverage"],
)
def test_settings(overrides: dict[str, float], expected: tuple[float, int, float]) -> None:
    spec = scoring_spec(V1, **overrides)  # type: ignore[arg-type]
    assert (spec.confidence, spec.min_group_size, spec.min_item_coverage) == expected


def test_index_with_extra_items() -> None:
    rules = V1.scoring.model_copy(
        update={
            "indices": [
                Index(
                    id="flow",
                    name={"en": "Flow", "de": "Fluss"},
                    components=["completion"],
                    items=["CLA01"],
                )
            ]
        }
    )
    q = V1.model_copy(update={"scoring": rules})
    spec = scoring_spec(q)
    assert ids_of(spec.dimension("flow").items, q) == ["CLA01"] + [f"COM0{k}" for k in range(1, 8)]


def test_questionnaire_without_outcomes_has_no_outcome_dimension() -> None:
    q = V1.model_copy(update={"outcomes": []})
    spec = scoring_spec(q)
    assert "outcome" not in spec.dimension_ids and spec.n_items == 35


def test_common_items_of_two_versions() -> None:
    common = common_item_spec(V11, V1)
    dropped_or_new = {"CLA08", "COO08", "WFA08", "WFA09", "COL04"}
    expected = [i for i in column_ids(V11) if i not in dropped_or_new]
    assert list(common.spec.item_ids) == expected
    assert common.new_ids == common.old_ids == tuple(expected)
    assert common.only_new == ("CLA08", "COO08", "WFA08", "WFA09")
    assert common.only_old == ("COL04",)
    assert "37 items in common" in common.overlap
    # Every dimension keeps only shared items; collaboration lost COL04 in 1.1.0 anyway.
    assert len(common.spec.dimension("clarity").items) == 7
    assert len(common.spec.dimension("collaboration").items) == 6


def test_common_items_line_up_both_waves() -> None:
    common = common_item_spec(V11, V1)
    wave1 = read_responses_csv(ROOT / "data" / "demo" / "wave1.csv", V1)
    wave2 = read_responses_csv(ROOT / "data" / "demo" / "wave2.csv", V11)
    old, new = common.codes(wave1), common.codes(wave2)
    assert old.shape == (wave1.n_respondents, common.spec.n_items)
    assert new.shape == (wave2.n_respondents, common.spec.n_items)
    column = list(common.spec.item_ids).index("COL05")
    np.testing.assert_array_equal(old[:, column], wave1.item_codes(["COL05"])[:, 0])
    np.testing.assert_array_equal(new[:, column], wave2.item_codes(["COL05"])[:, 0])


def test_same_version_shares_everything() -> None:
    common = common_item_spec(V1, V1)
    assert common.spec.item_ids == column_ids(V1)
    assert common.only_new == common.only_old == ()


def test_unrelated_questionnaires_share_nothing() -> None:
    with pytest.raises(ValueError, match="share no items"):
        common_item_spec(load_questionnaire(MINIMAL), V1)
