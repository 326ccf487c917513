"""What a Docker Compose file says about the system, for drafting a manifest."""

from __future__ import annotations

import posixpath
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from stormproof.manifest.errors import display_path

COMPOSE_FILE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")

# Substrings of an image name, and the datastore kind such an image runs.
_IMAGE_KINDS = (
    ("postgis", "postgres"),
    ("postgres", "postgres"),
    ("timescale", "postgres"),
    ("mysql", "mysql"),
    ("mariadb", "mysql"),
    ("redis", "redis"),
    ("valkey", "redis"),
    ("mongo", "mongodb"),
    ("kafka", "kafka"),
    ("redpanda", "kafka"),
    ("rabbitmq", "rabbitmq"),
)


class ComposeError(Exception):
    """A compose file that cannot be read; `str()` is one line naming the file."""


@dataclass(frozen=True, slots=True)
class ComposeService:
    name: str
    build_dir: str | None  # root-relative, '/'-separated, "." for the root; None: no build
    image: str | None
    command: str | None
    environment: dict[str, str]
    depends_on: list[str]

    @property
    def datastore_kind(self) -> str | None:
        """The datastore this service's image runs, if it is one."""
        if self.build_dir is not None or not self.image:
            return None
        image = self.image.rsplit("/", 1)[-1].split(":", 1)[0].lower()
        return next((kind for part, kind in _IMAGE_KINDS if part in image), None)


@dataclass(frozen=True, slots=True)
class ComposeFile:
    name: str  # the file's name, for evidence
    services: list[ComposeService]


def read_compose(root: Path) -> ComposeFile | None:
    """The first compose file in `root`, or None; raises ComposeError when it is unreadable."""
    path = next((root / n for n in COMPOSE_FILE_NAMES if (root / n).is_file()), None)
    if path is None:
        return None
    shown = display_path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ComposeError(f"{shown}: not UTF-8 text") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"{shown}:{mark.line + 1}:{mark.column + 1}" if mark else shown
        raise ComposeError(f"{where}: invalid YAML: {error.problem}") from None
    except yaml.YAMLError as error:
        raise ComposeError(f"{shown}: invalid YAML: {' '.join(str(error).split())}") from None
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict):
        raise ComposeError(f"{shown}: no 'services' mapping")
    return ComposeFile(
        path.name,
        [_service(str(n), spec) for n, spec in services.items() if isinstance(spec, dict)],
    )


def _service(name: str, spec: dict[str, Any]) -> ComposeService:
    return ComposeService(
        name=name,
        build_dir=_build_dir(spec.get("build")),
        image=str(spec["image"]) if spec.get("image") else None,
        command=_command(spec.get("command")),
        environment=_environment(spec.get("environment")),
        depends_on=_depends_on(spec.get("depends_on")),
    )


def _build_dir(build: object) -> str | None:
    if isinstance(build, str):
        context, dockerfile = build, None
    elif isinstance(build, dict):
        context, dockerfile = str(build.get("context", ".")), build.get("dockerfile")
    else:
        return None
    if "://" in context or context.startswith("git@"):
        return None  # built from a remote repository: no code in this tree
    context = posixpath.normpath(context)
    # One context for every image, told apart by their Dockerfiles: the Dockerfile's folder.
    if context == "." and isinstance(dockerfile, str) and "/" in dockerfile:
        return posixpath.dirname(posixpath.normpath(dockerfile))
    return context


def _command(command: object) -> str | None:
    if isinstance(command, str):
        return command
    if isinstance(command, list):
        return shlex.join(str(part) for part in command)
    return None


def _environment(environment: object) -> dict[str, str]:
    if isinstance(environment, dict):
        return {str(k): "" if v is None else str(v) for k, v in environment.items()}
    if isinstance(environment, list):
        pairs = (str(item).partition("=") for item in environment)
        return {key: value for key, _, value in pairs}
    return {}


def _depends_on(depends_on: object) -> list[str]:
    if isinstance(depends_on, list | dict):
        return [str(name) for name in depends_on]
    return []
