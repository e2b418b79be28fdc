"""Streamlit entry point: `streamlit run app.py`. Pages live in assessment/ui/ and stay thin."""

from __future__ import annotations

import streamlit as st

from assessment.ui import questionnaires_page

st.set_page_config(page_title="Work management maturity", page_icon="🔄", layout="wide")

pages = [
    st.Page(
        questionnaires_page.render, title="Questionnaires", icon="📋", url_path="questionnaires"
    ),
]
st.navigation(pages).run()
