"""Rules of the `idempotency` category."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from stormproof.check.analysis.consumers import (
    MESSAGING_MODULES,
    Consumer,
    consumer_roots,
    message_consumers,
    unguarded_effects,
)
from stormproof.check.analysis.datastores import uses_datastore_library
from stormproof.check.analysis.effects import EffectScan, effect_scan
from stormproof.check.analysis.handlers import (
    Handler,
    HandlerRoute,
    Mount,
    full_routes,
    mounts,
    request_path,
    request_target,
    route_handlers,
    routes_match,
)
from stormproof.check.analysis.modules import ExportedFunctions, module_bindings
from stormproof.check.analysis.retries import retried_calls
from stormproof.check.context import FileContext, FileFacts, ProjectContext
from stormproof.check.finding import Finding
from stormproof.check.rule import Rule

if TYPE_CHECKING:
    from stormproof.manifest import Manifest

_MAX_CALL_DEPTH = 3


class NonIdempotentHandler(Rule):
    id = "SP401"
    name = "non-idempotent-handler"
    category = "idempotency"
    severity = "error"
    policy = "idempotency"
    summary = (
        "A handler that is retried (a saga step, or called inside a retry) applies its effect "
        "again on every retry, because it ignores the idempotency key."
    )
    why = (
        "A caller that gets no answer cannot tell whether the request was lost or the "
        "response was: it retries. Sagas retry their steps and their compensations until "
        "they succeed. If the handler inserts a charge, adds to a counter or calls another "
        "service each time it runs, every retry after a lost response charges, books or "
        "releases once more. The handler must recognise a repeated request by its "
        "idempotency key and answer with the first outcome."
    )
    bad = """\
@app.post("/charges", status_code=201)
def create_charge(body: ChargeIn) -> dict:
    charge_id = str(uuid.uuid4())
    db.execute("INSERT INTO charges (id, user_id, amount) VALUES (?, ?, ?)",
               (charge_id, body.user_id, body.amount))
    db.commit()
    return {"id": charge_id}
"""
    good = """\
@app.post("/charges", status_code=201)
def create_charge(body: ChargeIn, idempotency_key: str = Header(alias="Idempotency-Key")) -> dict:
    db.execute("INSERT INTO charges (key, user_id, amount) VALUES (?, ?, ?) "
               "ON CONFLICT (key) DO NOTHING", (idempotency_key, body.user_id, body.amount))
    db.commit()
    row = db.execute("SELECT id FROM charges WHERE key = ?", (idempotency_key,)).fetchone()
    return {"id": row[0]}
