"""Where survey links point: WMM_BASE_URL, else this machine's network address (never localhost while
another address exists), and a clear hint when a link only opens on this computer."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from assessment.campaigns.management import survey_url
from assessment.startup import prepare
from assessment.survey import site_address as site_address
from assessment.survey.site_address import (
    base_url,
    lan_address,
    pick_lan_address,
    reachable_from_network,
    served_base_url,
    unreachable_hint,
)


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        pytest.param(["127.0.0.1", "192.168.1.20"], "192.168.1.20", id="skips-loopback"),
        pytest.param(["169.254.3.4", "10.0.0.7"], "10.0.0.7", id="skips-link-local"),
        pytest.param(["93.184.216.34", "172.16.4.2"], "172.16.4.2", id="private-first"),
        pytest.param(["93.184.216.34"], "93.184.216.34", id="public-when-alone"),
        pytest.param(["127.0.0.1", "::1", "not-an-ip"], None, id="nothing-usable"),
        pytest.param([], None, id="no-interfaces"),
    ],
)
def test_pick_lan_address(candidates: list[str], expected: str | None) -> None:
    assert pick_lan_address(candidates) == expected


def test_this_machines_address_is_usable_or_none() -> None:
    address = lan_address()
    if address is not None:
        ip = ipaddress.ip_address(address)
        assert ip.version == 4 and not ip.is_loopback and not ip.is_link_local


def test_served_base_url_uses_the_network_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(site_address, "lan_address", lambda: "192.168.1.20")
    assert served_base_url(8501) == "http://192.168.1.20:8501"
    assert served_base_url(8600, "/wmm/") == "http://192.168.1.20:8600/wmm"


def test_served_base_url_falls_back_to_localhost(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(site_address, "lan_address", lambda: None)
    assert served_base_url() == "http://localhost:8501"


def test_base_url_prefers_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(site_address, "lan_address", lambda: "10.1.2.3")
    monkeypatch.setenv("WMM_BASE_URL", "https://survey.example.org/")
    assert base_url() == "https://survey.example.org"
    monkeypatch.setenv("WMM_BASE_URL", "  ")
    assert base_url() == "http://10.1.2.3:8501"
    assert survey_url("abc") == "http://10.1.2.3:8501/?c=abc"


@pytest.mark.parametrize(
    ("url", "reachable"),
    [
        ("http://localhost:8501/?c=x", False),
        ("http://127.0.0.1:8501/?c=x", False),
        ("http://[::1]:8501/?c=x", False),
        ("http://192.168.1.20:8501/?c=x", True),
        ("https://survey.example.org/?c=x", True),
    ],
)
def test_reachable_from_network(url: str, reachable: bool) -> None:
    assert reachable_from_network(url) is reachable
    assert (unreachable_hint(url) == "") is reachable


def test_the_hint_names_the_setting_that_fixes_it() -> None:
    hint = unreachable_hint("http://localhost:8501/?c=x")
    assert "phones cannot reach it" in hint and "WMM_BASE_URL=" in hint


def test_the_start_up_message_warns_when_phones_cannot_open_the_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WMM_BASE_URL", raising=False)
    monkeypatch.setattr(site_address, "lan_address", lambda: None)
    prepared = prepare(f"sqlite:///{tmp_path / 'a.sqlite'}", environ={}, secrets={})
    try:
        assert "http://localhost:8501/?c=" in prepared.announcement
        assert "phones cannot reach it" in prepared.announcement
    finally:
        prepared.startup.db.dispose()
