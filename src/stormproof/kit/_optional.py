"""Optional dependencies, imported when the class that needs them is built.

``import stormproof.kit`` must work without psycopg or redis installed: only a store built on
them needs them, and it says which extra to install, at construction rather than on its
first call."""

from __future__ import annotations

import importlib
from types import ModuleType

from stormproof.kit.errors import ConfigurationError


def require(module: str, *, extra: str, needed_by: str) -> ModuleType:
    """Import ``module``, or raise ConfigurationError naming the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ConfigurationError(
            f"{needed_by} needs the {module} package: pip install 'stormproof[{extra}]'"
        ) from exc