"""
    defaults = (
        "Web frameworks run a handler once per request, replays included; nothing "
        "deduplicates by default. Handlers checked: the targets of saga step actions and "
        "compensations in stormproof.yaml, and routes another service calls inside a retry "
        "(tenacity, backoff, stamina, retry loops, urllib3 Retry). Effects: every write (SQL "
        "INSERT/UPDATE/DELETE, ORM add/delete/attribute writes/commit, redis and MongoDB "
        "writes) and POST/PUT/PATCH/DELETE calls that carry no key; an absolute UPDATE or a "
        "DELETE by id counts too, since a late replay can undo a later change. Honouring "
        "a key: reading an Idempotency-Key/X-Request-ID header or an idempotency_key/"
        "request_id field, an idempotency dependency, decorator or middleware, an upsert "
        "(INSERT OR IGNORE, ON CONFLICT), SET NX, or a rowcount check."
    )
    fix = (
        "read the Idempotency-Key header (FastAPI: Header(alias='Idempotency-Key')), store it "
        "with the effect under a unique constraint (INSERT … ON CONFLICT DO NOTHING), and "
        "answer a repeated key with the first result"
    )

    def collect(self, ctx: FileContext) -> dict[str, Any] | None:
        if ctx.manifest is None:
            return None
        scan = effect_scan(ctx)
        data: dict[str, Any] = {
            "handlers": self._unguarded_handlers(ctx, scan),
            "mounts": [[m.parent, m.child, m.prefix] for m in mounts(ctx)],
            "middleware": _adds_idempotency_middleware(ctx),
            "retried": _retried_unsafe_calls(ctx),
            # For handlers in other files that call into this one.
            "functions": scan.summaries(writes=True) if ctx.service is not None else {},
            "bindings": module_bindings(ctx) if ctx.service is not None else {},
        }
        return data if any(data.values()) else None

    def _unguarded_handlers(self, ctx: FileContext, scan: EffectScan) -> list[dict[str, Any]]:
        found = []
        for handler in route_handlers(ctx):
            roots: list[ast.AST] = [handler.function]
            if scan.reads_key(roots) or scan.guarded(roots):
                continue
            # The spec counts every write, not only those a replay repeats.
            writes = scan.writes([handler.function])
            calls = scan.external_calls(roots)
            if writes or calls:
                location = ctx.finding(self, _first_line(ctx, handler.function), "")
                effect = writes[0].label if writes else None
                found.append(_handler_fact(handler, effect, calls, location))
        return found

    def check_project(self, project: ProjectContext) -> Iterator[Finding]:
        manifest = project.manifest
        if manifest is None:
            return
        facts = project.facts_for(self)
        mounts_by_service: dict[str | None, list[Mount]] = {}
        honoured_everywhere: set[str | None] = set()
        retried: list[tuple[str | None, dict[str, Any]]] = []
        for fact in facts:
            mounts_by_service.setdefault(fact.service, []).extend(
                Mount(*mount) for mount in fact.data["mounts"]
            )
            if fact.data["middleware"]:
                honoured_everywhere.add(fact.service)
            retried.extend((fact.service, call) for call in fact.data["retried"])
        modules = _ServiceModules(facts)
        for fact in facts:
            if fact.service is None or fact.service in honoured_everywhere:
                continue
            for handler in fact.data["handlers"]:
                outcome = modules.outcome(
                    fact.service, handler["effect"], handler["calls"], for_handler=True
                )
                if outcome.guarded or outcome.effect is None:
                    continue
                handler = {**handler, "effect": outcome.effect}
                for route in full_routes(_handler_route(handler), mounts_by_service[fact.service]):
                    reason = _saga_reason(manifest, fact.service, handler["method"], route) or (
                        _retry_reason(retried, fact.service, handler["method"], route)
                    )
                    if reason is not None:
                        yield _handler_finding(handler, route, reason)
                        break


def _first_line(ctx: FileContext, function: ast.AST) -> ast.AST:
    """A node spanning just the `def …` line, where handler findings are reported."""
    line = function.lineno  # type: ignore[attr-defined]
    text = ctx.lines[line - 1] if line <= len(ctx.lines) else ""
    return ast.Pass(
        lineno=line,
        col_offset=function.col_offset,  # type: ignore[attr-defined]
        end_lineno=line,
        end_col_offset=len(text.rstrip().encode()),
    )


def _handler_fact(
    handler: Handler, effect: str | None, calls: list[str], location: Finding
) -> dict[str, Any]:
    return {
        "method": handler.method,
        "route": handler.route,
        "own_prefix": handler.own_prefix,
        "router": handler.router,
        "replaces_own_prefix": handler.replaces_own_prefix,
        "function": handler.function.name,
        "effect": effect,
        "calls": calls,
        "finding": location.to_json(),
    }


def _handler_route(handler: dict[str, Any]) -> HandlerRoute:
    return HandlerRoute(
        handler["route"], handler["own_prefix"], handler["router"], handler["replaces_own_prefix"]
    )


class _ServiceModules:
    """The function summaries of every file of each service, for calls across modules."""

    def __init__(self, facts: list[FileFacts]) -> None:
        by_service: dict[str | None, list[dict[str, Any]]] = {}
        for fact in facts:
            by_service.setdefault(fact.service, []).append(fact.data)
        self._exports = {
            service: ExportedFunctions(exports) for service, exports in by_service.items()
        }

    def outcome(
        self, service: str | None, effect: str | None, calls: list[str], *, for_handler: bool
    ) -> _Outcome:
        """What the functions `calls` names (in other modules, a few calls deep) add up to.

        `guarded` when one of them guards against replays (or, `for_handler`, reads an
        idempotency key); otherwise the first effect found (`for_handler`: the first
        write), unless `effect` is given.
        """
        exports = self._exports.get(service)
        if exports is None:
            return _Outcome(False, effect)
        found = "write" if for_handler else "effect"
        for key, summary in exports.reachable(calls, _called, _MAX_CALL_DEPTH):
            if summary["guarded"] or (for_handler and summary["key"]):
                return _Outcome(True, None)
            if effect is None and summary[found]:
                effect = f"{summary[found]} (in {key.rsplit('.', 1)[-1]}())"
        return _Outcome(False, effect)


def _called(summary: dict[str, Any]) -> list[str]:
    return summary["calls"]


@dataclass(frozen=True, slots=True)
class _Outcome:
    guarded: bool
    effect: str | None


def _adds_idempotency_middleware(ctx: FileContext) -> bool:
    """`app.add_middleware(IdempotencyMiddleware)` (or any middleware named for idempotency)."""
    for node in ctx.nodes(ast.Call):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "add_middleware"
            and node.args
            and "idempot" in ast.unparse(node.args[0]).lower()
        ):
            return True
    return False


def _retried_unsafe_calls(ctx: FileContext) -> list[dict[str, Any]]:
    if not any(call.unsafe for call in ctx.remote_calls):
        return []
    retried = retried_calls(ctx)
    found = []
    for call in ctx.remote_calls:
        construct = retried.get(call.node)
        target = request_target(ctx, call) if construct is not None and call.unsafe else None
        if construct is None or target is None:
            continue
        found.append(
            {
                "target": target,
                "method": call.method,
                "path": request_path(ctx, call),
                "where": f"{ctx.relpath}:{call.node.lineno}",
                "retry": construct.label,
            }
        )
    return found


def _saga_reason(manifest: Manifest, service: str, method: str, route: str) -> str | None:
    for saga in manifest.sagas.values():
        for number, step in enumerate(saga.steps, start=1):
            if step.service != service:
                continue
            if step.method == method and routes_match(step.route, route):
                return f"is the action of step {number} of saga '{saga.name}' ({step.action})"
            endpoint = step.compensation_endpoint
            if endpoint and endpoint.method == method and routes_match(endpoint.route, route):
                return (
                    f"is the compensation of step {number} of saga '{saga.name}' "
                    f"({step.compensation}), which is retried until it succeeds"
                )
    return None


def _retry_reason(
    retried: list[tuple[str | None, dict[str, Any]]], service: str, method: str, route: str
) -> str | None:
    for caller, call in retried:
        if caller == service or call["target"] != service or call["method"] != method:
            continue
        if call["path"] is None or routes_match(call["path"], route):
            who = caller or "a caller"
            return f"is called by {who} inside a {call['retry']} ({call['where']})"
    return None


def _handler_finding(handler: dict[str, Any], route: str, reason: str) -> Finding:
    location = Finding.from_json(handler["finding"])
    message = (
        f"{handler['method']} {route} ({handler['function']}) {reason}, and applies "
        f"{handler['effect']} without honouring an idempotency key: a retry after a lost "
        "response applies it again"
    )
    return replace(location, message=message)


class ConsumerWithoutDedup(Rule):
    id = "SP402"
    name = "consumer-without-dedup"
    category = "idempotency"
    severity = "warning"
    policy = "idempotency"
    summary = (
        "An at-least-once message consumer applies an effect without deduplicating on the "
        "message id."
    )
    why = (
        "Brokers deliver at least once: a consumer that crashes, times out or is rebalanced "
        "after doing its work but before acknowledging gets the same message again (Kafka "
        "offsets, RabbitMQ acks, SQS visibility timeouts, redis stream pending lists, celery "
        "acks_late and autoretry). Without a check on the message id, the redelivery inserts "
        "the row again, adds the points again or sends the e-mail again."
    )
    bad = """\
