"""Rules of the `architecture` category: code that breaks the system the manifest declares.

They all need a manifest: it says which service a file belongs to, whom each service
may call, which datastores each one owns and which services face users. Test files
and files outside every service's `path:` are not a service's code.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from stormproof.check.analysis.datastores import EnvRead, datastore_clients, env_var_reads
from stormproof.check.analysis.remote_calls import RemoteCall
from stormproof.check.context import FileContext
from stormproof.check.discovery import is_test_file
from stormproof.check.finding import Finding
from stormproof.check.rule import Rule

if TYPE_CHECKING:
    from stormproof.manifest import Service

_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "::1"})
_HTTP_CLIENTS = frozenset({"httpx.Client", "httpx.AsyncClient", "aiohttp.ClientSession"})


def _service_code(ctx: FileContext) -> Service | None:
    """The service whose production code this file is (None without a manifest, or for tests)."""
    if ctx.manifest is None or ctx.service is None or is_test_file(ctx.relpath):
        return None
    return ctx.service


def _once_per_line(findings: Iterator[Finding]) -> Iterator[Finding]:
    seen: set[int] = set()
    for finding in findings:
        if finding.line not in seen:
            seen.add(finding.line)
            yield finding


def _env_phrase(read: EnvRead) -> str:
    return f"settings field {read.name.lower()}" if read.via_settings else read.name


# -- SP801 -----------------------------------------------------------------------------------------


class EdgeServiceTouchesDatastore(Rule):
    id = "SP801"
    name = "edge-service-touches-datastore"
    category = "architecture"
    severity = "error"
    summary = (
        "An edge (user-facing) service connects to a datastore or reads a datastore's env var."
    )
    why = (
        "The edge is the part of the system attackers and traffic spikes reach first. When it "
        "holds database credentials and queries tables directly, a bug or compromise at the "
        "edge reaches the data with no service in between, schema changes break the edge, and "
        "the owning service's invariants (validation, locking, idempotency) are bypassed. "
        "Edge services should only call the services that own the data."
    )
    bad = """\
# gateway/app.py  (services.gateway.role: edge)
import os
import psycopg

DSN = os.environ["ORDERS_DATABASE_URL"]

@app.get("/orders/{order_id}")
def order(order_id: str):
    with psycopg.connect(DSN) as conn:
        return conn.execute("SELECT * FROM orders WHERE id = %s", (order_id,)).fetchone()
"""
    good = """\
# gateway/app.py  (services.gateway.role: edge; calls: [orders])
import os
import httpx

if TYPE_CHECKING:
    from stormproof.manifest import Service

ORDERS_URL = os.environ["ORDERS_URL"]

@app.get("/orders/{order_id}")
async def order(order_id: str):
    async with httpx.AsyncClient(timeout=5) as client:
        resp = await client.get(f"{ORDERS_URL}/orders/{order_id}")
    resp.raise_for_status()
    return resp.json()
"""
    defaults = (
        "`role: edge` in stormproof.yaml marks a user-facing service (default role: service)."
    )
    fix = "move the data access into the service that owns it and call that service over HTTP"

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        service = _service_code(ctx)
        if service is None or service.role != "edge":
            return
        yield from _once_per_line(self._findings(ctx, service))

    def _findings(self, ctx: FileContext, service: Service) -> Iterator[Finding]:
        reported = []
        for client in datastore_clients(ctx):
            which = f" ({client.datastore})" if client.datastore else ""
            reported.append(client.node)
            yield ctx.finding(
                self,
                client.node,
                f"{client.api}{which} in edge service {service.name}: the edge must not "
                "touch a datastore; a bug or breach at the edge reaches the data directly",
            )
        for read in env_var_reads(ctx):
            datastore = ctx.system.datastore_envs.get(read.name)
            if datastore is not None and not _inside_any(read.node, reported):
                yield ctx.finding(
                    self,
                    read.node,
                    f"edge service {service.name} reads {_env_phrase(read)}, the connection "
                    f"string of datastore {datastore}; the edge must reach data only through "
                    "the service that owns it",
                )


def _inside_any(node: ast.AST, containers: list[ast.AST]) -> bool:
    return any(node is inner for c in containers for inner in ast.walk(c))


# -- SP802 -----------------------------------------------------------------------------------------


class UndeclaredServiceCall(Rule):
    id = "SP802"
    name = "undeclared-service-call"
    category = "architecture"
    severity = "error"
    summary = "A service calls (or reads the URL of) a service its manifest `calls:` does not list."
    why = (
        "The manifest's `calls:` is the system's dependency graph: chaos runs, breaker and "
        "timeout policies, the blast-radius analysis and the AI's own context are built from "
        "it. An undeclared call is a dependency nobody planned for: it can create a cycle, "
        "a hidden single point of failure, or a path around the service that should mediate."
    )
    bad = """\
# orders/app.py   (services.orders.calls: [payments])
SHIPPING_URL = os.environ["SHIPPING_URL"]

