"""Streamlit entry point: `streamlit run app.py` (or `wmm serve`, which prepares the database and prints
the survey link and the login before the server starts). The app itself is `assessment.ui.app`.
"""

from assessment.ui.app import main

main()