for message in consumer:  # KafkaConsumer
    event = json.loads(message.value)
    db.execute("INSERT INTO ledger (order_id, amount) VALUES (?, ?)",
               (event["order_id"], event["amount"]))
    db.commit()
    consumer.commit()
"""
    good = """\
for message in consumer:  # KafkaConsumer
    event = json.loads(message.value)
    db.execute("INSERT INTO ledger (event_id, order_id, amount) VALUES (?, ?, ?) "
               "ON CONFLICT (event_id) DO NOTHING",
               (event["event_id"], event["order_id"], event["amount"]))
    db.commit()
    consumer.commit()
"""
    defaults = (
        "kafka-python, aiokafka and confluent-kafka commit offsets after processing (or "
        "periodically), pika and aio-pika redeliver unacknowledged messages, SQS makes a "
        "message visible again after its visibility timeout, redis XREADGROUP keeps "
        "unacknowledged entries pending, celery redelivers `acks_late` tasks and reruns "
        "`autoretry_for`/`self.retry` tasks. Consumers with `auto_ack=True`/`no_ack=True` and "
        "plain celery tasks deliver at most once and are not checked."
    )
    fix = (
        "record the message id with the effect and skip ids already seen (INSERT … ON "
        "CONFLICT DO NOTHING on the id, a processed-messages table, or redis SET NX)"
    )

    def collect(self, ctx: FileContext) -> dict[str, Any] | None:
        consumers = message_consumers(ctx)
        if not consumers and not _may_have_effects(ctx):
            return None  # nothing here a consumer elsewhere could reach
        scan = effect_scan(ctx)
        records = []
        for consumer in consumers:
            if scan.guarded(consumer_roots(consumer)):
                continue
            sites = [
                ctx.finding(self, _first_line(ctx, node), _consumer_message(consumer, effect.label))
                for node, effect in unguarded_effects(scan, consumer)
            ]
            calls = scan.external_calls(consumer_roots(consumer))
            if sites or calls:
                at = ctx.finding(self, _first_line(ctx, consumer.node), "")
                records.append(
                    {
                        "kind": consumer.kind,
                        "loop": consumer.is_loop,
                        "sites": [f.to_json() for f in sites],
                        "at": at.to_json(),
                        "calls": calls,
                    }
                )
        # Consumers in other files may hand their messages to this file's functions.
        data = {
            "consumers": records,
            "functions": scan.summaries(writes=False),
            "bindings": module_bindings(ctx),
        }
        return data if any(data.values()) else None

    def check_project(self, project: ProjectContext) -> Iterator[Finding]:
        facts = project.facts_for(self)
        modules = _ServiceModules(facts)
        reported: set[tuple[str, int]] = set()
        for fact in facts:
            for record in fact.data["consumers"]:
                outcome = modules.outcome(fact.service, None, record["calls"], for_handler=False)
                if outcome.guarded:
                    continue
                findings = [Finding.from_json(site) for site in record["sites"]]
                if not findings and outcome.effect is not None:
                    message = _consumer_message(record, outcome.effect)
                    findings = [replace(Finding.from_json(record["at"]), message=message)]
                for finding in findings:
                    if (finding.path, finding.line) not in reported:
                        reported.add((finding.path, finding.line))
                        yield finding


def _consumer_message(consumer: Consumer | dict[str, Any], effect: str) -> str:
    kind = consumer.kind if isinstance(consumer, Consumer) else consumer["kind"]
    return (
        f"{kind} consumer applies {effect} with no dedup on the message id: {kind} delivers "
        "at least once, so a redelivered message applies it again"
    )


RULES: list[type[Rule]] = [NonIdempotentHandler, ConsumerWithoutDedup]


def _may_have_effects(ctx: FileContext) -> bool:
    """A cheap test before the effect scan: remote calls, or a datastore or broker library."""
    return (
        bool(ctx.remote_calls)
        or uses_datastore_library(ctx)
        or any(ctx.imports.imports(module) for module in MESSAGING_MODULES)
    )
