"""The process tuning of `assessment.runtime`: BLAS on one thread while scoring, whatever other sessions'
threads do meanwhile; work in the background; what `configure` does for a command and for the server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from typing import ClassVar

import pytest
import threadpoolctl

import assessment.runtime as threads
from assessment.runtime import single_threaded_blas


class FakeLimits:
    """Stands in for threadpoolctl's limiter: records when the limit is set and restored."""

    events: ClassVar[list[str]] = []

    def __init__(self, *, limits: int, user_api: str) -> None:
        assert (limits, user_api) == (1, "blas")
        self.events.append("set")

    def restore_original_limits(self) -> None:
        self.events.append("restore")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    FakeLimits.events = []
    monkeypatch.setattr(threadpoolctl, "threadpool_limits", FakeLimits)
    monkeypatch.setattr(threads, "_active", 0)
    monkeypatch.setattr(threads, "_limits", None)
    return FakeLimits.events


def test_overlapping_sessions_keep_the_limit_until_the_last_leaves(fake: list[str]) -> None:
    a_inside, b_inside, a_left = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, list[str]] = {}

    def session_a() -> None:
        with single_threaded_blas():
            a_inside.set()
            b_inside.wait(timeout=30)
        a_left.set()

    def session_b() -> None:
        a_inside.wait(timeout=30)
        with single_threaded_blas():
            b_inside.set()
            a_left.wait(timeout=30)
            seen["while b still scores"] = list(fake)

    workers = [threading.Thread(target=session_a), threading.Thread(target=session_b)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert seen["while b still scores"] == ["set"]  # a leaving did not lift b's limit
    assert fake == ["set", "restore"]  # b, the last to leave, restored it


def test_nested_use_sets_and_restores_once(fake: list[str]) -> None:
    with single_threaded_blas():
        with single_threaded_blas():
            assert fake == ["set"]
        assert fake == ["set"]
    assert fake == ["set", "restore"]


def test_the_real_limit_is_one_thread_inside() -> None:
    import numpy  # noqa: F401  (loads the BLAS library numpy uses)
    from threadpoolctl import threadpool_info

    with single_threaded_blas():
        assert {p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"} == {1}


def test_in_background_returns_at_once_and_hands_over_the_result() -> None:
    release = threading.Event()

    def waits_for_the_caller() -> str:
        assert release.wait(timeout=30), "the caller was blocked until the work finished"
        return threading.current_thread().name

    future = threads.in_background(waits_for_the_caller)
    assert not future.done()  # the call did not wait for the work
    release.set()
    name = future.result(timeout=30)
    assert name != threading.current_thread().name and name.startswith("background")


def test_in_background_raises_what_the_work_raised() -> None:
    def fails(message: str) -> None:
        raise ValueError(message)

    future = threads.in_background(fails, "bad file")
    with pytest.raises(ValueError, match="bad file"):
        future.result(timeout=30)


# Runs in a fresh interpreter: configures the process as argv[1] says ("none": not at all), imports
# inside `start_up_imports`, and reports what the collector and the environment looked like.
_START_UP_PROBE = """
import gc, json, os, sys
from assessment import runtime
if sys.argv[1] != "none":
    runtime.configure(sys.argv[1])
frozen = gc.get_freeze_count()
with runtime.start_up_imports():
    inside = gc.isenabled()
    import pandas
print(json.dumps({
    "inside": inside,
    "after": gc.isenabled(),
    "frozen": gc.get_freeze_count() - frozen,
    "openblas": os.environ.get("OPENBLAS_NUM_THREADS"),
    "kind": runtime.configured_kind(),
}))
"""


def _start_up(kind: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run(
        [sys.executable, "-c", _START_UP_PROBE, kind],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    record: dict[str, object] = json.loads(done.stdout)
    return record


@pytest.mark.parametrize("kind", ["command", "server"])
def test_a_configured_process_imports_without_collections_and_freezes_them(kind: str) -> None:
    record = _start_up(kind)
    assert record["inside"] is False and record["after"] is True
    assert isinstance(record["frozen"], int) and record["frozen"] > 10_000  # pandas' objects
    assert (record["openblas"], record["kind"]) == ("1", kind)


def test_an_unconfigured_process_is_left_as_it_is() -> None:
    record = _start_up("none")
    assert record["inside"] is True and record["after"] is True
    assert record["frozen"] == 0
    assert (record["openblas"], record["kind"]) == (None, None)


def test_configure_twice_changes_nothing_and_the_block_undoes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(threads, "_kind", None)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "3")  # the user's setting is kept
    with threads.configure("server"):
        assert threads.configured_kind() == "server"
        assert os.environ["OPENBLAS_NUM_THREADS"] == "3"
        with threads.configure("server"):
            pass
        assert threads.configured_kind() == "server"  # the inner call found it done
        with threads.configure("command"):
            assert threads.configured_kind() == "command"
        assert threads.configured_kind() == "server"
    assert threads.configured_kind() is None
    assert os.environ["OPENBLAS_NUM_THREADS"] == "3"


def test_the_arrow_pool_is_made_once() -> None:
    assert threads.arrow_pool() is threads.arrow_pool()
