"""Fixtures for questionnaire tests: a small valid questionnaire to load and to break on purpose."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

MINIMAL = Path(__file__).with_name("minimal.yaml")


@pytest.fixture
def minimal_data() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load(MINIMAL.read_text("utf-8")))


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[[Any, str], Path]:
    def write(data: Any, name: str = "q.yaml") -> Path:
        path = tmp_path / name
        text = (
            data
            if isinstance(data, str)
            else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        )
        path.write_text(text, encoding="utf-8")
        return path

    return write
