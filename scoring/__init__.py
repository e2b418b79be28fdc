"""Pure statistics for work-management maturity scores.

Nothing in this package reads files, touches a database or imports Streamlit; every function takes
arrays or DataFrames and returns arrays, DataFrames or small frozen dataclasses.
"""
