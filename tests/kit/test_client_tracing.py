"""The client span and the W3C trace context, recorded with the OpenTelemetry SDK."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from stormproof.kit.budget import RetryBudget
from stormproof.kit.bulkhead import Bulkhead
from stormproof.kit.errors import BulkheadFullError
from tests.kit import test_client_support as support
from tests.kit.test_client_support import Flavour, LoopbackServer, Script

flavour = support.flavour
no_backoff = support.no_backoff
server = support.server

_exporter = InMemorySpanExporter()


@pytest.fixture(scope="session")
def _sdk() -> TracerProvider:
    """The process's SDK provider, with an in-memory exporter. A global provider can be set
    once per process: reuse one that another test set."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(_exporter))
    return provider


@pytest.fixture
def spans(_sdk: TracerProvider) -> Iterator[InMemorySpanExporter]:
    _exporter.clear()
    yield _exporter
    _exporter.clear()


def _client_spans(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.kind is SpanKind.CLIENT]


def _traceparent(span: ReadableSpan) -> str:
    context = span.get_span_context()
    assert context is not None
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags:02x}"


def test_one_client_span_per_call_with_the_trace_context_on_every_attempt(
    flavour: Flavour, spans: InMemorySpanExporter
) -> None:
    script = Script(503, 200)
    client = flavour.scripted(script)
    flavour.call(client, "GET", "/orders/7")
    (span,) = _client_spans(spans)
    assert span.name == "GET"
    assert span.attributes is not None
    assert dict(span.attributes) == {
        "http.request.method": "GET",
        "url.full": "http://target.test/orders/7",
        "server.address": "target.test",
        "peer.service": client.target,
        "http.response.status_code": 200,
        "http.request.resend_count": 1,
    }
    assert span.status.status_code is StatusCode.UNSET
    assert script.header("traceparent") == [_traceparent(span)] * 2


def test_a_real_server_receives_the_spans_trace_context(
    flavour: Flavour, spans: InMemorySpanExporter, server: LoopbackServer
) -> None:
    client = flavour.client(base_url=server.url)
    assert flavour.call(client, "GET", "/flaky/traced").status_code == 200
    (span,) = _client_spans(spans)
    assert server.headers_of("/flaky/traced", "traceparent") == [_traceparent(span)] * 2
    assert span.attributes is not None
    assert span.attributes["url.full"] == f"{server.url}/flaky/traced"
    assert span.attributes["http.request.resend_count"] == 1


def test_the_client_span_is_a_child_of_the_callers_span(
    flavour: Flavour, spans: InMemorySpanExporter
) -> None:
    script = Script(200)
    client = flavour.scripted(script)
    with trace.get_tracer("test").start_as_current_span("handler") as parent:
        flavour.call(client, "GET")
    (span,) = _client_spans(spans)
    assert span.parent is not None
    assert span.parent.span_id == parent.get_span_context().span_id
    assert span.context is not None
    assert span.context.trace_id == parent.get_span_context().trace_id
    assert script.header("traceparent") == [_traceparent(span)]


def test_tracestate_travels_too(flavour: Flavour, spans: InMemorySpanExporter) -> None:
    script = Script(200)
    client = flavour.scripted(script)
    remote = trace.SpanContext(
        trace_id=0x1234,
        span_id=0x5678,
        is_remote=True,
        trace_flags=trace.TraceFlags(1),
        trace_state=trace.TraceState([("vendor", "value")]),
    )
    with trace.use_span(trace.NonRecordingSpan(remote)):
        flavour.call(client, "GET")
    assert script.header("tracestate") == ["vendor=value"]
    assert (script.header("traceparent")[0] or "").startswith(f"00-{0x1234:032x}-")


def test_an_error_answer_marks_the_span(flavour: Flavour, spans: InMemorySpanExporter) -> None:
    flavour.call(flavour.scripted(Script(500)), "GET")
    (span,) = _client_spans(spans)
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes is not None
    assert span.attributes["error.type"] == "500"
    assert "http.request.resend_count" not in span.attributes


def test_a_4xx_answer_marks_the_client_span_too(
    flavour: Flavour, spans: InMemorySpanExporter
) -> None:
    flavour.call(flavour.scripted(Script(404)), "GET")
    (span,) = _client_spans(spans)
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes is not None
    assert span.attributes["error.type"] == "404"


def test_a_raised_error_is_recorded_on_the_span(
    flavour: Flavour, spans: InMemorySpanExporter
) -> None:
    with pytest.raises(httpx.ConnectError):
        flavour.call(flavour.scripted(Script(httpx.ConnectError)), "GET")
    (span,) = _client_spans(spans)
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes is not None
    assert span.attributes["error.type"] == "ConnectError"
    assert span.attributes["http.request.resend_count"] == 2
    assert [e.name for e in span.events] == ["exception"]


def test_a_refused_retry_is_named_on_the_span(
    flavour: Flavour, spans: InMemorySpanExporter
) -> None:
    budget = RetryBudget(ratio=0.0, min_per_second=0.0)
    flavour.call(flavour.scripted(Script(503), budget=budget), "GET")
    (span,) = _client_spans(spans)
    assert span.attributes is not None
    assert span.attributes["stormproof.retry.refused"] == "budget"


def test_credentials_stay_out_of_the_span(flavour: Flavour, spans: InMemorySpanExporter) -> None:
    client = flavour.scripted(Script(200), base_url="http://user:secret@target.test")
    flavour.call(client, "GET", "/x")
    (span,) = _client_spans(spans)
    assert span.attributes is not None
    assert span.attributes["url.full"] == "http://target.test/x"


def test_no_span_and_no_header_when_tracing_is_off(
    flavour: Flavour, spans: InMemorySpanExporter
) -> None:
    script = Script(200)
    with trace.get_tracer("test").start_as_current_span("handler"):
        flavour.call(flavour.scripted(script, tracing=False), "GET")
    assert _client_spans(spans) == []
    assert script.header("traceparent") == [None]


def test_a_refused_call_ends_its_span_and_leaves_the_callers_current(
    flavour: Flavour, spans: InMemorySpanExporter
) -> None:
    bulkhead = Bulkhead("target", max_concurrent=1)
    script = Script(200)
    client = flavour.scripted(script, bulkhead=bulkhead)
    with trace.get_tracer("test").start_as_current_span("handler") as parent, bulkhead:
        with pytest.raises(BulkheadFullError):
            flavour.call(client, "GET")
        assert trace.get_current_span() is parent
    (span,) = _client_spans(spans)
    assert span.attributes is not None
    assert span.attributes["error.type"] == "BulkheadFullError"
    assert script.requests == []


def test_without_an_sdk_the_callers_context_travels_and_no_span_is_made(
    flavour: Flavour, spans: InMemorySpanExporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(trace, "get_tracer_provider", trace.ProxyTracerProvider)
    script = Script(503, 200)
    remote = trace.SpanContext(
        trace_id=0xABC,
        span_id=0xDEF,
        is_remote=True,
        trace_flags=trace.TraceFlags(1),
        trace_state=trace.TraceState([("vendor", "value")]),
    )
    with trace.use_span(trace.NonRecordingSpan(remote)):
        flavour.call(flavour.scripted(script), "GET")
    assert script.header("traceparent") == [f"00-{0xABC:032x}-{0xDEF:016x}-01"] * 2
    assert script.header("tracestate") == ["vendor=value"] * 2
    assert _client_spans(spans) == []
