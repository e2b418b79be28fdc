"""A process `wmm` owns runs OpenBLAS on one thread from the start, unless the user said otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT

WAVE1 = ROOT / "data" / "demo" / "wave1.csv"

# Tunes the process as `wmm`'s main does, then imports numpy and reports OpenBLAS's threads.
_PROBE = """
import json
from assessment.cli import _tune_process
_tune_process()
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


def test_the_parse_pool_becomes_pyarrows_default_in_a_process_of_its_own() -> None:
    probe = (
        "import pyarrow as pa\n"
        "from assessment.responses.csv_text import PARSE_POOL, use_parse_pool_by_default\n"
        "use_parse_pool_by_default()\n"
        "print(pa.default_memory_pool().backend_name, PARSE_POOL.backend_name)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    default, parse = done.stdout.split()
    assert default == parse


def test_scoring_in_a_test_process_leaves_pyarrows_default_pool(tmp_path: Path) -> None:
    import pyarrow as pa
    from click.testing import CliRunner

    from assessment.cli import cli

    before = pa.default_memory_pool().backend_name
    result = CliRunner().invoke(
        cli,
        ["score", str(WAVE1), "-q", "work-management@1.0.0", "--out", str(tmp_path / "s.csv")],
    )
    assert result.exit_code == 0, result.output
    assert pa.default_memory_pool().backend_name == before
