"""The boundaries of pages and survey: library errors show their message, anything else a plain
apology (logged, no traceback), and Streamlit's own reruns pass through."""

from __future__ import annotations

import logging

import pytest
from streamlit.testing.v1 import AppTest

from assessment.errors import AnswerError, CampaignClosedError, NoAnswers, UnknownCampaignError
from assessment.i18n import text
from assessment.ui.errors import guarded_callback


def _page_action(failure: str) -> None:
    import streamlit as st

    from assessment.errors import DataError, OffScale, UnknownCampaignError, where
    from assessment.ui.errors import page_errors

    with page_errors(before="Nothing was imported. ") as outcome:
        if failure == "problems":
            raise DataError(
                "a.csv: 1 problem(s) found",
                [OffScale(where("a.csv", 2, "CLA01"), expected="1..5", found="9")],
            )
        if failure == "library":
            raise UnknownCampaignError("no campaign has the code abc")
        if failure == "bug":
            raise KeyError("a programming error")
        st.success("done")
    st.write(f"failed={outcome.failed}")


def _run(function: object, **kwargs: object) -> AppTest:
    at = AppTest.from_function(function, kwargs=kwargs, default_timeout=30)
    return at.run()


def test_a_library_error_shows_its_message_and_the_page_goes_on() -> None:
    at = _run(_page_action, failure="library")
    assert not at.exception
    assert "no campaign has the code abc" in at.error[0].value
    assert at.error[0].value.startswith("Nothing was imported")
    assert at.markdown[-1].value == "failed=True"


def test_problems_are_listed_in_a_table_naming_row_and_column() -> None:
    at = _run(_page_action, failure="problems")
    assert not at.exception
    assert r"a\.csv\: 1 problem" in at.error[0].value  # shown literally (markdown escaped)
    table = at.dataframe[0].value
    assert list(table["Where"]) == ["a.csv row 2, column CLA01"]
    assert list(table["Type"]) == ["off-scale"]


def test_an_unexpected_error_says_something_went_wrong_without_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="assessment.ui.errors"):
        at = _run(_page_action, failure="bug")
    assert not at.exception
    assert at.error[0].value == text("errors.unexpected", "en")
    assert "a programming error" not in at.error[0].value
    assert "Traceback" not in "".join(e.value for e in at.error)
    assert any(r.exc_info and r.exc_info[0] is KeyError for r in caplog.records)


def test_no_error_no_message() -> None:
    at = _run(_page_action, failure="none")
    assert not at.error
    assert at.markdown[-1].value == "failed=False"


def _guarded_render(language: str) -> None:
    from assessment.ui.errors import guarded_page

    def render() -> None:
        raise RuntimeError("the database went away")

    guarded_page(render, survey=True, language=lambda: language)()


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_survey_apologises_in_the_respondents_language(language: str) -> None:
    at = _run(_guarded_render, language=language)
    assert not at.exception
    assert at.error[0].value == text("errors.unexpected_survey", language)
    assert "database went away" not in at.error[0].value


def _rerunning_page() -> None:
    import streamlit as st

    from assessment.ui.errors import page_errors

    runs = st.session_state.setdefault("runs", 0)
    st.session_state["runs"] = runs + 1
    with page_errors():
        if runs == 0:
            st.rerun()  # control flow of Streamlit, not an error: it must pass the boundary
    st.write(f"runs={st.session_state['runs']}")


def test_reruns_pass_through_the_boundary() -> None:
    at = _run(_rerunning_page)
    assert not at.error
    assert at.markdown[-1].value == "runs=2"


def test_survey_callbacks_route_library_errors_and_apologise_for_the_rest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[str] = []
    guarded = guarded_callback(
        on_error=lambda error: seen.append(error.code),
        on_unexpected=lambda: seen.append("unexpected"),
    )

    @guarded
    def submit(kind: str) -> None:
        if kind == "closed":
            raise CampaignClosedError("the campaign is closed")
        if kind == "unknown":
            raise UnknownCampaignError("no such campaign")
        if kind == "answers":
            raise AnswerError("cannot submit yet", [NoAnswers("answers")])
        if kind == "bug":
            raise ZeroDivisionError("division by zero")
        seen.append("ok")

    with caplog.at_level(logging.ERROR, logger="assessment.ui.errors"):
        for kind in ("closed", "unknown", "answers", "bug", "fine"):
            submit(kind)
    assert seen == ["campaign-closed", "unknown-campaign", "invalid-answer", "unexpected", "ok"]
    assert [r.exc_info[0] for r in caplog.records if r.exc_info] == [ZeroDivisionError]
