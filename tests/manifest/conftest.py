from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

WriteManifest = Callable[[str], Path]


@pytest.fixture
def fixtures() -> Path:
    return Path(__file__).parent / "fixtures"


@pytest.fixture
def write_manifest(tmp_path: Path) -> WriteManifest:
    """Write dedented YAML to tmp_path/stormproof.yaml and return its path."""

    def write(text: str) -> Path:
        path = tmp_path / "stormproof.yaml"
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write
