"""The Benchmark tab: the demo's peer organisations, an imported file, and an empty pool."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from ui.dashboard.helpers import (
    World,
    assert_clean,
    check_demo_panel,
    open_dashboard,
    show_tab,
    texts,
)

from assessment.results import dashboard as dash


def test_benchmark(world: World, demo_page: AppTest) -> None:
    # The demo seeds five peer organisations (demo data), so the tab shows a position.
    check_demo_panel(
        world, demo_page, "Benchmark", 1, ["other organisations", "Benchmark position"]
    )


def test_benchmark_panel_with_imported_benchmarks(world: World, tmp_path: Path) -> None:
    from assessment.outputs.campaign_exports import campaign_benchmark_csv, import_benchmarks

    # The earlier wave's benchmark file under another name stands in for a peer organisation.
    peer = tmp_path / "peer.csv"
    peer.write_bytes(
        campaign_benchmark_csv(world.db, world.demo_first, org="Peer organisation").data
    )
    import_benchmarks(world.db, [peer])
    at = open_dashboard(world.demo)
    show_tab(at, "Benchmark")
    assert_clean(at)
    assert len(at.get("vega_lite_chart")) == 1
    assert "Compared with" in texts(at)


def test_benchmark_panel_without_benchmark_files_says_how_to_import_them(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dash, "load_benchmark", lambda db, results: None)  # an empty pool
    at = show_tab(open_dashboard(world.demo), "Benchmark")
    assert_clean(at)
    assert len(at.get("vega_lite_chart")) == 0
    assert "No benchmark files are imported yet" in texts(at)