def ship(order_id: str) -> None:
    httpx.post(f"{SHIPPING_URL}/shipments", json={"order": order_id}, timeout=5)
"""
    good = """\
# stormproof.yaml
services:
  orders:
    calls: [payments, shipping]
"""
    defaults = (
        "`calls: [shipping]` wires env var SHIPPING_URL; `calls: {shipping: {env: X}}` wires X."
    )
    fix = "declare the dependency in the service's `calls:` in stormproof.yaml, or remove the call"

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        service = _service_code(ctx)
        if service is None:
            return
        yield from _once_per_line(self._findings(ctx, service))

    def _findings(self, ctx: FileContext, service: Service) -> Iterator[Finding]:
        for call in ctx.remote_calls:
            target = call.target
            if _undeclared(service, target):
                yield ctx.finding(
                    self,
                    call.node,
                    f"{call.describe()}: {service.name} does not declare calls: {target} in "
                    "stormproof.yaml, so this dependency is invisible to the system model",
                )
        for read in env_var_reads(ctx):
            target = ctx.system.target_of_env(read.name)
            if _undeclared(service, target):
                yield ctx.finding(
                    self,
                    read.node,
                    f"{service.name} reads {_env_phrase(read)}, the URL of {target}, but does "
                    f"not declare calls: {target} in stormproof.yaml",
                )


def _undeclared(service: Service, target: str | None) -> bool:
    return target is not None and target != service.name and target not in service.calls


# -- SP803 -----------------------------------------------------------------------------------------


class ForeignDatastoreAccess(Rule):
    id = "SP803"
    name = "foreign-datastore-access"
    category = "architecture"
    severity = "error"
    summary = (
        "A service reads the connection string of, or connects to, a datastore that another "
        "service owns."
    )
    why = (
        "Each datastore has one owner that enforces its invariants and may change its schema. "
        "A second service reading the tables couples both to one schema, bypasses the owner's "
        "locking and validation, and turns a migration into a cross-team outage. Ask the owner "
        "over its API, or subscribe to its events."
    )
    bad = """\
# orders/refunds.py   (payments owns payments-db, env PAYMENTS_DB_DSN)
PAYMENTS_DSN = os.environ["PAYMENTS_DB_DSN"]

def charge_status(order_id: str) -> str:
    with psycopg.connect(PAYMENTS_DSN) as conn:
        row = conn.execute("SELECT status FROM charges WHERE order_id = %s", (order_id,))
        return row.fetchone()[0]
"""
    good = """\
# orders/refunds.py   (orders calls: [payments])
payments = httpx.Client(base_url=os.environ["PAYMENTS_URL"], timeout=3)

def charge_status(order_id: str) -> str:
    return payments.get(f"/charges/by-order/{order_id}").json()["status"]
"""
    defaults = "`owns: [payments-db]` in stormproof.yaml gives a datastore its single owner."
    fix = "call the owning service's API (declare it in `calls:`) instead of reading its datastore"

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        service = _service_code(ctx)
        if service is None:
            return
        yield from _once_per_line(self._findings(ctx, service))

    def _findings(self, ctx: FileContext, service: Service) -> Iterator[Finding]:
        manifest = ctx.manifest
        assert manifest is not None
        for read in env_var_reads(ctx):
            datastore = ctx.system.datastore_envs.get(read.name)
            owner = manifest.owner_of(datastore) if datastore else None
            if owner is not None and owner.name != service.name:
                yield ctx.finding(
                    self,
                    read.node,
                    f"{service.name} reads {_env_phrase(read)}, the connection string of "
                    f"{datastore}, which {owner.name} owns; go through {owner.name}'s API",
                )
        for client in datastore_clients(ctx):
            if client.env is not None or client.datastore is None:
                continue  # identified by an env read, reported there
            owner = manifest.owner_of(client.datastore)
            if owner is not None and owner.name != service.name:
                yield ctx.finding(
                    self,
                    client.node,
                    f"{client.api} connects {service.name} to {client.datastore} (host in the "
                    f"DSN), which {owner.name} owns; go through {owner.name}'s API",
                )


# -- SP804 -----------------------------------------------------------------------------------------


class HardCodedServiceUrl(Rule):
    id = "SP804"
    name = "hard-coded-service-url"
    category = "architecture"
    severity = "warning"
    summary = "A remote call's URL is a literal naming a service host or localhost:port."
    why = (
        "A hard-coded `http://payments:8000` or `http://localhost:8001` works on the machine "
        "it was written on and nowhere else: not behind the chaos proxy, not in staging, not "
        "after the port changes. Worse, it silently routes around the configuration the "
        "manifest wires (`PAYMENTS_URL`), so the call escapes fault injection and policy."
    )
    bad = """\
resp = httpx.post("http://payments:8000/charges", json=charge, timeout=5)
"""
    good = """\
