"""How the product tunes the process it runs in: BLAS threads, Arrow's allocator, the garbage collector
and work in the background. Entry points (`wmm`'s main, `wmm serve`, the app) call `configure` once.

A library function never changes the process by itself: what differs between a one-shot command, the
app's server and a test process is decided here, from the kind the entry point declared.

- **BLAS threads.** The pipeline's matrix products are small and tall (blocks of 8,192 respondents ×
  2J columns, the relative weights' moment matrices). Multi-threaded OpenBLAS gains little on them
  when the machine is idle and loses badly when it is not: its threads spin while waiting for a core,
  and on a shared 2-core machine the 1M-respondent pipeline took 3 to 19 s with the default threads
  against a steady 3 s on one (docs/benchmarks.md). Every caller of `scoring.pipeline.score` in the
  product runs it inside `single_threaded_blas`; a configured process also sets
  ``OPENBLAS_NUM_THREADS=1`` (unless the user set it), so that OpenBLAS, loaded later, starts no
  threads at all (about 0.2 CPU-seconds of a 1M-row `wmm score`).
- **Arrow's allocator.** `arrow_pool` is where parsed CSV text lives (jemalloc where pyarrow has it).
  In a command's process it is also pyarrow's default pool: with mimalloc (the default on Linux) a
  1M-row `wmm score` spent 0.3-0.9 s more in the kernel zeroing fresh pages (perf: `clear_page_erms`
  under mimalloc's page allocation) and took 0.3-0.6 s longer. The app keeps the default.
- **Garbage collector.** Imports create hundreds of thousands of objects and no garbage: a configured
  process imports with the collector off and then freezes what was imported (`gc.freeze`), so that no
  later collection, the one at exit included, walks them again (0.25 s of a 1M-row `wmm score`).
- **Background work.** `in_background` runs GIL-releasing work (pyarrow parsing a file) in a thread
  while the main thread goes on (imports, loading a questionnaire).

Only the standard library is imported here: `wmm --help` pays for nothing it does not use.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, TypeVar

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "TUNINGS",
    "Kind",
    "Tuning",
    "arrow_pool",
    "configure",
    "configured_kind",
    "in_background",
    "single_threaded_blas",
    "start_up_imports",
]

P = ParamSpec("P")
T = TypeVar("T")

#: What an entry point runs: one command that exits when done (`wmm ...`), or the app's server
#: (`wmm serve`, `streamlit run app.py`), which keeps running and serves many sessions.
Kind = Literal["command", "server"]
OPENBLAS_THREADS_ENV = "OPENBLAS_NUM_THREADS"


@dataclass(frozen=True)
class Tuning:
    """How one kind of process is tuned.

    Attributes
    ----------
    openblas_one_thread : set ``OPENBLAS_NUM_THREADS=1`` unless the user set it (read when OpenBLAS
        loads, so it counts only when the entry point configures before numpy is imported)
    arrow_default_pool : make `arrow_pool` pyarrow's default pool for every allocation
    freeze_imports : import with the collector off and freeze what was imported (`start_up_imports`)
    collect_before_freeze : collect once before freezing, so that no garbage of the start-up stays
        for good (a long-running server); a command that exits soon skips the collection
    """

    openblas_one_thread: bool
    arrow_default_pool: bool
    freeze_imports: bool
    collect_before_freeze: bool


TUNINGS: dict[Kind, Tuning] = {
    "command": Tuning(
        openblas_one_thread=True,
        arrow_default_pool=True,
        freeze_imports=True,
        collect_before_freeze=False,
    ),
    # The server also builds pages, charts and downloads: pyarrow's default pool stays.
    "server": Tuning(
        openblas_one_thread=True,
        arrow_default_pool=False,
        freeze_imports=True,
        collect_before_freeze=True,
    ),
}

_state_lock = threading.RLock()
_kind: Kind | None = None
_arrow_pool: pa.MemoryPool | None = None
#: pyarrow's own default pool, kept when a command replaces it (to put it back).
_pyarrow_default: pa.MemoryPool | None = None


def configured_kind() -> Kind | None:
    """The kind the process was configured as (None: a library user or a test, left as it is)."""
    return _kind


class Configuration:
    """The tuning `configure` applied. As a context manager (``with configure("command"):``) it also
    puts back, at the end of the block, what it changed that can be put back: the kind, pyarrow's
    default pool and ``OPENBLAS_NUM_THREADS`` (frozen objects stay frozen). `wmm`'s main uses the
    block, so that a test running it in its own process gets that process back."""

    def __init__(self, kind: Kind, previous_kind: Kind | None, previous_env: str | None) -> None:
        self.kind = kind
        self._previous_kind = previous_kind
        self._previous_env = previous_env

    def __enter__(self) -> Configuration:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.undo()

    def undo(self) -> None:
        """Put back the kind, pyarrow's default pool and the environment as they were before."""
        global _kind
        with _state_lock:
            _kind = self._previous_kind
            if self._previous_env is None:
                os.environ.pop(OPENBLAS_THREADS_ENV, None)
            else:
                os.environ[OPENBLAS_THREADS_ENV] = self._previous_env
            _apply_arrow_default()


