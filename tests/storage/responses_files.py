"""Small responses CSV files for storage tests, built in code (deterministic, any size)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assessment.questionnaire import default_registry
from assessment.responses.wide_csv import table_columns

QUESTIONNAIRE = "work-management@1.0.0"


def answer_ids(key: str = QUESTIONNAIRE) -> list[str]:
    return list(table_columns(default_registry().get(key))["items"])


def responses_rows(
    n: int, *, units: tuple[str, ...] = ("Operations", "Support", "Sales"), seed: int = 1
) -> list[list[str]]:
    """Header and ``n`` rows: every column of docs/formats.md "Responses CSV", answers with DK, NA and skipped cells."""
    items = answer_ids()
    rng = np.random.default_rng(seed)
    header = [
        "respondent_id",
        "unit",
        "role",
        "language",
        "submitted_at",
        "duration_seconds",
        "questionnaire",
        *items,
    ]
    roles = ["leader", "manager", "staff", "other", ""]
    cells = rng.choice(
        ["1", "2", "3", "4", "5", "DK", "NA", ""],
        p=[0.1, 0.15, 0.25, 0.25, 0.15, 0.04, 0.03, 0.03],
        size=(n, len(items)),
    )
    rows = [header]
    for i in range(n):
        rows.append(
            [
                f"R{seed}-{i:04d}",
                units[i % len(units)],
                roles[i % len(roles)],
                "en" if i % 3 else "de",
                f"2025-03-{1 + i % 28:02d}T09:{i % 60:02d}:00Z" if i % 7 else "",
                str(300 + i) if i % 5 else "",
                QUESTIONNAIRE,
                *cells[i],
            ]
        )
    return rows


def csv_text(rows: list[list[str]], newline: str = "\n") -> str:
    return "".join(",".join(row) + newline for row in rows)


def write_responses(
    path: Path, rows: list[list[str]], *, newline: str = "\n", bom: bool = False
) -> Path:
    data = csv_text(rows, newline).encode("utf-8")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path
