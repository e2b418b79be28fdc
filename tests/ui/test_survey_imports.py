"""The survey page loads only what a respondent needs: a fresh process that serves the survey from
the welcome to a statement page has not imported the dashboard or its libraries (pandas, scipy,
altair). Their objects would otherwise sit in every serving process and slow every collection.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from support import ROOT

pytestmark = pytest.mark.slow

#: Modules a respondent's pages must not load.
HEAVY = (
    "pandas",
    "scipy",
    "altair",
    "pyarrow",
    "assessment.ui.pages.dashboard",
    "assessment.ui.pages.campaigns",
    "assessment.ui.charts",
    "assessment.demo.seed",
)

_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from streamlit.testing.v1 import AppTest
    from assessment.campaigns.management import UnitSpec, create_campaign
    from assessment.storage import connect, upgrade

    url, app, heavy = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    db = connect(url, create=True)
    upgrade(db)
    code = create_campaign(
        db, name="Imports", questionnaire="work-management@1.0.0", organisation="Example Ltd",
        units=[UnitSpec("Operations"), UnitSpec("Sales")],
    ).code
    db.dispose()
    at = AppTest.from_file(app, default_timeout=60)
    at.query_params["c"] = code
    at.run()
    at.button(key="survey_start").click().run()
    at.selectbox(key="survey_w_unit").select("Operations")
    role = [r for r in at.radio if r.key == "survey_w_role"]
    if role:
        role[0].set_value("staff")
    next(b for b in at.button if (b.key or "").startswith("survey_next_")).click().run()
    radios = [r for r in at.radio if (r.key or "").startswith("survey_item_")]
    assert radios and not at.exception, [e.value for e in at.exception]
    radios[0].set_value(radios[0].options[0]).run()
    next(b for b in at.button if (b.key or "").startswith("survey_next_")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    print(json.dumps(sorted(m for m in heavy if m in sys.modules)))
    """
)


def test_the_survey_page_does_not_load_the_dashboard_libraries(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WMM_")}
    env.update(
        PYTHONPATH=str(ROOT),
        WMM_DATABASE_URL=f"sqlite:///{tmp_path / 'imports.sqlite'}",
        WMM_ADMIN_PASSWORD="test-password",
        WMM_BASE_URL="https://survey.example.org",
        WMM_DEMO="0",
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _SCRIPT,
            env["WMM_DATABASE_URL"],
            str(ROOT / "app.py"),
            json.dumps(HEAVY),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == [], f"the survey page loaded {loaded}"
