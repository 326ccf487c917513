"""The draft of a manifest: each inferred value with the evidence it came from."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from stormproof.manifest.compose import ComposeService
from stormproof.manifest.scan import CodeFacts, WebApp

_URL_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^@/]*@)?(?P<host>[A-Za-z0-9_.-]+)")


class Guess(NamedTuple):
    value: str
    why: str


@dataclass(slots=True)
class DraftService:
    name: str
    path: Guess
    origin: str  # why it is thought to be a service
    facts: CodeFacts
    compose: ComposeService | None = None
    run: Guess | None = None
    health: Guess | None = None  # None: the default /health
    role: Guess | None = None  # None: the default, service
    calls: dict[str, Guess] = field(default_factory=dict)  # target -> env var
    owns: dict[str, str] = field(default_factory=dict)  # datastore -> why
    also_uses: dict[str, str] = field(default_factory=dict)  # another's datastore -> why

    @property
    def app(self) -> WebApp | None:
        return self.facts.apps[0] if self.facts.apps else None


@dataclass(slots=True)
class DraftDatastore:
    name: str
    kind: Guess
    env: Guess | None
    users: dict[str, str] = field(default_factory=dict)  # service -> why, first is the owner

    @property
    def owner(self) -> str | None:
        return next(iter(self.users), None)


@dataclass(slots=True)
class Draft:
    name: str
    services: dict[str, DraftService]
    datastores: dict[str, DraftDatastore]
    notes: list[str]


def service_name(text: str) -> str:
    """`text` made into a valid service name: lower case, digits and '-', starting with a letter."""
    name = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if not name:
        return "service"
    return name if name[0].isalpha() else f"svc-{name}"


def unique_name(name: str, taken: Iterable[str]) -> str:
    taken = set(taken)
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}-{number}", number + 1
    return candidate


def url_host(text: str | None) -> str | None:
    match = _URL_HOST.match(text or "")
    return match["host"] if match else None
