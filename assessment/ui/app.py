"""The Streamlit app: its pages and navigation. `streamlit run app.py` and `wmm serve` both run this.

The survey is the public default page; the facilitator pages sit behind login. Start-up (database,
demo, login) lives in assessment/startup.py; `wmm serve` does it before the server starts.

Each page's module is imported when the page is first drawn, not by this script: a respondent's
page then never loads the dashboard's libraries (pandas, scipy, altair), whose hundreds of
thousands of objects would otherwise sit in every process that only serves the survey.
"""

from __future__ import annotations

import importlib

import streamlit as st

from assessment.ui import session
from assessment.ui.language import language_picker, set_html_lang, t, ui_language
from assessment.ui.pages.vote import VOTE_PARAM
from assessment.ui.theme import NAV_FIX

#: The app's page modules (under assessment.ui.pages); each one has a ``render()``.
PAGE_MODULES = ("survey", "vote", "questionnaires", "dashboard", "workshop", "campaigns")
#: A chart drawn at a fixed width (the flywheel, side-by-side comparisons) shrinks to fit a narrower
#: column or screen instead of being cut at its right edge: Vega's SVG carries a ``viewBox``, so the
#: browser scales it, text included, and nothing overlaps that did not overlap at full size.
#: Columns that hold charts stand one under the other below 1280 px (a 1024 px projector), where
#: side by side each chart would get a third of the screen. A chart drawn in two forms
#: (`assessment.ui.pages.dashboard.panels.chart`) shows its phone form below 600 px only.
CHART_FIT_CSS = """<style>
[data-testid="stVegaLiteChart"] svg { max-width: 100%; height: auto; }
[class*="st-key-wmm_chart_phone_"] { display: none; }
@media (max-width: 599px) {
  [class*="st-key-wmm_chart_wide_"] { display: none; }
  [class*="st-key-wmm_chart_phone_"] { display: flex; }
}
@media (max-width: 1279px) {
  [data-testid="stHorizontalBlock"]:has([data-testid="stVegaLiteChart"]) { flex-wrap: wrap; }
  [data-testid="stHorizontalBlock"]:has([data-testid="stVegaLiteChart"]) > [data-testid="stColumn"] {
    min-width: 100%;
  }
}
</style>"""


def _page(name: str) -> None:
    """Draw the page of module ``assessment.ui.pages.<name>`` (imported on first use)."""
    importlib.import_module(f"assessment.ui.pages.{name}").render()


def survey_page() -> None:
    """The public survey."""
    _page("survey")


def questionnaires_page() -> None:
    """The questionnaires and what they measure."""
    _page("questionnaires")


def dashboard_page() -> None:
    """The facilitator's dashboard."""
    _page("dashboard")


def vote_page() -> None:
    """The room's vote (``/?v=CODE``)."""
    _page("vote")


def workshop_page() -> None:
    """The facilitator's workshop page."""
    _page("workshop")


def campaigns_page() -> None:
    """The facilitator's campaigns."""
    _page("campaigns")


def main() -> None:
    """One run of the app's script: page settings, start-up, navigation to the requested page."""
    st.set_page_config(
        page_title=t("common.app_title"), page_icon=":material/autorenew:", layout="wide"
    )
    st.set_option("client.toolbarMode", "minimal")  # no developer menu ("Deploy") for respondents
    session.startup_or_stop()
    # Someone who opened a survey link (or a voting link, ``/?v=CODE``) sees that page only,
    # without the site's menu, in their own language. Everyone else chooses the pages' language.
    voting = VOTE_PARAM in st.query_params
    respondent = voting or any(name in st.query_params for name in ("c", "r", "t"))
    language = ui_language() if respondent else language_picker()

    survey = st.Page(
        survey_page,
        title=t("common.nav.survey"),
        icon=":material/edit_note:",
        url_path="survey",
        default=not voting,
    )
    pages = {
        "": [
            survey,
            *(
                [
                    st.Page(
                        vote_page,
                        title=t("common.nav.vote"),
                        icon=":material/how_to_vote:",
                        url_path="vote",
                        default=True,
                    )
                ]
                if voting
                else []
            ),
            st.Page(
                questionnaires_page,
                title=t("common.nav.questionnaires"),
                icon=":material/list_alt:",
                url_path="questionnaires",
            ),
        ],
        t("common.nav.facilitator"): [
            st.Page(
                dashboard_page,
                title=t("common.nav.dashboard"),
                icon=":material/monitoring:",
                url_path="dashboard",
            ),
            st.Page(
                workshop_page,
                title=t("common.nav.workshop"),
                icon=":material/co_present:",
                url_path="workshop",
            ),
            st.Page(
                campaigns_page,
                title=t("common.nav.campaigns"),
                icon=":material/folder_open:",
                url_path="campaigns",
            ),
            st.Page(
                session.login_page,
                title=t("common.nav.log_out" if session.is_facilitator() else "common.nav.log_in"),
                icon=":material/key:",
                url_path="login",
            ),
        ],
    }
    page = st.navigation(pages, position="hidden" if respondent else "sidebar")
    if page is not survey:  # the survey sets <html lang> to its own language, and fixes the menu
        set_html_lang(language)
        st.html(CHART_FIT_CSS)
        if not respondent:  # the page menu is drawn: its lists made valid for screen readers
            st.html(NAV_FIX, unsafe_allow_javascript=True)
    page.run()


if __name__ == "__main__":  # run as a script (`wmm serve` points Streamlit at this file)
    main()
