"""A process configured by its entry point (`assessment.runtime.configure`) runs OpenBLAS on one thread
from the start unless the user said otherwise, and a command's Arrow allocations use the parse pool; a
test's own process, and a process after `wmm`'s main returned, are left as they were."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import Run
from support import ROOT

WAVE1 = ROOT / "data" / "demo" / "wave1.csv"

# Tunes the process as `wmm`'s main does, then imports numpy and reports OpenBLAS's threads.
_PROBE = """
import json
from assessment import runtime
runtime.configure("command")
import numpy
from threadpoolctl import threadpool_info
print(json.dumps([i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]))
"""


def _blas_threads(env: dict[str, str]) -> list[int]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True
    )
    threads: list[int] = json.loads(done.stdout)
    return threads


def _environment(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    env.update(settings)
    return env


def test_openblas_starts_on_one_thread() -> None:
    threads = _blas_threads(_environment())
    if not threads:
        pytest.skip("this numpy loads no BLAS that threadpoolctl can see")
    assert threads == [1] * len(threads)


def test_a_users_setting_is_kept() -> None:
    threads = _blas_threads(_environment(OPENBLAS_NUM_THREADS="2"))
    if not threads:
        pytest.skip("this numpy loads no BLAS that threadpoolctl can see")
    assert threads == [2] * len(threads)


def _pools(probe: str) -> list[str]:
    """Backend names the probe prints (pyarrow's default pool and others)."""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return done.stdout.split()


@pytest.mark.parametrize(
    "configure_then_load",
    [pytest.param(True, id="configured-first"), pytest.param(False, id="pyarrow-loaded-first")],
)
def test_the_parse_pool_becomes_pyarrows_default_in_a_command(configure_then_load: bool) -> None:
    configure = "from assessment import runtime\nruntime.configure('command')\n"
    load = "import pyarrow as pa\nfrom assessment.responses.csv_text import PARSE_POOL\n"
    steps = configure + load if configure_then_load else load + configure
    default, parse = _pools(
        steps + "print(pa.default_memory_pool().backend_name, PARSE_POOL.backend_name)\n"
    )
    assert default == parse


def test_a_server_keeps_pyarrows_default_pool() -> None:
    before, after, parse = _pools(
        "import pyarrow as pa\n"
        "before = pa.default_memory_pool().backend_name\n"
        "from assessment import runtime\n"
        "runtime.configure('server')\n"
        "from assessment.responses.csv_text import PARSE_POOL\n"
        "print(before, pa.default_memory_pool().backend_name, PARSE_POOL.backend_name)\n"
    )
    assert after == before
    if parse == before:
        pytest.skip("this pyarrow has no jemalloc: the parse pool is the default one")


def test_the_end_of_a_command_puts_the_process_back() -> None:
    before, during, after, kind = _pools(
        "import pyarrow as pa\n"
        "from assessment import runtime\n"
        "before = pa.default_memory_pool().backend_name\n"
        "with runtime.configure('command'):\n"
        "    during = pa.default_memory_pool().backend_name\n"
        "print(before, during, pa.default_memory_pool().backend_name, runtime.configured_kind())\n"
    )
    assert (after, kind) == (before, "None")
    assert during == runtime_parse_backend()


def runtime_parse_backend() -> str:
    """The backend of `assessment.runtime.arrow_pool` in a fresh process."""
    (name,) = _pools("from assessment import runtime\nprint(runtime.arrow_pool().backend_name)\n")
    return name


def test_scoring_in_a_test_process_leaves_pyarrows_default_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow as pa
    from click.testing import CliRunner

    from assessment import runtime
    from assessment.cli import cli

    monkeypatch.setattr(runtime, "_kind", None)  # a process no entry point configured

    before = pa.default_memory_pool().backend_name
    result = CliRunner().invoke(
        cli,
        ["score", str(WAVE1), "-q", "work-management@1.0.0", "--out", str(tmp_path / "s.csv")],
    )
    assert result.exit_code == 0, result.output
    assert pa.default_memory_pool().backend_name == before


def test_main_run_in_a_test_process_gives_the_process_back(tmp_path: Path, wmm: Run) -> None:
    import pyarrow as pa

    from assessment import runtime

    kind, pool = runtime.configured_kind(), pa.default_memory_pool().backend_name
    code, _, err = wmm("score", WAVE1, "-q", "work-management@1.0.0", "--out", tmp_path / "s.csv")
    assert code == 0, err
    assert (runtime.configured_kind(), pa.default_memory_pool().backend_name) == (kind, pool)
