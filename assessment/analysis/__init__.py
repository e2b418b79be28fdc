"""Analysis: the scoring spec of a questionnaire, scoring a response table or file, and waves."""
