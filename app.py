"""Streamlit entry point: `streamlit run app.py` (or `wmm serve`, which prepares the database and prints
the survey link and the login before the server starts). The app itself is `assessment.ui.app`.
"""

from assessment import runtime

runtime.configure(
    "server"
)  # the process serves the app; every later run of the script finds it done

from assessment.ui.app import main  # noqa: E402  (after the process is tuned)

main()
