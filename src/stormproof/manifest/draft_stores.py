"""Which datastores a drafted system has, and which service owns each.

Evidence, strongest first: a compose service running a datastore image, a
client constructor in a service's code, an env var that names a datastore.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from stormproof.manifest.compose import ComposeFile
from stormproof.manifest.draft_model import (
    DraftDatastore,
    DraftService,
    Guess,
    service_name,
    unique_name,
    url_host,
)

_DATASTORE_ENV = re.compile(
    r"(?:^|_)(?:DB|DATABASE|DSN)(?:_(?:URL|URI|PATH|FILE|NAME|HOST))?$"
    r"|(?:^|_)(?:REDIS|MONGO|MONGODB|AMQP|RABBITMQ|KAFKA)(?:_\w+)?_(?:URL|URI|DSN|BOOTSTRAP_SERVERS)$"
)
_ENV_KIND_WORDS = (
    ("REDIS", "redis"),
    ("MONGO", "mongodb"),
    ("AMQP", "rabbitmq"),
    ("RABBIT", "rabbitmq"),
    ("KAFKA", "kafka"),
    ("SQLITE", "sqlite"),
    ("POSTGRES", "postgres"),
    ("MYSQL", "mysql"),
)
_ADDRESS_SUFFIXES = ("_URL", "_URI", "_DSN", "_PATH", "_FILE", "_HOST", "_BOOTSTRAP_SERVERS")
# Env var stems that say what a datastore is but not whose: named after the service instead.
_GENERIC_STEMS = frozenset(
    {"database", "db", "redis", "mongo", "mongodb", "kafka", "amqp", "rabbitmq", "rabbit"}
    | {"cache", "sqlite", "postgres", "pg", "mysql", "broker"}
)
_KIND_NOUNS = {"redis": "redis", "mongodb": "mongo", "kafka": "kafka", "rabbitmq": "rabbitmq"}


def infer_datastores(
    services: dict[str, DraftService], compose: ComposeFile | None
) -> dict[str, DraftDatastore]:
    inference = _DatastoreInference()
    if compose:
        inference.from_compose(services, compose)
    store_envs = {name: inference.env_reads(service) for name, service in services.items()}
    # Client constructors first: they are the best evidence of who owns a datastore.
    for service in services.values():
        inference.from_clients(service, store_envs[service.name])
    for service in services.values():
        inference.from_env_reads(service, store_envs[service.name])
    return inference.stores


class _DatastoreInference:
    def __init__(self) -> None:
        self.stores: dict[str, DraftDatastore] = {}
        self.by_env: dict[str, str] = {}
        self.by_host: dict[str, str] = {}
        # Clients with no env var: the same kind and literal address (or, with neither,
        # the same kind in the same service) are taken to reach the same datastore.
        self.by_address: dict[tuple[str, str], str] = {}

    def add(self, name: str, kind: Guess, env: Guess | None) -> DraftDatastore:
        store = DraftDatastore(unique_name(name, self.stores), kind, env)
        self.stores[store.name] = store
        if env:
            self.by_env[env.value] = store.name
        return store

    def known(self, env: str | None, address: str | None = None) -> DraftDatastore | None:
        name = self.by_env.get(env or "") or self.by_host.get(url_host(address) or "")
        return self.stores[name] if name else None

    def from_compose(self, services: dict[str, DraftService], compose: ComposeFile) -> None:
        for entry in compose.services:
            kind = entry.datastore_kind
            if kind:
                why = f"image {entry.image} of '{entry.name}' in {compose.name}"
                env = _compose_env_for_host(entry.name, services, compose)
                self.by_host[entry.name] = self.add(
                    service_name(entry.name), Guess(kind, why), env
                ).name
        for service in services.values():
            for store_name, why in _compose_uses(service, self.by_host, compose):
                self.stores[store_name].users.setdefault(service.name, why)

    def env_reads(self, service: DraftService) -> dict[str, str]:
        """The env vars the service reads that hold a datastore's address, with where."""
        call_envs = {guess.value for guess in service.calls.values()}
        return {
            env: str(where)
            for env, where in service.facts.env_reads.items()
            if env not in call_envs and (env in self.by_env or _DATASTORE_ENV.search(env))
        }

    def from_clients(self, service: DraftService, store_envs: dict[str, str]) -> None:
        for client in service.facts.clients:
            evidence = f"{client.constructor} in {client.where}"
            # `sqlite3.connect(path)`, `path` read from an env var elsewhere: pair them up.
            env = client.env or next(
                (
                    e
                    for e in store_envs
                    if e not in self.by_env and _env_kind(e) in {None, client.kind}
                ),
                None,
            )
            address = (client.kind, client.literal or f"service:{service.name}")
            store = self.known(env, client.literal)
            if store is None and env is None and address in self.by_address:
                store = self.stores[self.by_address[address]]
            if store is None:
                unknown = "" if client.kind != "other" else "; kind unknown"
                env_why = f"{store_envs[env]} reads it" if env in store_envs else evidence
                store = self.add(
                    _datastore_name(env, client.literal, service.name, client.kind),
                    Guess(client.kind, evidence + unknown),
                    Guess(env, env_why) if env else None,
                )
                if env is None:
                    self.by_address[address] = store.name
            store.users.setdefault(service.name, evidence)

    def from_env_reads(self, service: DraftService, store_envs: dict[str, str]) -> None:
        for env, where in store_envs.items():
            store = self.known(env)
            if store is None:
                kind = _env_kind(env) or "other"
                unknown = "" if kind != "other" else "; kind unknown"
                name = _datastore_name(env, None, service.name, kind)
                store = self.add(
                    name,
                    Guess(kind, f"{where} reads {env}{unknown}"),
                    Guess(env, f"{where} reads it"),
                )
            store.users.setdefault(service.name, f"{where} reads {env}")


