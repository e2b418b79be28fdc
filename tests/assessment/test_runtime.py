"""BLAS on one thread while scoring, whatever other sessions' threads do meanwhile."""

from __future__ import annotations

import threading
from typing import ClassVar

import pytest

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
    monkeypatch.setattr(threads, "threadpool_limits", FakeLimits)
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
