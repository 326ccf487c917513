"""Check settings: from the manifest's `check:` section or `[tool.stormproof]` in pyproject.toml.

Command-line options override both; the manifest overrides pyproject.toml key by
key, because the manifest is the system's own description.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

FAIL_ON = ("error", "warning", "never")
# Generous: generated code is small; huge files are vendored or generated data.
DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024


class ConfigError(Exception):
    """Invalid check settings; the message names the file and key."""


@dataclass(frozen=True, slots=True)
class CheckSettings:
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    fail_on: str = "warning"
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    # Test code is not what fails in production; it is skipped unless asked for.
    include_tests: bool = False

    def merged(self, overrides: dict[str, Any]) -> CheckSettings:
        """These settings with every non-None override applied."""
        changes = {k: v for k, v in overrides.items() if v is not None}
        return replace(self, **changes)


_KEYS = [f.name for f in fields(CheckSettings)]


def settings_from_mapping(data: dict[str, Any], source: str) -> dict[str, Any]:
    """Validate one settings table (keys may use `-` or `_`); returns the recognised values."""
    result: dict[str, Any] = {}
    for raw_key, value in data.items():
        key = str(raw_key).replace("-", "_")
        if key not in _KEYS:
            hint = difflib.get_close_matches(key, _KEYS, n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            raise ConfigError(f"{source}: unknown key '{raw_key}'{suggestion}")
        result[key] = _validated(key, value, source)
    return result


def _validated(key: str, value: Any, source: str) -> Any:
    if key in ("select", "ignore", "exclude"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{source}: '{key}' must be a list of strings")
    elif key == "fail_on":
        if value not in FAIL_ON:
            raise ConfigError(f"{source}: 'fail_on' must be one of {', '.join(FAIL_ON)}")
    elif key == "per_file_ignores":
        if not isinstance(value, dict) or not all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in value.values()
        ):
            raise ConfigError(f"{source}: 'per_file_ignores' must map globs to lists of rules")
    elif key == "include_tests" and not isinstance(value, bool):
        raise ConfigError(f"{source}: 'include_tests' must be true or false")
    elif key == "max_file_bytes" and (not isinstance(value, int) or value <= 0):
        raise ConfigError(f"{source}: 'max_file_bytes' must be a positive integer")
    return value


def load_pyproject_settings(root: Path) -> dict[str, Any]:
    path = root / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    table = data.get("tool", {}).get("stormproof")
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.stormproof] must be a table")
    return settings_from_mapping(table, f"{path} [tool.stormproof]")


def load_settings(root: Path, manifest_section: dict[str, Any] | None) -> CheckSettings:
    """pyproject.toml's `[tool.stormproof]` overlaid with the manifest's `check:` section."""
    values = load_pyproject_settings(root)
    if manifest_section:
        values.update({k: v for k, v in manifest_section.items() if v is not None})
    return CheckSettings().merged(values)
