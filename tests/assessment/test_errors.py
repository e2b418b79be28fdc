"""The error catalogue: complete, documented, used consistently, and docs/errors.md is current."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import assessment
from assessment import errors
from assessment.errors import (
    MAX_LISTED_PROBLEMS,
    AssessmentError,
    DataError,
    DuplicateId,
    MoreProblems,
    OffScale,
    Problem,
    Problems,
    QuestionnaireError,
    error_classes,
    problem_types,
    template_fields,
    where,
)

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "assessment"
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _modules() -> list[str]:
    """Every module of `assessment` except the UI (Streamlit pages run on import)."""
    return [
        m.name
        for m in pkgutil.walk_packages(assessment.__path__, "assessment.")
        if not m.name.startswith(("assessment.ui", "assessment.storage.migrations"))
    ]


def _calls_of_catalogue_entries() -> list[tuple[str, int, str, ast.Call]]:
    """(file, line, class name, call) of every call of a problem class anywhere in assessment/."""
    entries = {kind.__name__ for kind in problem_types().values()}
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in entries
            ):
                found.append((str(path.relative_to(ROOT)), node.lineno, node.func.id, node))
    return found


def test_docs_errors_md_is_generated_from_the_catalogue() -> None:
    """Regenerate with `python -m assessment.errors --markdown > docs/errors.md`."""
    assert (ROOT / "docs" / "errors.md").read_text(encoding="utf-8") == errors.markdown()


@pytest.mark.parametrize("slug", sorted(problem_types()))
def test_every_problem_type_is_documented(slug: str) -> None:
    kind = problem_types()[slug]
    assert SLUG.match(slug), f"{slug}: problem types are lowercase words joined by '-'"
    assert kind.title and kind.title[0].isupper(), f"{slug} needs a title"
    assert kind.template, f"{slug} needs a message template"
    assert len(kind.description) > 20, f"{slug} needs a description of cause and fix"
    assert kind.__module__ == "assessment.errors"


@pytest.mark.parametrize("code", sorted(error_classes()))
def test_every_error_class_is_documented(code: str) -> None:
    error = error_classes()[code]
    assert SLUG.match(code)
    assert error.title and error.description, f"{code} needs a title and a description"


def test_problem_types_and_error_codes_are_unique() -> None:
    kinds = [k for k in errors.__dict__.values() if isinstance(k, type) and issubclass(k, Problem)]
    slugs = [k.type for k in kinds if k is not Problem]
    assert len(slugs) == len(set(slugs))
    assert len(slugs) == len(problem_types())


def test_every_exception_class_of_the_library_lives_in_the_catalogue() -> None:
    for name in _modules():
        importlib.import_module(name)
    outside = [
        f"{c.__module__}.{c.__qualname__}"
        for c in _all_subclasses(AssessmentError)
        if c.__module__ != "assessment.errors"
    ]
    assert outside == [], "define exception classes in assessment/errors.py"


def _all_subclasses(base: type) -> list[type]:
    found = []
    pending = list(base.__subclasses__())
    while pending:
        kind = pending.pop()
        found.append(kind)
        pending.extend(kind.__subclasses__())
    return found


def test_no_problem_is_built_from_a_literal_type() -> None:
    """Problem types are classes of the catalogue; a string type would bypass it."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Problem":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_every_raised_problem_fills_its_template_fields() -> None:
    calls = _calls_of_catalogue_entries()
    assert len(calls) > 60  # the scan finds the raising sites
    types = {k.__name__: k for k in problem_types().values()}
    for file, line, name, call in calls:
        if any(isinstance(k, ast.keyword) and k.arg is None for k in call.keywords):
            continue  # **fields from a describer; checked by the reading tests
        given = {k.arg for k in call.keywords}
        missing = template_fields(types[name].template) - given
        assert not missing, f"{file}:{line}: {name} lacks {sorted(missing)}"
        unknown = given - template_fields(types[name].template)
        assert not unknown, f"{file}:{line}: {name} has no field(s) {sorted(unknown)}"
        assert len(call.args) == 1, f"{file}:{line}: {name} takes one location, then fields"


def test_every_problem_type_is_raised_somewhere() -> None:
    """Each entry is called or handed to a cell check somewhere outside the catalogue."""
    used = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "errors.py" and path.parent == PACKAGE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        used |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    unused = {k.__name__ for k in problem_types().values()} - used - {"MoreProblems"}
    assert unused == set(), "remove catalogue entries nothing raises"


def test_the_survey_names_profile_fields_by_catalogue_types() -> None:
    from assessment.survey.flow import profile_fields_of

    assert profile_fields_of({"missing-unit", "missing-role"}) == ("unit", "role")
    assert {"missing-unit", "missing-role", "no-answers"} <= set(problem_types())


def test_a_problem_fills_its_template_and_says_where() -> None:
    problem = OffScale(where("a.csv", 4, "Q01"), expected="1..5", found="7")
    assert str(problem) == "a.csv row 4, column Q01: expected 1..5, found '7' (off the scale)"
    assert problem.type == "off-scale"
    assert problem.at("elsewhere").path == "elsewhere"
    assert problem.at("elsewhere").message == problem.message


def test_a_problem_without_its_fields_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match="needs the field"):
        DuplicateId("items", what="item", id="I01")
    with pytest.raises(TypeError, match="catalogue"):
        Problem("x")


def test_where_names_file_row_and_column() -> None:
    assert where("a.csv") == "a.csv"
    assert where("a.csv", 3) == "a.csv row 3"
    assert where("a.csv", 3, "unit") == "a.csv row 3, column unit"
    assert where("a.csv", column="unit") == "a.csv, column unit"


def test_the_collector_lists_up_to_the_cap_and_counts_the_rest() -> None:
    problems = Problems("a.csv")
    for row in range(2, MAX_LISTED_PROBLEMS + 12):
        problems.add(OffScale(where("a.csv", row, "Q01"), expected="1..5", found="9"))
    problems.count(5)  # found by a vectorised check, never built
    report = problems.report()
    assert len(report) == MAX_LISTED_PROBLEMS + 1
    assert isinstance(report[-1], MoreProblems)
    assert report[-1].message == "and 15 more problem(s) not listed"
    with pytest.raises(DataError) as caught:
        problems.raise_if_any("a.csv: nothing was read")
    assert caught.value.problems == report
    assert str(caught.value).splitlines()[1] == "  a.csv row 2, column Q01: " + report[0].message


def test_the_collector_raises_nothing_when_empty_and_the_error_asked_for() -> None:
    problems = Problems()
    problems.raise_if_any("never")
    assert not problems
    problems.add(DuplicateId("items[1].id", what="id", id="I01", note="is used more than once"))
    with pytest.raises(QuestionnaireError):
        problems.raise_if_any("invalid", QuestionnaireError)


def test_the_generator_is_a_command() -> None:
    assert errors.main(["--markdown"]) == 0
    assert errors.main([]) == 2
