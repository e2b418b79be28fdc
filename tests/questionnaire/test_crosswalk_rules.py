"""Each crosswalk rule of `assessment.questionnaire.semantics`, alone and together: which problems a
crosswalk of minimal.yaml 1.0.0 → 1.1.0 gets, and in which order (rules in turn, entries in file order)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from assessment.questionnaire import Questionnaire
from assessment.questionnaire.loader import validate_data

MINIMAL = yaml.safe_load(Path(__file__).with_name("minimal.yaml").read_text("utf-8"))
ITEM_IDS = [item["id"] for item in MINIMAL["items"]]


def _before() -> Questionnaire:
    report = validate_data(copy.deepcopy(MINIMAL))
    assert report.questionnaire is not None, report.problems
    return report.questionnaire


BEFORE = _before()


def _lookup(qid: str, version: str) -> Questionnaire | None:
    return BEFORE if (qid, version) == ("mini", "1.0.0") else None


def _next_version() -> dict[str, Any]:
    data = copy.deepcopy(MINIMAL)
    data["version"] = "1.1.0"
    data["crosswalk"] = {
        "previous": "1.0.0",
        "items": [{"id": i, "change": "same", "previous": [i]} for i in ITEM_IDS],
    }
    return data


def _entry(index: int, **fields: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        entry = data["crosswalk"]["items"][index]
        for name, value in fields.items():
            if value is None:
                entry.pop(name, None)
            else:
                entry[name] = value

    return mutate


def _drop_entry(index: int) -> Callable[[dict[str, Any]], None]:
    return lambda data: data["crosswalk"]["items"].pop(index)


def _add_entry(**entry: Any) -> Callable[[dict[str, Any]], None]:
    return lambda data: data["crosswalk"]["items"].append(entry)


def _reword(index: int) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        for language in data["items"][index]["text"]:
            data["items"][index]["text"][language] += " (reworded)"

    return mutate


def _previous(version: str) -> Callable[[dict[str, Any]], None]:
    return lambda data: data["crosswalk"].update(previous=version)


CASES = [
    pytest.param([], [], id="valid"),
    pytest.param(
        [_previous("1.1.0")], [("crosswalk.previous", "crosswalk", "must be older")], id="older"
    ),
    pytest.param(
        [_entry(0, previous=["I01", "I02"])],
        [("crosswalk.items[0].previous", "crosswalk", "names exactly 1 previous item(s), found 2")],
        id="cardinality",
    ),
    pytest.param(
        [_entry(0, change="new", id=None, previous=[])],
        [
            ("crosswalk.items[0].id", "crosswalk", "'new' entry needs the id"),
            ("crosswalk.items", "crosswalk", "missing: I01"),
            ("crosswalk.items", "crosswalk", "with no entry (mark them same, reworded, dropped"),
        ],
        id="id-needed",
    ),
    pytest.param(
        [_entry(0, change="dropped")],
        [("crosswalk.items[0].id", "crosswalk", "'dropped' entry names no item")],
        id="dropped-names-no-item",
    ),
    pytest.param(
        [_entry(0, id="I99")],
        [
            ("crosswalk.items[0].id", "unknown-reference", "unknown item 'I99'"),
            ("crosswalk.items", "crosswalk", "missing: I01"),
        ],
        id="unknown-item",
    ),
    pytest.param(
        [_entry(0, change="split"), _reword(0)],
        [("crosswalk.items", "crosswalk", "'split' into only one item")],
        id="split-into-one",
    ),
    pytest.param(
        [_add_entry(id="I01", change="new")],
        [("crosswalk.items", "crosswalk", "item 'I01' has 2 entries")],
        id="one-entry-per-item",
    ),
    pytest.param(
        [_entry(0, previous=["ZZ"])],
        [
            (
                "crosswalk.items",
                "unknown-reference",
                "previous item 'ZZ' is not an item of mini@1.0.0",
            ),
            ("crosswalk.items", "crosswalk", "of 1.0.0 with no entry"),
        ],
        id="unknown-previous-item",
    ),
    pytest.param(
        [_reword(1)],
        [("crosswalk.items[1]", "crosswalk", "marked 'same' but its text differs")],
        id="same-but-changed",
    ),
    pytest.param(
        [_entry(2, change="reworded")],
        [("crosswalk.items[2]", "crosswalk", "marked 'reworded' but its text is unchanged")],
        id="reworded-but-unchanged",
    ),
    pytest.param(
        [
            _entry(3, id="I98"),
            _entry(1, previous=[]),
            _previous("2.0.0"),
        ],
        [
            ("crosswalk.previous", "crosswalk", "must be older"),
            ("crosswalk.items[1].previous", "crosswalk", "found 0"),
            ("crosswalk.items[3].id", "unknown-reference", "unknown item 'I98'"),
            ("crosswalk.items", "crosswalk", "missing: I04"),
        ],
        id="rules-in-turn-entries-in-file-order",
    ),
]


@pytest.mark.parametrize(("mutations", "expected"), CASES)
def test_crosswalk_problems(
    mutations: list[Callable[[dict[str, Any]], None]], expected: list[tuple[str, str, str]]
) -> None:
    data = _next_version()
    for mutate in mutations:
        mutate(data)
    problems = validate_data(data, previous=_lookup).problems
    assert [(p.path, p.type) for p in problems] == [(path, kind) for path, kind, _ in expected]
    for problem, (_, _, fragment) in zip(problems, expected, strict=True):
        assert fragment in problem.message
