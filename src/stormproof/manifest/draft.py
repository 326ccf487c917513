"""A first guess at a system's manifest, from its code and its compose file.

Every inferred value carries the evidence it came from, so that the drafted
file can say why it guessed what it did and a person can confirm or fix it.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from stormproof.manifest.compose import ComposeFile, read_compose
from stormproof.manifest.draft_model import (
    Draft,
    DraftService,
    Guess,
    service_name,
    unique_name,
    url_host,
)
from stormproof.manifest.draft_stores import infer_datastores, record_ownership
from stormproof.manifest.model import default_url_env
from stormproof.manifest.scan import CodeFacts, WebApp, is_candidate_dir, scan_tree

_CALL_ENV_SUFFIXES = ("_URL", "_HOST", "_ENDPOINT")
_SERVICE_NAME_NOISE = ("-service", "-svc", "-api")
_HEALTH_ROUTES = ("/healthz", "/health/live", "/livez", "/ready", "/readyz", "/ping", "/status")
_PORT_OPTION = re.compile(r"--port[= ]\d+")


def draft_system(root: Path) -> Draft:
    """Infer services, calls, datastores and owners; raises ComposeError for a bad compose file."""
    root = root.resolve()
    compose = read_compose(root)
    services = _find_services(root, compose)
    hosts = _host_names(services)
    for service in services.values():
        _infer_run_and_health(service, compose)
        _infer_calls(service, hosts, compose)
    _wire_each_env_to_one_service(services)
    datastores = infer_datastores(services, compose)
    for datastore in datastores.values():
        record_ownership(datastore, services)
    _infer_roles(services)
    notes = [
        f"could not parse {path}; it was left out"
        for service in services.values()
        for path in service.facts.unreadable
    ]
    return Draft(root.name, services, datastores, notes)


def _find_services(root: Path, compose: ComposeFile | None) -> dict[str, DraftService]:
    found: dict[str, DraftService] = {}

    def add(service: DraftService) -> None:
        service.name = unique_name(service.name, found)
        found[service.name] = service

    built = [
        (entry, entry.build_dir)
        for entry in (compose.services if compose else [])
        if entry.build_dir is not None
    ]
    compose_name = compose.name if compose else ""
    for entry, build_dir in built:
        directory = (root / build_dir).resolve()
        # A context outside the tree (or a git URL) has no code here to read.
        inside = directory.is_dir() and directory.is_relative_to(root)
        facts = scan_tree(directory, root) if inside else CodeFacts()
        path = Guess(_dir_path(build_dir), f"the build context of '{entry.name}'")
        origin = f"service '{entry.name}' in {compose_name}"
        if facts.looks_like_service:
            origin += f"; {_origin(facts)}"
        add(DraftService(service_name(entry.name), path, origin, facts, entry))
    build_tops = {PurePosixPath(build_dir).parts[0] for _, build_dir in built if build_dir != "."}
    for directory in sorted(root.iterdir()):
        if not is_candidate_dir(directory) or directory.name in build_tops:
            continue
        facts = scan_tree(directory, root)
        if facts.looks_like_service:
            path = Guess(f"{directory.name}/", "")
            add(DraftService(service_name(directory.name), path, _origin(facts), facts))
    if not found:
        facts = scan_tree(root, root)
        if facts.looks_like_service:
            add(DraftService(service_name(root.name), Guess("./", ""), _origin(facts), facts))
    return found


def _dir_path(relative: str) -> str:
    return "./" if relative in {"", "."} else relative.rstrip("/") + "/"


def _origin(facts: CodeFacts) -> str:
    app = facts.apps[0] if facts.apps else None
    return f"{app.framework} app in {app.where}" if app else f"{facts.app_files[0]} found"


def _host_names(services: dict[str, DraftService]) -> dict[str, str]:
    """Every name a URL may use for a service (its name, compose name, folder) -> the service."""
    hosts: dict[str, str] = {}
    for service in services.values():
        hosts[PurePosixPath(service.path.value).name or service.name] = service.name
        if service.compose:
            hosts[service.compose.name] = service.name
        hosts[service.name] = service.name
    return hosts


def _infer_run_and_health(service: DraftService, compose: ComposeFile | None) -> None:
    app = service.app
    if app:
        why = f"{app.framework} app `{app.variable}` in {app.where}"
        service.run = Guess(_run_command(app), why)
    elif service.compose and service.compose.command and compose:
        command = _PORT_OPTION.sub("--port {port}", service.compose.command)
        service.run = Guess(command, f"the command of '{service.compose.name}' in {compose.name}")
    if app and "/health" not in service.facts.routes:
        route = next((r for r in _HEALTH_ROUTES if r in service.facts.routes), None)
        service.health = (
            Guess(route, f"route in {service.facts.routes[route]}")
            if route
            else Guess("/health", "no health route found in the code; add one")
        )


def _run_command(app: WebApp) -> str:
    target = f"{app.module}:{app.variable}"
    if app.framework == "Flask":
        return f"python -m flask --app {target} run --port {{port}}"
    return f"python -m uvicorn {target} --port {{port}}"


def _infer_calls(service: DraftService, hosts: dict[str, str], compose: ComposeFile | None) -> None:
    def add(target: str | None, env: str, why: str) -> None:
        if target and target != service.name:
            service.calls.setdefault(target, Guess(env, why))

    for env, where in service.facts.env_reads.items():
        add(_target_of_env(env, hosts), env, f"{where} reads {env}")
    if service.compose and compose:
        for env, value in service.compose.environment.items():
            add(hosts.get(url_host(value) or ""), env, f"{compose.name} sets {env}={value}")
    for host, where in service.facts.url_hosts.items():
        target = hosts.get(host)
        if target:
            why = f"{where} hard-codes a URL to {host}; read this env var instead"
            add(target, default_url_env(target), why)


def _target_of_env(env: str, hosts: dict[str, str]) -> str | None:
    for suffix in _CALL_ENV_SUFFIXES:
        if env.endswith(suffix):
            stem = env.removesuffix(suffix).lower().replace("_", "-")
            candidates = [stem, *(stem.removesuffix(noise) for noise in _SERVICE_NAME_NOISE)]
            return next((hosts[c] for c in candidates if c in hosts), None)
    return None


def _wire_each_env_to_one_service(services: dict[str, DraftService]) -> None:
    """A URL env var may name only one service: later conflicting calls fall back to the default."""
    wired: dict[str, str] = {}
    for service in services.values():
        for target, (env, why) in list(service.calls.items()):
            if wired.setdefault(env, target) == target:
                continue
            fallback = default_url_env(target)
            if wired.setdefault(fallback, target) != target:
                del service.calls[target]
                continue
            service.calls[target] = Guess(fallback, f"{why}, but {env} already names {wired[env]}")


def _infer_roles(services: dict[str, DraftService]) -> None:
    called = {target for service in services.values() for target in service.calls}
    for service in services.values():
        if service.name in called:
            continue
        if service.calls:
            service.role = Guess("edge", f"nobody calls it and it calls {', '.join(service.calls)}")
        elif service.facts.app_files and not service.facts.apps:
            service.role = Guess("worker", "no web app found and nobody calls it")
