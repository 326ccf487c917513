"""Checks that span entries: names that must exist, and things that must be unique.

These make a manifest unusable (a call to a service that does not exist has no
meaning), so they are load errors. Judgements about a valid system, such as a
data owner with no CAP choice, are check findings and do not belong here.
"""

from __future__ import annotations

from collections.abc import Iterator

from stormproof.manifest.errors import ManifestError, SourcePosition
from stormproof.manifest.explain import suggestion
from stormproof.manifest.model import SERVICE_NAME, Manifest
from stormproof.manifest.source import KeyPath


def reference_errors(manifest: Manifest) -> list[ManifestError]:
    checks = (_service_names, _calls, _url_envs, _ownership, _sagas, _chaos_entry)
    return [
        ManifestError(manifest.path, message, position)
        for check in checks
        for message, position in check(manifest)
    ]


Problem = tuple[str, SourcePosition]


def _entry(manifest: Manifest, *keys: str | int) -> SourcePosition:
    return manifest.source_map.entries[keys]


def _value(manifest: Manifest, *keys: str | int) -> SourcePosition:
    return manifest.source_map.values[keys]


def _service_names(manifest: Manifest) -> Iterator[Problem]:
    for name in manifest.services:
        if not SERVICE_NAME.match(name):
            yield (
                f"invalid service name '{name}': use lower-case letters, digits and '-', "
                "starting with a letter",
                _entry(manifest, "services", name),
            )


def _unknown_service(manifest: Manifest, name: str) -> str:
    return f"unknown service '{name}'" + suggestion(name, list(manifest.services))


def _calls(manifest: Manifest) -> Iterator[Problem]:
    for caller, service in manifest.services.items():
        for target in service.calls:
            where = _entry(manifest, "services", caller, "calls", target)
            if target == caller:
                yield f"service '{caller}' calls itself", where
            elif target not in manifest.services:
                yield f"service '{caller}' calls {_unknown_service(manifest, target)}", where


def _url_envs(manifest: Manifest) -> Iterator[Problem]:
    # An env var must name one service, or a call site that reads it has two targets.
    wired: dict[str, tuple[str, str]] = {}
    for caller, service in manifest.services.items():
        for target, call in service.calls.items():
            first = wired.setdefault(call.env, (target, caller))
            if first[0] != target:
                yield (
                    f"env var '{call.env}' is wired to '{target}' here but to '{first[0]}' "
                    f"in service '{first[1]}'; each URL env var names one service",
                    _value(manifest, *_call_env_keys(manifest, caller, target)),
                )


def _call_env_keys(manifest: Manifest, caller: str, target: str) -> KeyPath:
    keys: KeyPath = ("services", caller, "calls", target, "env")
    return keys if keys in manifest.source_map.values else keys[:-1]


def _ownership(manifest: Manifest) -> Iterator[Problem]:
    owners: dict[str, str] = {}
    for owner, service in manifest.services.items():
        for index, datastore in enumerate(service.owns):
            where = _entry(manifest, "services", owner, "owns", index)
            if datastore not in manifest.datastores:
                yield (
                    f"service '{owner}' owns unknown datastore '{datastore}'"
                    + suggestion(datastore, list(manifest.datastores)),
                    where,
                )
            elif datastore in owners:
                first = owners[datastore]
                yield (
                    f"datastore '{datastore}' is listed twice in service '{owner}'"
                    if first == owner
                    else f"datastore '{datastore}' is owned by both '{first}' and '{owner}'; "
                    "a datastore has exactly one owner",
                    where,
                )
            else:
                owners[datastore] = owner


def _sagas(manifest: Manifest) -> Iterator[Problem]:
    for name, saga in manifest.sagas.items():
        if saga.coordinator not in manifest.services:
            yield (
                f"saga '{name}' has coordinator {_unknown_service(manifest, saga.coordinator)}",
                _value(manifest, "sagas", name, "coordinator"),
            )
        for index, step in enumerate(saga.steps):
            if step.service not in manifest.services:
                yield (
                    f"step {index + 1} of saga '{name}' names "
                    + _unknown_service(manifest, step.service),
                    _value(manifest, "sagas", name, "steps", index, "service"),
                )


def _chaos_entry(manifest: Manifest) -> Iterator[Problem]:
    entry = manifest.chaos.entry
    if entry is not None and entry not in manifest.services:
        yield (
            f"chaos entry is {_unknown_service(manifest, entry)}",
            _value(manifest, "chaos", "entry"),
        )
