"""AppTest of the Questionnaires page: browse each version and language, compare through the crosswalk."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from assessment.ui.language import LANGUAGE_KEY


def _page() -> AppTest:
    def script() -> None:
        from assessment.ui.pages import questionnaires as questionnaires_page

        questionnaires_page.render()

    return AppTest.from_function(script, default_timeout=30)


def test_browse_latest_version() -> None:
    at = _page().run()
    assert not at.exception
    assert at.title[0].value == "Questionnaires"
    assert at.selectbox(key="q_browse_version").value == "work-management@1.1.0"
    assert any("Clarity" in e.label for e in at.expander)
    assert any("Clarity over Chaos" in e.label for e in at.expander)


def test_browse_in_german_and_older_version() -> None:
    at = _page().run()
    at.selectbox(key="q_browse_version").select("work-management@1.0.0").run()
    at.selectbox(key="q_browse_language").select("de").run()
    assert not at.exception
    assert any("Klarheit" in e.label for e in at.expander)
    assert "work-management@1.0.0" in at.caption[0].value


def test_compare_versions() -> None:
    at = _page().run()
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Dropped"]) >= 1 and int(metrics["New"]) >= 1
    assert int(metrics["Common statements"]) >= 30
    frame = at.dataframe[-1].value
    assert set(frame["Change"]) <= {"reworded", "new", "dropped", "split", "merged"}


def test_the_page_follows_the_site_language() -> None:
    at = _page()
    at.session_state[LANGUAGE_KEY] = "de"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Fragebögen"
    # The statements are shown in the site's language when the questionnaire has it.
    assert at.selectbox(key="q_browse_language").value == "de"
    assert any("Klarheit" in e.label and "Aussagen" in e.label for e in at.expander)
    levels = next(d.value for d in at.dataframe if "Ab Mittelwert" in d.value.columns)
    assert all("," in value for value in levels["Ab Mittelwert"])  # German decimal mark
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Entfallen"]) >= 1
    assert set(at.dataframe[-1].value["Änderung"]) <= {
        "umformuliert",
        "neu",
        "entfallen",
        "aufgeteilt",
        "zusammengelegt",
    }
