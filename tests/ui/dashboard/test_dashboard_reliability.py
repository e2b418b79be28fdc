"""The Reliability tab: alpha and ICCs, response quality, agreement, the language and rewording
checks, the scoring's notes in the reader's language."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest
from ui.dashboard.helpers import (
    QUESTIONNAIRE,
    World,
    assert_clean,
    check_demo_panel,
    open_dashboard,
    show_tab,
    texts,
)

from assessment.campaigns.importing import import_table
from assessment.campaigns.management import UnitSpec, create_campaign
from assessment.demo.generate import generate_organisation, organisation_profile
from assessment.i18n import text
from assessment.questionnaire import default_registry
from assessment.results import dashboard as dash
from assessment.ui.language import LANGUAGE_KEY
from assessment.ui.pages.dashboard.page import TAB_IDS, tab_labels


def test_reliability(world: World, demo_page: AppTest) -> None:
    check_demo_panel(
        world,
        demo_page,
        "Reliability",
        1,
        [
            "Response quality",
            "ICC(1)",
            "Do the statements read alike in each language?",
            # The demo's second wave rewords four statements of the first: checked against it.
            "Do the reworded statements read as their earlier wording did?",
        ],
    )


def test_the_notes_read_german(world: World) -> None:
    """A small campaign makes the release and the scoring note what they did: a unit over its
    head-count, a small unit pooled, the organisation row's method, drivers with too few
    respondents. On the German dashboard each note reads German and none English."""
    q = default_registry().get(QUESTIONNAIRE)
    info = create_campaign(
        world.db,
        name="Notes",
        questionnaire=QUESTIONNAIRE,
        organisation="Notes Ltd",
        units=[UnitSpec("Tiny", None, 5), UnitSpec("North", None, 10), UnitSpec("South", None, 7)],
    )
    profile = organisation_profile(
        seed=6, n_units=3, unit_names=["Tiny", "North", "South"], min_size=1
    )
    table = generate_organisation(q, seed=6, profile=profile, respondents=[3, 8, 9]).table
    import_table(world.db, info.code, table, name="notes.csv")
    notes = dash.load_results(world.db, info.code).by_unit.result.notes
    assert {n.key for n in notes} >= {
        "over_count_unit",
        "pooled_breakdown",
        "org_row_as_surveyed",
        "drivers_too_few",
    }
    at = open_dashboard(info.code)
    at.session_state[LANGUAGE_KEY] = "de"
    at.selectbox(key="wmm_dashboard_language").select("de").run()
    show_tab(at, tab_labels("de")[TAB_IDS.index("reliability")])
    assert_clean(at)
    # The notes are markdown with their punctuation escaped (`as_text`): read them unescaped.
    shown = re.sub(r"\\(.)", r"\1", texts(at))
    for german in (
        "South: 9 Antworten, aber eine Kopfzahl von 7 — als 9 gezählt",
        "Einheit: 1 Einheit mit weniger als 5 Befragten (Tiny) mit North zusammengefasst",
        "Organisationszeile: die Organisation, wie sie befragt wurde",
        f"Treiber von {text('common.dimension.outcome', 'de')}: Befragte mit allen",
    ):
        assert german in shown, german
    for note in notes:
        assert str(note) not in shown
