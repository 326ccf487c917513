"""Rules of the `tracing` category."""

from __future__ import annotations

from collections.abc import Iterator

from stormproof.check.analysis import kit
from stormproof.check.analysis.modules import module_name, same_object
from stormproof.check.analysis.remote_calls import RemoteCall
from stormproof.check.analysis.tracing import (
    AUTO_INSTRUMENT_COMMANDS,
    EVERY_LIBRARY,
    INSTRUMENTOR_FOR,
    Propagation,
    instrumented_libraries,
)
from stormproof.check.context import FileContext, FileFacts, ProjectContext
from stormproof.check.finding import Finding
from stormproof.check.rule import Rule


class TraceContextNotPropagated(Rule):
    id = "SP601"
    name = "trace-context-not-propagated"
    category = "tracing"
    severity = "warning"
    policy = "tracing"
    summary = "An outgoing call that does not send the W3C trace context (traceparent)."
    why = (
        "Distributed tracing stitches one request's path through every service together by "
        "the `traceparent` header each hop forwards. A call that does not send it starts a "
        "new, unrelated trace on the other side: when a request fails three services away, "
        "its trace ends at this call and nobody can see where the time went or which "
        "downstream error caused the failure."
    )
    bad = """\
import os
import httpx

client = httpx.AsyncClient(timeout=5.0)

async def reserve(flight_id: str) -> dict:
    resp = await client.post(f"{os.environ['FLIGHTS_URL']}/reservations",
                             json={"flight_id": flight_id})
    resp.raise_for_status()
    return resp.json()
"""
    good = """\
import os
import httpx
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

HTTPXClientInstrumentor().instrument()  # every httpx request now sends traceparent
client = httpx.AsyncClient(timeout=5.0)

async def reserve(flight_id: str) -> dict:
    resp = await client.post(f"{os.environ['FLIGHTS_URL']}/reservations",
                             json={"flight_id": flight_id})
    resp.raise_for_status()
    return resp.json()
"""
    defaults = (
        "No HTTP client sends a trace header on its own, and instrumenting the server "
        "(FastAPIInstrumentor, FlaskInstrumentor) only traces incoming requests. Counted as "
        "propagating: the OpenTelemetry client instrumentor for the call's library anywhere in "
        "the same service (HTTPXClientInstrumentor, RequestsInstrumentor, URLLib3Instrumentor, "
        "URLLibInstrumentor, AioHttpClientInstrumentor, GrpcInstrumentorClient, logfire's "
        "instrument_*), auto-instrumentation (`opentelemetry-instrument` or `ddtrace-run` in "
        "the service's `run:`, `auto_instrumentation.initialize()`, `ddtrace.patch_all()`), "
        "`inject(headers)` before the call into the headers it sends, a forwarded "
        "`traceparent` header, and stormproof.kit.Client."
    )
    fix = (
        "instrument the client library at start-up (e.g. HTTPXClientInstrumentor().instrument()) "
        "or call opentelemetry.propagate.inject(headers) and pass headers=headers"
    )

    def collect(self, ctx: FileContext) -> dict[str, list] | None:
        instrumented = sorted(instrumented_libraries(ctx))
        candidates = []
        if ctx.remote_calls and (ctx.manifest is None or ctx.service is not None):
            propagation = Propagation(ctx)
            # A wrapper's request is judged at the wrapper's call sites, where the target
            # (and the headers, when the wrapper takes them as arguments) is known.
            wrapped = {id(c.inner.node) for c in ctx.remote_calls if c.inner is not None}
            for call in ctx.remote_calls:
                if id(call.node) not in wrapped and not propagation.carries_context(call):
                    finding = ctx.finding(self, call.node, _message(ctx, call), fix=_fix(call))
                    candidates.append({"library": call.library, "finding": finding.to_json()})
        if not instrumented and not candidates:
            return None
        return {
            "instrumented": instrumented,
            "calls": candidates,
            "module": module_name(ctx),
            "imports": sorted({*ctx.imports.modules, *ctx.imports.names.values()}),
        }

    def check_project(self, project: ProjectContext) -> Iterator[Finding]:
        facts = project.facts_for(self)
        covered: dict[str | None, set[str]] = {}
        for fact in facts:
            covered.setdefault(fact.service, set()).update(fact.data["instrumented"])
        if project.manifest is not None:
            for service in project.manifest.services.values():
                if any(cmd in (service.run or "") for cmd in AUTO_INSTRUMENT_COMMANDS):
                    covered.setdefault(service.name, set()).add(EVERY_LIBRARY)
            _add_shared_setup(facts, covered)
        for fact in facts:
            libraries = covered.get(fact.service, set())
            if EVERY_LIBRARY in libraries:
                continue
            for call in fact.data["calls"]:
                if call["library"] not in libraries:
                    yield Finding.from_json(call["finding"])


def _add_shared_setup(facts: list[FileFacts], covered: dict[str | None, set[str]]) -> None:
    """Instrumentation in a shared module outside every service counts for its importers."""
    shared = [f for f in facts if f.service is None and f.data["instrumented"]]
    for fact in facts:
        if fact.service is None:
            continue
        for setup in shared:
            if any(same_object(name, setup.data["module"]) for name in fact.data["imports"]):
                covered.setdefault(fact.service, set()).update(setup.data["instrumented"])


def _message(ctx: FileContext, call: RemoteCall) -> str:
    where = ctx.service_name or "this code"
    downstream = call.target or "the remote service"
    if call.request.library == kit.LIBRARY:
        return (
            f"{call.describe()} sends no traceparent: its client is built with tracing=False, "
            f"so {downstream} starts a new trace and the request's trace ends here"
        )
    return (
        f"{call.describe()} sends no traceparent: {where} has no OpenTelemetry {call.library} "
        f"instrumentation and the call injects no trace context, so {downstream} starts a new "
        "trace and the request's trace ends here"
    )


def _fix(call: RemoteCall) -> str:
    if call.request.library == kit.LIBRARY:
        return "drop tracing=False from the stormproof.kit client"
    instrumentor = INSTRUMENTOR_FOR.get(call.library)
    if instrumentor is None:
        return TraceContextNotPropagated.fix
    return (
        f"call {instrumentor} at start-up, or call opentelemetry.propagate.inject(headers) "
        "before the request and pass headers=headers"
    )


RULES: list[type[Rule]] = [TraceContextNotPropagated]
