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
from assessment.ui.pages.vote import VOTE_PARAM

#: The app's page modules (under assessment.ui.pages); each one has a ``render()``.
PAGE_MODULES = ("survey", "vote", "questionnaires", "dashboard", "workshop", "campaigns")


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
        page_title="Work management maturity", page_icon=":material/autorenew:", layout="wide"
    )
    st.set_option("client.toolbarMode", "minimal")  # no developer menu ("Deploy") for respondents
    session.startup_or_stop()

    # A voting link (``/?v=CODE``) opens the vote; every other link the survey.
    voting = VOTE_PARAM in st.query_params
    pages = {
        "": [
            st.Page(
                survey_page,
                title="Survey",
                icon=":material/edit_note:",
                url_path="survey",
                default=not voting,
            ),
            *(
                [
                    st.Page(
                        vote_page,
                        title="Vote",
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
                title="Questionnaires",
                icon=":material/list_alt:",
                url_path="questionnaires",
            ),
        ],
        "Facilitator": [
            st.Page(
                dashboard_page,
                title="Dashboard",
                icon=":material/monitoring:",
                url_path="dashboard",
            ),
            st.Page(
                workshop_page,
                title="Workshop",
                icon=":material/co_present:",
                url_path="workshop",
            ),
            st.Page(
                campaigns_page,
                title="Campaigns",
                icon=":material/folder_open:",
                url_path="campaigns",
            ),
            st.Page(
                session.login_page,
                title="Log out" if session.is_facilitator() else "Log in",
                icon=":material/key:",
                url_path="login",
            ),
        ],
    }
    # Someone who opened a survey link sees the survey only, without the site's menu.
    respondent = any(name in st.query_params for name in ("c", "r", "t", VOTE_PARAM))
    st.navigation(pages, position="hidden" if respondent else "sidebar").run()


if __name__ == "__main__":  # run as a script (`wmm serve` points Streamlit at this file)
    main()
