"""How the product uses the processor's threads: BLAS on one thread while the pipeline runs, and work
started in the background while the main thread goes on.

The pipeline's matrix products are small and tall (blocks of 8,192 respondents × 2J columns, the
relative weights' moment matrices). Multi-threaded OpenBLAS gains little on them when the machine
is idle and loses badly when it is not: its threads spin while waiting for a core, and on a shared
2-core machine the 1M-respondent pipeline took 3 to 19 s with the default threads against a
steady 3 s on one (docs/benchmarks.md). Every caller of `scoring.pipeline.score` in the product
runs it inside `single_threaded_blas`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from threadpoolctl import threadpool_limits

__all__ = ["in_background", "single_threaded_blas"]

P = ParamSpec("P")
T = TypeVar("T")

# The BLAS thread count is a setting of the whole process, and Streamlit scores each session in
# its own thread: the limit is set when the first caller enters and restored when the last one
# leaves, so overlapping callers neither lift it under each other nor leave it set for good.
_lock = threading.Lock()
_active = 0
_limits: threadpool_limits | None = None


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Limit the BLAS libraries numpy and scipy loaded to one thread inside the block (safe to
    enter from several threads at once, and nested)."""
    global _active, _limits
    with _lock:
        if _active == 0:
            _limits = threadpool_limits(limits=1, user_api="blas")
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _limits is not None:
                _limits.restore_original_limits()
                _limits = None


def in_background(function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
    """Start ``function(*args, **kwargs)`` in a thread of its own and return its future at once.

    For work that releases the GIL (pyarrow parsing a file) while the main thread does Python work
    (imports, loading a questionnaire): on two cores the two overlap. ``future.result()`` returns
    the result or raises what the function raised. The thread is not a daemon: a process that
    fails before it asks for the result still lets it finish before exiting.
    """
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="background")
    try:
        return pool.submit(function, *args, **kwargs)
    finally:
        pool.shutdown(wait=False)
