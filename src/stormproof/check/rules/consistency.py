"""Rules of the `consistency` category: explicit CAP choices and writes that can diverge.

A service that owns data must say what it gives up during a partition (CP: refuse,
AP: diverge and reconcile). A function that writes its database and also tells the
world (a broker message, a call to another service) has two writes that cannot
commit together: a crash between them leaves the system disagreeing with itself.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from stormproof.check.analysis.datastores import DatastoreOp, datastore_writes
from stormproof.check.analysis.messaging import publishes
from stormproof.check.analysis.scopes import FunctionNode
from stormproof.check.context import FileContext, ProjectContext
from stormproof.check.finding import Finding
from stormproof.check.rule import Rule

_DB_STORES = frozenset({"sql", "mongo"})


class MissingCapChoice(Rule):
    id = "SP901"
    name = "missing-cap-choice"
    category = "consistency"
    severity = "warning"
    summary = "A service that owns a datastore has no `consistency:` (CP or AP, with a reason)."
    why = (
        "During a network partition a service that owns data must either refuse requests "
        "(CP: consistent, unavailable) or keep serving and reconcile later (AP: available, "
        "divergent). Code written without that decision does both by accident: some paths "
        "retry and block, others write locally and lose the conflict. Writing the choice "
        "down lets reviewers, the AI and the chaos checks hold the code to it."
    )
    bad = """\
services:
  orders:
    owns: [orders-db]
"""
    good = """\
services:
  orders:
    owns: [orders-db]
    consistency:
      choice: CP
      reason: "an order must never be placed twice; refuse writes during a partition"
"""
    defaults = "A service with `owns:` and no `consistency:` has made no CAP choice."
    fix = 'add `consistency: {choice: CP|AP, reason: "…"}` to the service in stormproof.yaml'

    def check_project(self, project: ProjectContext) -> Iterator[Finding]:
        manifest = project.manifest
        if manifest is None:
            return
        for name, service in manifest.services.items():
            if service.owns and service.consistency is None:
                owned = ", ".join(service.owns)
                yield project.manifest_finding(
                    self,
                    ("services", name),
                    f"service {name} owns {owned} but declares no consistency choice (CP or "
                    "AP); its behaviour during a partition is left to accident",
                    service=name,
                )


@dataclass(frozen=True, slots=True)
class _Effect:
    """A write outside the database: a broker publish or an unsafe call to another service."""

    node: ast.Call
    description: str
    target: str | None = None


class DualWrite(Rule):
    id = "SP902"
    name = "dual-write"
    category = "consistency"
    severity = "error"
    summary = (
        "One function writes its database and also publishes a message or makes an unsafe call "
        "to another service, with no outbox."
    )
    why = (
        "The database commit and the broker publish (or the HTTP call) are two separate writes "
        "with no transaction around both. If the process dies, the broker is down or the call "
        "times out between them, one happens and the other does not: an order exists that no "
        "one was told about, or an event announces an order that was rolled back. Retrying "
        "does not fix it; it duplicates whichever half succeeded."
    )
    bad = """\
db.add(order)
db.commit()
producer.send("orders.created", {"id": order.id})
"""
    good = """\
db.add(order)
db.add(OutboxEvent(topic="orders.created", payload={"id": order.id}))
db.commit()  # one transaction; a relay publishes outbox rows afterwards
"""
    defaults = (
        "Kafka, RabbitMQ, SQS and HTTP calls never join your database transaction; celery "
        "`.delay()` right after `commit()` is the same dual write."
    )
    fix = (
        "write the message to an outbox table in the same transaction and publish it from a "
        "relay (or use stormproof.kit's outbox)"
    )

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        for function in ctx.functions:
            finding = self._check_function(ctx, function)
            if finding is not None:
                yield finding

    def _check_function(self, ctx: FileContext, function: FunctionNode) -> Finding | None:
        writes = _database_writes(ctx, function)
        if not writes or _uses_outbox(ctx, function, writes):
            return None
        # A helper call that both writes and publishes is reported inside the helper.
        both = {id(w.node) for w in writes}
        effects = [e for e in _effects(ctx, function) if id(e.node) not in both]
        if not effects or _saga_steps(ctx, effects):
            return None
        first_write, first_effect = writes[0], effects[0]
        if _position(first_write.node) < _position(first_effect.node):
            return ctx.finding(
                self,
                first_effect.node,
                f"{first_effect.description} after {_describe(first_write)} in "
                f"{function.name}() with no outbox: if the process dies or the send fails in "
                "between, the database and the rest of the system disagree",
            )
        later = next(w for w in writes if _position(w.node) > _position(first_effect.node))
        return ctx.finding(
            self,
            later.node,
            f"{_describe(later)} after {first_effect.description} in {function.name}() with "
            "no outbox: if the write fails, the message already announced it",
        )


def _database_writes(ctx: FileContext, function: FunctionNode) -> list[DatastoreOp]:
    """SQL and MongoDB writes of the function, and calls to local helpers that make them."""
    return [
        op
        for op in datastore_writes(ctx, function)
        if op.store in _DB_STORES and op.operation != "setattr"
    ]


def _effects(ctx: FileContext, function: FunctionNode) -> list[_Effect]:
    effects = [_Effect(p.node, f"{p.api} ({p.broker})") for p in publishes(ctx, function)]
    own = ctx.service_name
    for call in ctx.calls_in(function):
        if not call.unsafe or ctx.enclosing_function(call.node) is not function:
            continue
        if call.target is not None and call.target == own:
            continue
        effects.append(_Effect(call.node, f"{call.method} {call.describe()}", call.target))
    effects.sort(key=lambda e: _position(e.node))
    return effects


def _saga_steps(ctx: FileContext, effects: list[_Effect]) -> bool:
    """Calls to the steps of a saga this service coordinates are judged by the saga rules."""
    if ctx.manifest is None or ctx.service_name is None:
        return False
    steps = {
        step.service
        for saga in ctx.manifest.sagas.values()
        if saga.coordinator == ctx.service_name
        for step in saga.steps
    }
    return any(e.target in steps for e in effects if e.target is not None)


def _uses_outbox(ctx: FileContext, function: FunctionNode, writes: list[DatastoreOp]) -> bool:
    """An outbox row written in the same function, or stormproof.kit's outbox used."""
    if any("outbox" in name.lower() for w in writes for name in (*w.tables, *w.models)):
        return True
    for node in ctx.walk(function):
        if isinstance(node, ast.Name | ast.Attribute):
            instance = ctx.instances.resolve(node, node)
            qualname = instance.qualname if instance is not None else ctx.qualname(node) or ""
            if qualname.startswith("stormproof.kit") and "outbox" in qualname.lower():
                return True
    return False


def _describe(op: DatastoreOp) -> str:
    if op.operation in ("commit", "flush"):
        what = f"the database {op.operation}"
    elif op.store == "mongo":
        what = f"MongoDB {op.operation}"
    elif op.operation in ("add", "delete", "merge"):
        what = f"session.{op.operation}()"
    else:
        what = f"SQL {op.operation}" + (f" {op.tables[0]}" if op.tables else "")
    return f"{op.helper}() ({what})" if op.helper else what


def _position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


RULES: list[type[Rule]] = [MissingCapChoice, DualWrite]
