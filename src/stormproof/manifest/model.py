"""The system model that `stormproof.yaml` describes.

Strict pydantic models with no unknown keys: YAML already yields native types,
so `"5"` where a number belongs is a mistake worth reporting, not coercing.
Names (of services, datastores, sagas, call targets) are the mapping keys in
the file; they are attached to the objects after validation so that a `name:`
key inside a service is still an unknown key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import (
    BeforeValidator,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    field_validator,
    model_validator,
)

from stormproof.manifest.base import _Model
from stormproof.manifest.chaos import ChaosSection
from stormproof.manifest.errors import SourcePosition
from stormproof.manifest.source import SourceMap

MANIFEST_NAME = "stormproof.yaml"
SERVICE_NAME = re.compile(r"[a-z][a-z0-9-]*\Z")
HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})

Role = Literal["edge", "service", "worker"]
CapChoice = Literal["CP", "AP"]
DatastoreKind = Literal[
    "sqlite", "postgres", "mysql", "redis", "mongodb", "kafka", "rabbitmq", "other"
]
Backoff = Literal["exponential", "constant", "linear"]
FailOn = Literal["error", "warning", "never"]


def default_url_env(service: str) -> str:
    """The env var the short form `calls: [name]` wires: `<NAME>_URL`, '-' → '_'."""
    return service.upper().replace("-", "_") + "_URL"


def _switch_from_yaml(value: object) -> object:
    # YAML 1.1 reads a bare `off` as False (and `on` as True).
    if isinstance(value, bool):
        return "required" if value else "off"
    return value


def _env_text(value: object) -> object:
    # `WORKERS: 4` or `DEBUG: true` in an env mapping mean the strings a process sees.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


Switch = Annotated[Literal["required", "off"], BeforeValidator(_switch_from_yaml)]
EnvValue = Annotated[str, BeforeValidator(_env_text)]


class Endpoint(NamedTuple):
    """`"POST /charges"` split into its method and route."""

    method: str
    route: str


def parse_endpoint(text: str) -> Endpoint:
    """Split `METHOD /path`; raises ValueError when `text` is not of that form."""
    parts = text.split()
    if len(parts) != 2 or parts[0].upper() not in HTTP_METHODS or not parts[1].startswith("/"):
        raise ValueError(f"expected 'METHOD /path' such as 'POST /charges', got {text!r}")
    return Endpoint(parts[0].upper(), parts[1])


class _Named(_Model):
    """A model whose name is its key in the manifest."""

    _name: str = PrivateAttr(default="")

    @property
    def name(self) -> str:
        return self._name


def _name_entries(entries: Mapping[str, _Named]) -> None:
    for name, entry in entries.items():
        entry._name = name


class Call(_Model):
    """One allowed outgoing dependency: the target service and the env var holding its URL."""

    env: str
    _service: str = PrivateAttr(default="")

    @property
    def service(self) -> str:
        return self._service


class Consistency(_Model):
    choice: CapChoice
    reason: str = Field(min_length=1)


class Service(_Named):
    role: Role = "service"
    # Defaults to "<name>/"; the manifest fills it in because only it knows the name.
    path: str = ""
    run: str | None = None
    health: str = "/health"
    # A fixed port, for a service whose `run` cannot be told one through `{port}`.
    port: int | None = Field(default=None, gt=0, lt=65536)
    env: dict[str, EnvValue] = {}
    calls: dict[str, Call] = {}
    owns: list[str] = []
    consistency: Consistency | None = None

    @field_validator("calls", mode="before")
    @classmethod
    def _normalise_calls(cls, value: object) -> object:
        if isinstance(value, list):
            calls: dict[str, object] = {}
            for item in value:
                if not isinstance(item, str):
                    raise ValueError("the short form lists service names, e.g. [payments, flights]")
                if item in calls:
                    raise ValueError(f"'{item}' is listed twice")
                calls[item] = {"env": default_url_env(item)}
            return calls
        if isinstance(value, dict):
            return {name: _call_with_default_env(name, spec) for name, spec in value.items()}
        return value

    @model_validator(mode="after")
    def _name_calls(self) -> Service:
        for target, call in self.calls.items():
            call._service = target
        return self


def _call_with_default_env(target: str, spec: object) -> object:
    if spec is None:
        return {"env": default_url_env(target)}
    if isinstance(spec, dict) and "env" not in spec:
        return {"env": default_url_env(target), **spec}
    return spec


class Datastore(_Named):
    kind: DatastoreKind
    env: str | None = None


class SagaStep(_Model):
    service: str
    action: str
    compensation: str | None = None
    pivot: bool = False

    @field_validator("action", "compensation")
    @classmethod
    def _is_endpoint(cls, value: str | None) -> str | None:
        if value is None:
            return None
        method, route = parse_endpoint(value)
        return f"{method} {route}"

    @property
    def endpoint(self) -> Endpoint:
        return parse_endpoint(self.action)

    @property
    def method(self) -> str:
        return self.endpoint.method

    @property
    def route(self) -> str:
        return self.endpoint.route

    @property
    def compensation_endpoint(self) -> Endpoint | None:
        return parse_endpoint(self.compensation) if self.compensation else None


class Saga(_Named):
    coordinator: str
    steps: list[SagaStep] = Field(min_length=1)


class RetryPolicy(_Model):
    max_attempts: int = Field(default=5, ge=1)
    backoff: Backoff = "exponential"
    jitter: Switch = "required"


def _retries_branch(value: object) -> str:
    return "policy" if isinstance(value, dict | RetryPolicy) else "switch"


Retries = Annotated[
    Annotated[RetryPolicy, Tag("policy")] | Annotated[Literal["off"], Tag("switch")],
    Discriminator(_retries_branch),
]


class Policies(_Model):
    timeouts: Switch = "required"
    retries: Retries = RetryPolicy()
    circuit_breakers: Switch = "required"
    idempotency: Switch = "required"
    tracing: Switch = "required"

    @field_validator("retries", mode="before")
    @classmethod
    def _retries_switch(cls, value: object) -> object:
        value = _switch_from_yaml(value)
        if value == "required":
            return RetryPolicy()
        if value == "off" or isinstance(value, dict | RetryPolicy):
            return value
        raise ValueError(
            f"expected required, off or a mapping {{max_attempts, backoff, jitter}}, got {value!r}"
        )

    def enabled(self, name: str) -> bool:
        """Whether policy `name` (e.g. "timeouts") is on; raises ValueError for an unknown name."""
        names = type(self).model_fields
        if name not in names:
            raise ValueError(f"unknown policy {name!r}; policies are {', '.join(names)}")
        return getattr(self, name) != "off"


class CheckSection(_Model):
    """The check engine's configuration; its meaning belongs to `stormproof.check`."""

    select: list[str] = []
    ignore: list[str] = []
    exclude: list[str] = []
    # None: the command line's default applies.
    fail_on: FailOn | None = None
    per_file_ignores: dict[str, list[str]] = {}
    include_tests: bool | None = None
    max_file_bytes: int | None = Field(default=None, gt=0)


