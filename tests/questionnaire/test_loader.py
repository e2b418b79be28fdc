"""Loading questionnaire files: valid files load, every problem of a broken file is reported at once."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessment.errors import QuestionnaireError
from assessment.questionnaire import load_questionnaire, validate_file
from assessment.questionnaire.loader import parse_yaml, validate_data
from assessment.questionnaire.registry import default_root

REAL_FILES = sorted(default_root().glob("*/*.yaml"))
MINIMAL_DATA = yaml.safe_load((Path(__file__).with_name("minimal.yaml")).read_text("utf-8"))


def test_minimal_file_loads(minimal_data: dict[str, Any], write_yaml: Callable[..., Path]) -> None:
    q = load_questionnaire(write_yaml(minimal_data))
    assert q.key == "mini@1.0.0"
    assert [i.id for i in q.items_of_component("clarity")] == ["I01", "I02", "I03"]
    assert q.item("I02").reverse is True
    assert q.scale.minimum == 1 and q.scale.maximum == 5
    assert q.level_name(3, "de") == "Level 3 (de)"


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shipped_questionnaires_are_valid(path: Path) -> None:
    report = validate_file(path)
    assert report.problems == []
    assert report.valid


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_trusted_parse_gives_the_same_data(path: Path) -> None:
    # A published file may be parsed by libyaml; the data must be what the strict loader gives.
    text = path.read_text("utf-8")
    fast, fast_problems = parse_yaml(text, str(path), trusted=True)
    strict, strict_problems = parse_yaml(text, str(path))
    assert fast_problems == strict_problems == []
    assert fast == strict


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_trusted_file_validates_to_the_same_questionnaire(path: Path) -> None:
    strict = validate_file(path)
    fast = validate_file(path, trusted={strict.sha256 or ""})
    assert fast.problems == [] and fast.questionnaire == strict.questionnaire


@pytest.mark.parametrize(
    "text",
    ["a: [1,\n b: 2", "id: x\nid: y\n", "items:\n  - id: a\n   bad: indent\n", "\tid: x\n"],
    ids=["unclosed-flow", "duplicate-key", "bad-indent", "tab"],
)
def test_trusted_text_that_is_malformed_is_reported_as_the_strict_loader_words_it(
    text: str,
) -> None:
    assert parse_yaml(text, "q.yaml", trusted=True) == parse_yaml(text, "q.yaml")
    _, problems = parse_yaml(text, "q.yaml", trusted=True)
    assert [p.type for p in problems] == ["yaml-syntax"]


def test_only_published_digests_are_trusted(
    minimal_data: dict[str, Any], write_yaml: Callable[..., Path]
) -> None:
    # A file whose digest is not in the trusted set goes through the strict loader: its
    # syntax error keeps PyYAML's line (libyaml would name line 3 for this one).
    path = write_yaml("a: [1,\n b: 2")
    report = validate_file(path, trusted={"0" * 64})
    assert report.problems[0].path.startswith("line 2")


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A mutation that sets a dotted/indexed path such as items[1].component."""

    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        parts = path.replace("]", "").replace("[", ".").split(".")
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        last = parts[-1]
        if last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value

    return mutate


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        parts = path.replace("]", "").replace("[", ".").split(".")
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        del target[int(parts[-1]) if parts[-1].isdigit() else parts[-1]]

    return mutate


