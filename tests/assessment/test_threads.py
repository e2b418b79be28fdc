"""BLAS on one thread while scoring, whatever other sessions' threads do meanwhile."""

from __future__ import annotations

import threading

from threadpoolctl import threadpool_info

from assessment.threads import single_threaded_blas


def _blas_threads() -> set[int]:
    return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}


def test_overlapping_sessions_keep_the_limit_until_the_last_leaves() -> None:
    before = _blas_threads()
    a_inside, b_inside, a_left, b_left = (threading.Event() for _ in range(4))
    seen: dict[str, set[int]] = {}

    def session_a() -> None:
        with single_threaded_blas():
            a_inside.set()
            b_inside.wait()
        a_left.set()

    def session_b() -> None:
        a_inside.wait()
        with single_threaded_blas():
            b_inside.set()
            a_left.wait()
            seen["b after a left"] = _blas_threads()
        b_left.set()

    threads = [threading.Thread(target=session_a), threading.Thread(target=session_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert b_left.is_set()
    assert seen["b after a left"] == {1}
    assert _blas_threads() == before


def test_nested_use_restores_the_original_count() -> None:
    before = _blas_threads()
    with single_threaded_blas():
        with single_threaded_blas():
            assert _blas_threads() == {1}
        assert _blas_threads() == {1}
    assert _blas_threads() == before
