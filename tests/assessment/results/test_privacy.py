"""Property tests of docs/formats.md "Privacy rules" across every export: no statistic of a small group, none derivable.

For random organisations (units of 1..12 respondents, minimum group size 3..6) the scores export, the
benchmark rows, the anonymised responses and the report are checked directly, not through the
exports' own guard.
"""

from __future__ import annotations

import html
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessment.analysis.scoring import score_table
from assessment.demo.generate import generate_organisation, organisation_profile
from assessment.errors import PrivacyError
from assessment.outputs.benchmark import benchmark_rows
from assessment.outputs.exports import METADATA_COLUMNS, anonymised_responses, scores_export
from assessment.outputs.report import render_report
from assessment.questionnaire import default_registry

QUESTIONNAIRE = default_registry().get("work-management@1.0.0")
#: Columns of the scores export that are not statistics of the group.
NOT_STATISTICS = {"dimension_type", "dimension", "n", "suppressed", *METADATA_COLUMNS}

organisations = st.fixed_dictionaries(
    {
        "sizes": st.lists(st.integers(1, 12), min_size=1, max_size=7),
        "minimum": st.integers(3, 6),
        "seed": st.integers(0, 2**16),
    }
)


def build(sizes: list[int], seed: int):
    profile = organisation_profile(seed=seed, n_units=len(sizes), min_size=1, max_size=12)
    return generate_organisation(QUESTIONNAIRE, seed=seed, profile=profile, respondents=sizes).table


def check_scores_export(frame: pd.DataFrame, group: str, minimum: int) -> None:
    statistics = [c for c in frame.columns if c not in NOT_STATISTICS and c != group]
    shows = frame[statistics].notna().any(axis=1)
    # 1. No row with fewer than the minimum shows any statistic.
    small = frame["n"] < minimum
    assert not (small & shows).any(), frame.loc[small & shows, [group, "dimension", "n"]]
    # 2. Shown rows carry no suppressed flag, suppressed rows show nothing.
    assert not (frame["suppressed"].astype(bool) & shows).any()
    # 3. Subtracting the shown groups from a shown total leaves 0 or at least the minimum.
    for dimension, rows in frame.groupby("dimension"):
        total = rows[rows[group] == "__all__"]
        assert len(total) == 1
        if not shows[total.index[0]]:
            continue
        cells = rows[rows[group] != "__all__"]
        hidden = int(total["n"].iloc[0]) - int(cells.loc[shows[cells.index], "n"].sum())
        assert hidden == 0 or hidden >= minimum, (dimension, hidden)


def check_responses(table, minimum: int) -> None:
    units = np.asarray(table.unit, dtype=object)
    roles = np.asarray(table.role, dtype=object)
    languages = np.asarray(table.language, dtype=object)
    for breakdown in (
        Counter(units),
        Counter(roles),
        Counter(languages),
        Counter(zip(units, roles, strict=True)),
        Counter(zip(units, languages, strict=True)),
        Counter(zip(roles, languages, strict=True)),
        Counter(zip(units, roles, languages, strict=True)),
    ):
        assert min(breakdown.values()) >= minimum, breakdown


def check_report(scored, group: str) -> None:
    """The report renders (its guard passes) and marks every suppressed heatmap cell as such."""
    page = render_report(scored.result, QUESTIONNAIRE, scored.metadata)
    scores = scored.result.scores
    if scores.loc[scores[group] == "__all__", "suppressed"].all():
        assert "likely" not in page
        return
    names = {c.id: c.name["en"] for c in QUESTIONNAIRE.components}
    cells = scores[(scores["dimension_type"] == "component") & (scores[group] != "__all__")]
    for row in cells.itertuples(index=False):
        label = html.escape(f"{getattr(row, group)} · {names[row.dimension]}: ")
        if row.suppressed:
            assert f"{label}suppressed (n = {row.n})" in page
        else:
            assert f"{label}{row.mean:.2f} [" in page


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(organisations)
def test_no_export_reveals_a_small_group(case) -> None:
    sizes, minimum = case["sizes"], case["minimum"]
    table = build(sizes, case["seed"])
    n = table.n_respondents

    scored = {
        by: score_table(table, QUESTIONNAIRE, by=by, min_group_size=minimum, n_resamples=10)
        for by in ("unit", "role")
    }
    for by, result in scored.items():
        check_scores_export(scores_export(result.result, result.metadata), by, minimum)
        check_report(result, by)

    by_unit = scored["unit"]
    rows = benchmark_rows(
        by_unit.result, by_unit.metadata, sector="", size_band="", period="2025-01"
    )
    assert (rows["n_respondents"] >= minimum).all()
    if n < minimum:
        assert rows.empty

    if n < minimum:
        with pytest.raises(PrivacyError):
            anonymised_responses(table, min_group_size=minimum)
    else:
        anonymised, _ = anonymised_responses(table, min_group_size=minimum)
        assert anonymised.n_respondents == n
        check_responses(anonymised, minimum)
        small_units = {u for u, c in Counter(table.unit).items() if c < minimum}
        assert not small_units & set(anonymised.unit)
        # Answers travel with their respondent: nothing is dropped, altered or mixed up.
        before = dict(zip(table.respondent_id, map(bytes, table.codes), strict=True))
        after = dict(zip(anonymised.respondent_id, map(bytes, anonymised.codes), strict=True))
        assert before == after