def _env_kind(env: str) -> str | None:
    return next((kind for word, kind in _ENV_KIND_WORDS if word in env), None)


def _compose_env_for_host(
    host: str, services: dict[str, DraftService], compose: ComposeFile
) -> Guess | None:
    for service in services.values():
        entry = service.compose
        if entry is None:
            continue
        for env, value in entry.environment.items():
            if url_host(value) == host:
                return Guess(env, f"{compose.name} sets {env} for '{entry.name}'")
    return None


def _compose_uses(
    service: DraftService, by_host: dict[str, str], compose: ComposeFile
) -> Iterator[tuple[str, str]]:
    """The datastores a compose service depends on or is given the address of, and why."""
    entry = service.compose
    if entry is None:
        return
    for dependency in entry.depends_on:
        if dependency in by_host:
            yield by_host[dependency], f"'{entry.name}' depends on '{dependency}' in {compose.name}"
    for env, value in entry.environment.items():
        host = url_host(value)
        if host in by_host:
            yield by_host[host], f"{compose.name} sets {env} for '{entry.name}'"


def _datastore_name(env: str | None, literal: str | None, service: str, kind: str) -> str:
    generic = f"{service}-{_KIND_NOUNS.get(kind, 'db')}"
    if env:
        stem = env
        for suffix in _ADDRESS_SUFFIXES:
            stem = stem.removesuffix(suffix)
        return generic if stem.lower() in _GENERIC_STEMS else service_name(stem)
    if literal and kind == "sqlite":
        stem = PurePosixPath(literal.rsplit("/", 1)[-1]).stem
        if stem and not stem.startswith(":"):
            return service_name(f"{stem}-db")
    return generic


def record_ownership(datastore: DraftDatastore, services: dict[str, DraftService]) -> None:
    owner = datastore.owner
    for user, why in datastore.users.items():
        if user == owner:
            services[user].owns[datastore.name] = why
        else:
            services[user].also_uses[datastore.name] = f"{why}; owned by {owner} in this draft"