def configure(kind: Kind) -> Configuration:
    """Tune this process as ``kind``; entry points call it first, before numpy loads if they can.

    Sets ``OPENBLAS_NUM_THREADS=1`` unless the user set it; in a command, makes `arrow_pool`
    pyarrow's default pool (now if pyarrow is loaded, else when the pool is first used); from then
    on `start_up_imports` imports without collections and freezes what it imported. A second call with the same kind changes nothing (the app calls it on
    every run of its script); a call with another kind tunes the process as that kind from then on
    (`wmm serve` runs inside `wmm`'s main). Returns the `Configuration`, a context manager that
    undoes it.
    """
    global _kind
    with _state_lock:
        previous_kind = _kind
        configuration = Configuration(kind, previous_kind, os.environ.get(OPENBLAS_THREADS_ENV))
        if previous_kind == kind:
            return configuration
        _kind = kind
        if TUNINGS[kind].openblas_one_thread:
            os.environ.setdefault(OPENBLAS_THREADS_ENV, "1")
        _apply_arrow_default()
        return configuration


def _apply_arrow_default() -> None:
    """pyarrow's default pool as the current kind wants it (nothing to do before pyarrow loads:
    `arrow_pool` applies it when the pool is first made)."""
    global _pyarrow_default
    if "pyarrow" not in sys.modules:
        return
    import pyarrow as pa

    if _kind is not None and TUNINGS[_kind].arrow_default_pool:
        if _pyarrow_default is None:
            _pyarrow_default = pa.default_memory_pool()
        pa.set_memory_pool(arrow_pool())
    elif _pyarrow_default is not None:
        pa.set_memory_pool(_pyarrow_default)


def arrow_pool() -> pa.MemoryPool:
    """Where parsed CSV text lives: jemalloc when this pyarrow has it, else pyarrow's default.

    In a fresh process, jemalloc hands out the memory of the parsed text much faster than mimalloc:
    1M rows read in ~0.95 s instead of ~1.3 s. Created on first use; in a process configured as a
    command it becomes pyarrow's default pool then.
    """
    global _arrow_pool
    with _state_lock:
        if _arrow_pool is None:
            import pyarrow as pa

            try:
                _arrow_pool = pa.jemalloc_memory_pool()
            except NotImplementedError:  # pyarrow built without jemalloc (Windows wheels) says so
                _arrow_pool = pa.default_memory_pool()
            _apply_arrow_default()
        return _arrow_pool


@contextmanager
def start_up_imports() -> Iterator[None]:
    """Import a command's or the app's libraries (pandas, scipy, ...) inside this block: in a
    configured process without garbage collection, and frozen afterwards (`gc.freeze`); in any other
    process (a test, a notebook) the collector is left as it is."""
    kind = _kind
    if kind is None or not TUNINGS[kind].freeze_imports:
        yield
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if TUNINGS[kind].collect_before_freeze:
            gc.collect()
        gc.freeze()
        if enabled:
            gc.enable()


# The BLAS thread count is a setting of the whole process, and Streamlit scores each session in
# its own thread: the limit is set when the first caller enters and restored when the last one
# leaves, so overlapping callers neither lift it under each other nor leave it set for good.
_lock = threading.Lock()
_active = 0
_limits: Any = None


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Limit the BLAS libraries numpy and scipy loaded to one thread inside the block (safe to
    enter from several threads at once, and nested)."""
    global _active, _limits
    from threadpoolctl import threadpool_limits

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
