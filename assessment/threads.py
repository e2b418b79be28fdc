"""How scoring uses the processor's threads: BLAS on one thread while the pipeline runs.

The pipeline's matrix products are small and tall (blocks of 8,192 respondents × 2J columns, the
relative weights' moment matrices). Multi-threaded OpenBLAS gains little on them when the machine
is idle and loses badly when it is not: its threads spin while waiting for a core, and on a shared
2-core machine the 1M-respondent pipeline took 3 to 19 s with the default threads against a
steady 3 s on one (docs/benchmarks.md). Every caller of `scoring.pipeline.score` in the product
runs it inside `single_threaded_blas`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits

__all__ = ["single_threaded_blas"]

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
