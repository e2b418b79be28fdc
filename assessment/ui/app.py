"""The Streamlit app: its pages and navigation. `streamlit run app.py` and `wmm serve` both run this.

The survey is the public default page; the facilitator pages sit behind login. Start-up (database,
demo, login) lives in assessment/startup.py; `wmm serve` does it before the server starts.
"""

from __future__ import annotations

import streamlit as st

from assessment.ui import session
from assessment.ui.pages import campaigns as campaigns_page
from assessment.ui.pages import dashboard as dashboard_page
from assessment.ui.pages import questionnaires as questionnaires_page
from assessment.ui.pages import survey as survey_page
from assessment.ui.pages import vote as vote_page
from assessment.ui.pages import workshop as workshop_page


def main() -> None:
    """One run of the app's script: page settings, start-up, navigation to the requested page."""
    st.set_page_config(
        page_title="Work management maturity", page_icon=":material/autorenew:", layout="wide"
    )
    st.set_option("client.toolbarMode", "minimal")  # no developer menu ("Deploy") for respondents
    session.startup_or_stop()

    # A voting link (``/?v=CODE``) opens the vote; every other link the survey.
    voting = vote_page.VOTE_PARAM in st.query_params
    pages = {
        "": [
            st.Page(
                survey_page.render,
                title="Survey",
                icon=":material/edit_note:",
                url_path="survey",
                default=not voting,
            ),
            *(
                [
                    st.Page(
                        vote_page.render,
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
                questionnaires_page.render,
                title="Questionnaires",
                icon=":material/list_alt:",
                url_path="questionnaires",
            ),
        ],
        "Facilitator": [
            st.Page(
                dashboard_page.render,
                title="Dashboard",
                icon=":material/monitoring:",
                url_path="dashboard",
            ),
            st.Page(
                workshop_page.render,
                title="Workshop",
                icon=":material/co_present:",
                url_path="workshop",
            ),
            st.Page(
                campaigns_page.render,
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
    respondent = any(name in st.query_params for name in ("c", "r", "t", vote_page.VOTE_PARAM))
    st.navigation(pages, position="hidden" if respondent else "sidebar").run()


if __name__ == "__main__":  # run as a script (`wmm serve` points Streamlit at this file)
    main()
