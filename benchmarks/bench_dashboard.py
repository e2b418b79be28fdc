"""Speed of the dashboard from a warm cache: a campaign of 50,000 respondents against one of 500.

Seeds both campaigns into a temporary SQLite database, renders the Dashboard page with Streamlit's
AppTest (logged in, each panel), and prints medians and the ratio. Run:
`python benchmarks/bench_dashboard.py` (`--large 20000` for a quicker run; `--markdown` prints the
table for docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assessment.campaigns.importing import import_table
from assessment.campaigns.management import UnitSpec, create_campaign
from assessment.demo.generate import generate_organisation, organisation_profile
from assessment.questionnaire import default_registry
from assessment.results import dashboard as dash
from assessment.storage import Database, connect, upgrade
from assessment.ui.pages.dashboard import TABS

KEY = "work-management@1.1.0"
PASSWORD = "benchmark-password"
PANELS = TABS
#: The warm dashboard of the large campaign may take at most this many times as long as the small one
#: (summed over the panels: a facilitator's walk through the whole dashboard).
TARGET_RATIO = 1.5
UNITS = 20


def _seed(db: Database, name: str, respondents: int, *, units: int, seed: int) -> str:
    q = default_registry().get(KEY)
    profile = organisation_profile(seed=seed, n_units=units, min_size=5, max_size=500)
    sizes = [respondents // units + (1 if i < respondents % units else 0) for i in range(units)]
    demo = generate_organisation(q, seed=seed, profile=profile, respondents=sizes)
    info = create_campaign(
        db,
        name=name,
        questionnaire=KEY,
        organisation=name,
        # About 80% of each unit answered.
        units=[
            UnitSpec(u, None, -(-5 * n // 4)) for u, n in zip(profile.units, sizes, strict=True)
        ],
        targets={"completion": 4, "overall": 3},
    )
    import_table(db, info.code, demo.table, name=f"{name}.csv")
    return info.code


def _median(function: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _page(code: str) -> Any:  # AppTest: imported late, Streamlit reads the environment
    from streamlit.testing.v1 import AppTest

    from assessment.ui.pages import dashboard as dashboard_page
    from assessment.ui.session import PASSWORD_FIELD_KEY

    def script() -> None:
        from assessment.ui.pages import dashboard as dashboard_page

        dashboard_page.render()

    at = AppTest.from_function(script, default_timeout=600)
    at.session_state[dashboard_page.CAMPAIGN_KEY] = code
    at.run()
    at.text_input(key=PASSWORD_FIELD_KEY).input(PASSWORD)
    next(b for b in at.button if b.label == "Log in").click()
    at.run()
    if at.exception:
        raise RuntimeError(f"the dashboard failed: {at.exception[0].value}")
    return at


def measure(small: int, large: int, repeats: int) -> list[tuple[str, float, float]]:
    folder = Path(tempfile.mkdtemp(prefix="wmm-bench-dashboard-"))
    url = f"sqlite:///{folder / 'wmm.sqlite'}"
    os.environ.update(
        WMM_DATABASE_URL=url, WMM_ADMIN_PASSWORD=PASSWORD, WMM_DEMO="0", WMM_BASE_URL="http://x"
    )
    db = connect(url, create=True)
    upgrade(db)
    start = time.perf_counter()
    codes = {
        # The same units in both, so the comparison isolates the number of respondents.
        small: _seed(db, "Small organisation", small, units=UNITS, seed=1),
        large: _seed(db, "Large organisation", large, units=UNITS, seed=2),
    }
    print(f"seeded {small} and {large} respondents in {time.perf_counter() - start:.0f} s")
    rows: list[tuple[str, float, float]] = []
    cold: dict[int, float] = {}
    for n, code in codes.items():
        start = time.perf_counter()
        dash.load_results(db, code)
        cold[n] = time.perf_counter() - start
    rows.append(("first load: loading and scoring by unit (s)", cold[small], cold[large]))
    warm = {
        n: _median(lambda code=code: dash.load_results(db, code), repeats)
        for n, code in codes.items()
    }
    rows.append(("warm `load_results` (ms)", 1000 * warm[small], 1000 * warm[large]))
    pages = {n: _page(code) for n, code in codes.items()}
    for panel in PANELS:
        timings = {}
        for n, at in pages.items():
            at.session_state["wmm_dashboard_tab"] = panel
            at.run()  # the first visit may fill a cache (waves, benchmark); then warm runs
            if at.exception:
                raise RuntimeError(f"{panel} failed: {at.exception[0].value}")
            timings[n] = _median(at.run, repeats)
        rows.append((f"warm page, {panel} (ms)", 1000 * timings[small], 1000 * timings[large]))
    db.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument("--large", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    rows = measure(args.small, args.large, args.repeats)
    header = f"| measurement | {args.small:,} respondents | {args.large:,} respondents | ratio |"
    lines = [header, "|---|---:|---:|---:|"]
    pages = [(a, b) for name, a, b in rows if name.startswith("warm page")]
    rows.append(
        (
            "warm page, all panels (ms)",
            sum(a for a, _ in pages),
            sum(b for _, b in pages),
        )
    )
    for name, a, b in rows:
        ratio = b / a if a else float("nan")
        lines.append(f"| {name} | {a:,.1f} | {b:,.1f} | {ratio:.2f} |")
    total = rows[-1][2] / rows[-1][1]
    verdict = "met" if total <= TARGET_RATIO else "NOT met"
    lines.append("")
    lines.append(
        f"All panels, warm: ratio {total:.2f} (target ≤ {TARGET_RATIO}: {verdict}). Medians of "
        f"{args.repeats} runs, {UNITS} units in both campaigns, on "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}."
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
