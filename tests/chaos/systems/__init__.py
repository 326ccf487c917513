"""Small purpose-built systems that `stormproof chaos` is run against in the tests, each with
known, planted bugs (see ledger/ and register/), and how a test gets its own copy of one."""

from __future__ import annotations

import shutil
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import yaml

MANIFEST = "stormproof.yaml"


def system_variant(
    source: Path,
    dest: Path,
    bug: str,
    bugs: Collection[str],
    scenario: Mapping[str, Any] | None,
    extra: Collection[Path] = (),
) -> Path:
    """Copy the system in ``source`` (and the ``extra`` files) to ``dest/<its name>`` with
    ``BUG`` set to ``bug`` on every service ("" is the correct system) and, if given,
    ``scenario`` as its only scenario (``default``); returns the copy's manifest path."""
    if bug and bug not in bugs:
        raise ValueError(f"unknown {source.name} bug {bug!r}; expected one of {', '.join(bugs)}")
    root = dest / source.name
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    for path in extra:
        shutil.copy2(path, root / path.name)
    path = root / MANIFEST
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    for service in manifest["services"].values():
        service["env"]["BUG"] = bug
    if scenario is not None:
        manifest["chaos"]["scenarios"] = {"default": dict(scenario)}
    path.write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    return path
