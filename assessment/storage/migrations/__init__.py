"""Alembic migrations of the wmm database, run in code by `assessment.storage.migrate` (no alembic.ini).

`env.py` is Alembic's entry point; `versions/` holds one file per schema revision.
"""
