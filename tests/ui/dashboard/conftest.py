"""The Dashboard tests' database: built once per test session, copied for each test module (a
module may add action items or import files without another module seeing them)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from ui.dashboard.helpers import PASSWORD, Codes, World, build_database, open_dashboard

from assessment.results import dashboard as dash
from assessment.storage import connect


@pytest.fixture(scope="session")
def dashboard_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Codes]:
    path = tmp_path_factory.mktemp("dashboard-template") / "wmm.sqlite"
    return path, build_database(path)


@pytest.fixture(scope="module")
def world(
    dashboard_template: tuple[Path, Codes], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    template, codes = dashboard_template
    path = tmp_path_factory.mktemp("dashboard") / "wmm.sqlite"
    shutil.copyfile(template, path)
    url = f"sqlite:///{path}"
    db = connect(url, create=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WMM_DATABASE_URL", url)
        patch.setenv("WMM_ADMIN_PASSWORD", PASSWORD)
        patch.setenv("WMM_BASE_URL", "https://wmm.example.org")
        patch.setenv("WMM_DEMO", "0")
        dash.clear_caches()
        st.cache_resource.clear()
        yield World(db=db, **asdict(codes))
    db.dispose()
    st.cache_resource.clear()
    dash.clear_caches()


@pytest.fixture(scope="module")
def demo_page(world: World) -> AppTest:
    return open_dashboard(world.demo)
