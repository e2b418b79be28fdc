"""Streamlit pages. Each page is thin: it reads widgets, calls one library function, shows the result."""