BROKEN = [
    pytest.param(
        [_set("items[1].id", "I01")], [("items[1].id", "duplicate-id")], id="duplicate-item-id"
    ),
    pytest.param(
        [_set("items[0].component", "clarty")],
        [("items[0].component", "unknown-reference")],
        id="unknown-component",
    ),
    pytest.param(
        [_set("items[0].principles", ["no-such-principle"])],
        [("items[0].principles[0]", "unknown-reference")],
        id="unknown-principle",
    ),
    pytest.param(
        [_set("levels[2].threshold", 1.5)],
        [("levels[2].threshold", "invalid-thresholds")],
        id="thresholds-not-ascending",
    ),
    pytest.param(
        [_set("levels[3].threshold", 7)],
        [("levels[3].threshold", "invalid-thresholds")],
        id="threshold-outside-scale",
    ),
    pytest.param(
        [_set("levels[0].threshold", 1.2)],
        [("levels[0].threshold", "invalid-thresholds")],
        id="first-threshold-not-minimum",
    ),
    pytest.param(
        [_set("items[6].component", "clarity")],
        [("components[2]", "too-few-items")],
        id="component-with-two-items",
    ),
    pytest.param(
        [_set("items[0].text", {"en": "only English"})],
        [("items[0].text", "missing-translation")],
        id="missing-translation",
    ),
    pytest.param(
        [_set("title", {"en": "T", "de": "T", "fr": "T"})],
        [("title", "unknown-language")],
        id="undeclared-language",
    ),
    pytest.param(
        [_set("items[1].weight", 0)],
        [("items[1]", "invalid-weight")],
        id="reverse-keyed-with-weight-0",
    ),
    pytest.param(
        [_set("items[0].weight", 0)], [("items[0].weight", "invalid-weight")], id="weight-0"
    ),
    pytest.param(
        [_set("default_language", "fr")],
        [("default_language", "unknown-reference")],
        id="default-language",
    ),
    pytest.param(
        [_delete("items[0].text")], [("items[0].text", "missing-field")], id="missing-text"
    ),
    pytest.param(
        [_set("items[0].colour", "red")], [("items[0].colour", "unknown-field")], id="unknown-field"
    ),
    pytest.param(
        [_set("items[0].weight", "heavy")],
        [("items[0].weight", "wrong-type")],
        id="weight-not-a-number",
    ),
    pytest.param([_set("version", "1.0")], [("version", "wrong-type")], id="version-not-semver"),
    pytest.param(
        [_set("scale.options[2].value", 7)],
        [("scale.options", "invalid-scale")],
        id="scale-values-not-consecutive",
    ),
    pytest.param(
        [_set("recommendations[0].to_level", 3)],
        [("recommendations[0].to_level", "invalid-levels")],
        id="recommendation-skips",
    ),
    pytest.param(
        [_delete("descriptors[0]")],
        [("descriptors", "missing-descriptor")],
        id="missing-descriptor",
    ),
    pytest.param(
        [_set("scoring.indices[0].components", ["nothing"])],
        [("scoring.indices[0].components[0]", "unknown-reference")],
        id="index-unknown-component",
    ),
    pytest.param(
        [_set("items[0].id", "unit")], [("items[0].id", "reserved-id")], id="reserved-column-name"
    ),
    pytest.param(
        [
            _set(
                "crosswalk",
                {
                    "previous": "0.9.0",
                    "items": [{"id": "XX1", "change": "same", "previous": ["A"]}],
                },
            )
        ],
        [("crosswalk.items[0].id", "unknown-reference"), ("crosswalk.items", "invalid-crosswalk")],
        id="crosswalk-unknown-item",
    ),
    pytest.param(
        [_set("crosswalk", {"previous": "1.0.0", "items": [{"id": "I01", "change": "new"}]})],
        [("crosswalk.previous", "invalid-crosswalk")],
        id="crosswalk-previous-not-older",
    ),
    pytest.param(
        [_set("schema_version", 2)], [("schema_version", "unsupported-schema")], id="newer-schema"
    ),
    pytest.param(
        [_delete("schema_version")], [("schema_version", "missing-field")], id="no-schema-version"
    ),
    pytest.param(
        [
            _set("items[1].id", "I01"),
            _set("items[3].component", "nowhere"),
            _set("levels[2].threshold", 1.5),
            _set("items[4].text", {"en": "x"}),
            _set("items[5].weight", "heavy"),
        ],
        [
            ("items[1].id", "duplicate-id"),
            ("items[3].component", "unknown-reference"),
            ("levels[2].threshold", "invalid-thresholds"),
            ("items[4].text", "missing-translation"),
            ("items[5].weight", "wrong-type"),
        ],
        id="five-mistakes-all-reported",
    ),
]


@pytest.mark.parametrize(("mutations", "expected"), BROKEN)
def test_broken_files_report_every_problem(
    minimal_data: dict[str, Any],
    write_yaml: Callable[..., Path],
    mutations: list[Callable[[dict[str, Any]], None]],
    expected: list[tuple[str, str]],
) -> None:
    for mutate in mutations:
        mutate(minimal_data)
    report = validate_file(write_yaml(minimal_data))
    assert not report.valid
    found = {(p.path, p.type) for p in report.problems}
    for want in expected:
        assert want in found, f"{want} not in {sorted(found)}"
    for problem in report.problems:
        assert problem.message, problem


def test_load_raises_with_all_problems(
    minimal_data: dict[str, Any], write_yaml: Callable[..., Path]
) -> None:
    minimal_data["items"][1]["id"] = "I01"
    minimal_data["items"][3]["component"] = "nowhere"
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(write_yaml(minimal_data))
    assert len(info.value.problems) >= 2
    assert "items[1].id" in str(info.value)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        pytest.param("a: [1,\n b: 2", "line 2", id="unclosed-flow"),
        pytest.param("id: x\nid: y\n", "line 2, column 1", id="duplicate-key"),
        pytest.param("items:\n  - id: a\n   bad: indent\n", "line 3", id="bad-indent"),
        pytest.param("\tid: x\n", "line 1", id="tab"),
    ],
)
def test_malformed_yaml_names_line_and_column(
    text: str, where: str, write_yaml: Callable[..., Path]
) -> None:
    report = validate_file(write_yaml(text))
    assert [p.type for p in report.problems] == ["yaml-syntax"]
    assert report.problems[0].path.startswith(where)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"", "found an empty file", id="empty"),
        pytest.param(b"- a\n- b\n", "found a list", id="list"),
        pytest.param(b"\xff\xfe\x00i\x00d", "not UTF-8", id="not-utf8"),
    ],
)
def test_unusable_files(content: bytes, message: str, tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_bytes(content)
    report = validate_file(path)
    assert not report.valid
    assert message in report.problems[0].message


def test_missing_file(tmp_path: Path) -> None:
    report = validate_file(tmp_path / "nope.yaml")
    assert report.problems[0].type == "unreadable-file"


def test_bom_is_accepted(minimal_data: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + yaml.safe_dump(minimal_data, allow_unicode=True).encode())
    assert validate_file(path).valid


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=yaml_values)
def test_arbitrary_data_never_crashes(data: Any) -> None:
    report = validate_data(data)
    assert not report.valid
    assert report.problems


@settings(max_examples=150, deadline=None)
@given(
    field=st.sampled_from(
        [
            "items",
            "levels",
            "scale",
            "components",
            "principles",
            "crosswalk",
            "scoring",
            "languages",
            "title",
        ]
    ),
    value=yaml_values,
)
def test_arbitrary_field_values_never_crash(field: str, value: Any) -> None:
    data = copy.deepcopy(MINIMAL_DATA)
    data[field] = value
    report = validate_data(data)
    assert report.valid or report.problems


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=200))
def test_arbitrary_text_never_crashes(text: str) -> None:
    data, problems = parse_yaml(text, "<text>")
    report = validate_data(data) if not problems else None
    assert problems or (report is not None and not report.valid)
