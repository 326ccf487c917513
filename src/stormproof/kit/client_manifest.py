"""A client's settings from ``stormproof.yaml``: where the target lives, and which policies
the system requires of calls to it.

The manifest is the architecture: a service may call only the targets it declares under
``calls``, and each call names the env var that holds the target's URL. So building a
client from it both wires the URL and enforces the declaration: a call the manifest does not
declare is refused here, with the line to add, instead of working today and surprising
``stormproof check`` (and the next reader) later.

``stormproof.manifest`` (and pydantic, which it needs) is imported on first use only: the kit
imports nothing else of stormproof when it is imported itself.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stormproof.kit.errors import ConfigurationError

if TYPE_CHECKING:
    from stormproof.manifest import Manifest, Service


def manifest_settings(
    target: str,
    *,
    manifest: str | os.PathLike[str] | None,
    caller: str | None,
    module_file: str | None,
) -> dict[str, Any]:
    """Keyword arguments for ``Client(target, **settings)`` from the manifest at
    ``manifest`` (or the nearest one above the working directory, then above
    ``module_file``), for calls made by service ``caller`` (or the service whose ``path``
    holds ``module_file``, the module asking):

    - ``base_url``: the value of the env var the caller's ``calls: <target>`` entry names;
    - ``attempts``: ``policies.retries.max_attempts``, or 1 when retries are ``off``, which
      also turns the retry budget off;
    - ``breaker``, ``idempotency``, ``tracing``: on when their policy is ``required``.

    The timeout is the client's default: the manifest requires one (``timeouts``) but does
    not give its length, and the client never runs without one either way. The retry
    policy's ``backoff`` and ``jitter`` are not read: the client always backs off
    exponentially with jitter (stamina's), which is what ``stormproof check`` asks of
    hand-written retries under any of them; a constant or linear backoff, or one without
    jitter, is never safer, so the kit does not offer one.
    """
    from stormproof.manifest import ManifestError, load_manifest

    path = _manifest_path(manifest, module_file)
    try:
        model = load_manifest(path)
    except ManifestError as error:
        raise ConfigurationError(f"cannot read the manifest: {error}") from error
    service = _caller(model, caller, module_file)
    call = service.calls.get(target)
    if call is None:
        declared = ", ".join(sorted(service.calls)) or "none"
        raise ConfigurationError(
            f"service {service.name!r} does not declare a call to {target!r} in {model.path} "
            f"(it declares: {declared}). An undeclared call is what the architecture forbids: "
            f"add {target!r} under services.{service.name}.calls if the call belongs there"
        )
    base_url = os.environ.get(call.env, "").strip()
    if not base_url:
        raise ConfigurationError(
            f"env var {call.env} is not set: {service.name!r} takes the URL of {target!r} from "
            f"it (services.{service.name}.calls.{target} in {model.path})"
        )
    policies = model.policies
    retries = policies.retries
    retrying = retries != "off"
    return {
        "base_url": base_url,
        "attempts": retries.max_attempts if not isinstance(retries, str) else 1,
        "budget": "default" if retrying else None,
        "breaker": "default" if policies.enabled("circuit_breakers") else None,
        "idempotency": policies.enabled("idempotency"),
        "tracing": policies.enabled("tracing"),
    }


def _manifest_path(manifest: str | os.PathLike[str] | None, module_file: str | None) -> Path:
    from stormproof.manifest import find_manifest

    if manifest is not None:
        return Path(manifest)
    starts = [Path.cwd()] + ([Path(module_file)] if module_file else [])
    for start in starts:
        found = find_manifest(start)
        if found is not None:
            return found
    raise ConfigurationError(
        f"no stormproof.yaml in {' or '.join(str(s) for s in starts)} or any parent "
        "directory: pass manifest= its path"
    )


def _caller(model: Manifest, caller: str | None, module_file: str | None) -> Service:
    services = ", ".join(sorted(model.services)) or "none"
    if caller is not None:
        service = model.services.get(caller)
        if service is None:
            raise ConfigurationError(
                f"caller {caller!r} is not a service of {model.path} (services: {services})"
            )
        return service
    service = None if module_file is None else model.service_for_path(Path(module_file))
    if service is None:
        where = module_file or "this module (it has no file)"
        raise ConfigurationError(
            f"cannot tell which service is calling: {where} is under no service's path in "
            f"{model.path} (services: {services}); pass caller= the calling service's name"
        )
    return service
