"""The release built from stored answers (SQLite and PostgreSQL): moving respondents between hidden
groups changes no published byte."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import assessment.results.dashboard as dash
from assessment.campaigns.importing import import_table
from assessment.campaigns.management import UnitSpec, create_campaign
from assessment.demo.generate import generate_organisation, organisation_profile
from assessment.outputs.exports import scores_csv
from assessment.questionnaire import default_registry
from assessment.responses.wide_csv import ResponseTable
from assessment.results.release import Release, build_release
from assessment.storage import Database
from scoring.partitions import OTHER_UNITS

KEY = "work-management@1.1.0"
UNITS = {"A": 9, "B": 7, "H1": 2, "H2": 3}


def _base() -> ResponseTable:
    q = default_registry().get(KEY)
    profile = organisation_profile(
        seed=31, n_units=len(UNITS), unit_names=list(UNITS), min_size=1, max_size=20
    )
    table = generate_organisation(
        q, seed=31, profile=profile, respondents=list(UNITS.values())
    ).table
    n = table.n_respondents
    roles = np.array((["staff", "manager"] * n)[:n], dtype=object)
    roles[[0, 5]] = ["other", None]
    return replace(table, demographics={"role": roles})


def _stored(db: Database, table: ResponseTable) -> Release:
    info = create_campaign(
        db,
        name="Hidden moves",
        questionnaire=KEY,
        organisation="Moves Ltd",
        units=[UnitSpec(u, None, n + 1) for u, n in UNITS.items()],
    )
    import_table(db, info.code, table, name="t.csv")
    return build_release(db, info.code)


def _published(release: Release) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, scored in (("unit", release.scores("unit")), ("role", release.by_role)):
        assert scored is not None
        meta = {**scored.metadata, "generated_at": "-", "campaign": "-"}
        out[f"{name}.scores"] = scores_csv(scored.result, meta).decode("utf-8")
        out[f"{name}.stats"] = scored.result.stats.to_csv(index=False)
    participation = dash.CampaignResults(release).participation()
    out["participation"] = participation.to_csv(index=False)
    out["counts"] = repr(
        (
            sorted(release.unit_counts.items()),
            sorted(release.role_counts.items()),
            sorted(release.language_counts.items()),
        )
    )
    out["notes"] = "\n".join(map(str, release.notes))
    return out


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_hidden_moves_change_no_published_byte_in_storage(
    db: Database, data: st.DataObject
) -> None:
    base = _base()
    reference = _published(_stored(db, base))
    assert OTHER_UNITS in reference["participation"]
    hidden = np.flatnonzero(np.isin(base.unit, ["H1", "H2"]))
    order = data.draw(st.permutations(range(hidden.size)))
    units = np.asarray(base.unit, dtype=object).copy()
    units[hidden] = units[hidden][np.asarray(order)]
    roles = np.where(pd.isna(base.demographics["role"]), "-", base.demographics["role"])
    small = np.flatnonzero(np.isin(roles, ["other", "-"]))
    roles[small] = roles[small][::-1] if data.draw(st.booleans()) else roles[small]
    roles[roles == "-"] = None
    moved = replace(base, unit=units, demographics={"role": roles})
    assert _published(_stored(db, moved)) == reference