PAYMENTS_URL = os.environ["PAYMENTS_URL"]  # or os.getenv("PAYMENTS_URL", "http://payments:8000")

resp = httpx.post(f"{PAYMENTS_URL}/charges", json=charge, timeout=5)
"""
    defaults = (
        "Not reported: a literal used as the default of `os.getenv`/`os.environ.get`, "
        '`os.getenv(...) or "http://…"`, or a pydantic-settings field default.'
    )
    fix = "read the service's URL from its env var (the one stormproof.yaml wires in `calls:`)"

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        service = _service_code(ctx)
        if service is None:
            return
        reported: set[int] = set()
        for literal, text, user in _service_url_literals(ctx):
            why = _hard_coded(ctx, text)
            if why is None or id(literal) in reported:
                continue
            reported.add(id(literal))
            yield ctx.finding(
                self,
                literal,
                f"{user} uses the hard-coded URL {text!r} ({why}) in {service.name}'s code; "
                "it bypasses the configured env var",
            )


def _service_url_literals(ctx: FileContext) -> Iterator[tuple[ast.expr, str, str]]:
    """(literal node, its text, what uses it) for every URL a request or an HTTP client uses."""
    for call in ctx.remote_calls:
        for literal, text in _url_literals(ctx, call):
            yield literal, text, call.describe()
    for node in ctx.nodes():
        if isinstance(node, ast.Call) and ctx.qualname(node.func) in _HTTP_CLIENTS:
            base_url = _base_url(node)
            for literal, text in _literals(ctx, base_url, node) if base_url is not None else ():
                yield literal, text, f"{ctx.qualname(node.func)}(base_url=...)"


def _base_url(ctor: ast.Call) -> ast.expr | None:
    keyword = next((k.value for k in ctor.keywords if k.arg == "base_url"), None)
    if keyword is None and ctor.args and isinstance(ctor.func, ast.Attribute | ast.Name):
        # aiohttp.ClientSession(base_url, ...) takes it first.
        name = ctor.func.attr if isinstance(ctor.func, ast.Attribute) else ctor.func.id
        return ctor.args[0] if name == "ClientSession" else None
    return keyword


def _url_literals(ctx: FileContext, call: RemoteCall) -> Iterator[tuple[ast.expr, str]]:
    absolute = False
    for found in _literals(ctx, call.url, call.node) if call.url is not None else ():
        absolute = absolute or "://" in found[1]
        yield found
    ctor = call.client.ctor if call.client is not None else None
    base_url = _base_url(ctor) if ctor is not None else None
    if base_url is not None and not absolute:
        yield from _literals(ctx, base_url, call.node)


def _literals(
    ctx: FileContext, expr: ast.expr, at: ast.AST, depth: int = 0
) -> Iterator[tuple[ast.expr, str]]:
    """The literal nodes a URL expression starts with, following constants and constant
    lookup tables (`UPSTREAMS[name]`), but not env var defaults."""
    if depth > 4:
        return
    if isinstance(expr, ast.JoinedStr):
        head = expr.values[0] if expr.values else None
        if isinstance(head, ast.Constant) and isinstance(head.value, str):
            yield expr, head.value
            return
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        yield expr, expr.value
        return
    base = ctx.values.url_base(expr)
    if base is not expr:
        yield from _literals(ctx, base, at, depth + 1)
    elif isinstance(expr, ast.Subscript):
        table = _assigned_value(ctx, expr.value, at)
        if isinstance(table, ast.Dict):
            key = expr.slice.value if isinstance(expr.slice, ast.Constant) else None
            for entry_key, value in zip(table.keys, table.values, strict=True):
                if key is None or (isinstance(entry_key, ast.Constant) and entry_key.value == key):
                    yield from _literals(ctx, value, at, depth + 1)
    elif isinstance(expr, ast.Name | ast.Attribute):
        value = _assigned_value(ctx, expr, at)
        if value is not None:
            yield from _literals(ctx, value, at, depth + 1)


def _assigned_value(ctx: FileContext, expr: ast.expr, at: ast.AST) -> ast.expr | None:
    """What a name or `self.x` was assigned, unless it is an env var read (whose literal
    default is only a fallback)."""
    if not isinstance(expr, ast.Name | ast.Attribute):
        return None
    value = ctx.values.assigned(expr, at)
    return value if value is not None and ctx.values.env_read(value) is None else None


def _hard_coded(ctx: FileContext, url: str) -> str | None:
    """Why a URL literal is a hard-coded service address, or None when it is not one."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if ctx.manifest is not None and parts.hostname in ctx.manifest.services:
        return f"host is the service name {parts.hostname}"
    if parts.hostname in _LOOPBACK_HOSTS and port is not None:
        return "loopback address with a port"
    return None


RULES: list[type[Rule]] = [
    EdgeServiceTouchesDatastore,
    UndeclaredServiceCall,
    ForeignDatastoreAccess,
    HardCodedServiceUrl,
]