_OPTIONAL_SECTIONS = frozenset({"services", "datastores", "sagas", "policies", "chaos", "check"})


class Manifest(_Model):
    version: int
    name: str
    services: dict[str, Service] = {}
    datastores: dict[str, Datastore] = {}
    sagas: dict[str, Saga] = {}
    policies: Policies = Policies()
    chaos: ChaosSection = ChaosSection()
    check: CheckSection = CheckSection()

    _path: Path = PrivateAttr(default_factory=lambda: Path(MANIFEST_NAME).absolute())
    _positions: SourceMap = PrivateAttr(default_factory=SourceMap)

    @classmethod
    def from_data(cls, data: dict[str, Any], path: Path, positions: SourceMap) -> Manifest:
        """Validate plain data read from `path`; raises pydantic.ValidationError."""
        manifest = cls.model_validate(data)
        manifest._path = path.absolute()
        manifest._positions = positions
        return manifest

    @field_validator("version")
    @classmethod
    def _supported_version(cls, value: int) -> int:
        if value != 1:
            raise ValueError(f"this stormproof reads version 1, not {value}")
        return value

    @model_validator(mode="before")
    @classmethod
    def _fill_defaults(cls, data: object) -> object:
        if not isinstance(data, dict):
            return data
        # `datastores:` with nothing under it (a template's habit) means none.
        data = {k: v for k, v in data.items() if v is not None or k not in _OPTIONAL_SECTIONS}
        if isinstance(data.get("services"), dict):
            data["services"] = {
                # `worker:` with nothing under it is a service with every default.
                name: {"path": f"{name}/", **(spec or {})}
                if isinstance(spec, dict | None)
                else spec
                for name, spec in data["services"].items()
            }
        return data

    @model_validator(mode="after")
    def _attach_names(self) -> Manifest:
        for entries in (self.services, self.datastores, self.sagas):
            _name_entries(entries)
        return self

    @property
    def path(self) -> Path:
        return self._path

    @property
    def root(self) -> Path:
        return self._path.parent

    @property
    def source_map(self) -> SourceMap:
        return self._positions

    def position(self, *keys: str | int) -> SourcePosition | None:
        """Where an entry starts in the file, e.g. `position("sagas", "book-trip", "steps", 2)`.

        For a mapping entry that is its key; for a list item, the item. A call
        written in the short form answers for `("services", s, "calls", target)`.
        """
        return self._positions.entries.get(keys)

    def service_for_path(self, path: Path) -> Service | None:
        """The service whose `path` contains `path` (the longest such), or None."""
        target = (self.root / path).resolve()
        best: Service | None = None
        best_depth = -1
        for service in self.services.values():
            base = (self.root / service.path).resolve()
            depth = len(base.parts)
            if (target == base or base in target.parents) and depth > best_depth:
                best, best_depth = service, depth
        return best

    def service_by_url_env(self, env: str) -> Service | None:
        """The service that some `calls` entry wires env var `env` to."""
        for service in self.services.values():
            for call in service.calls.values():
                if call.env == env:
                    return self.services.get(call.service)
        return None

    def datastore_by_env(self, env: str) -> Datastore | None:
        return next((d for d in self.datastores.values() if d.env == env), None)

    def owner_of(self, datastore: str) -> Service | None:
        return next((s for s in self.services.values() if datastore in s.owns), None)

    def to_json(self) -> dict[str, Any]:
        """The normalised model as JSON-ready data (defaults filled in, calls as mappings)."""
        return {"path": str(self.path), **self.model_dump(mode="json")}
