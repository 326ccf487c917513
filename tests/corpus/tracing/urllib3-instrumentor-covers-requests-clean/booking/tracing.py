"""Instrument at the urllib3 layer, which requests sits on."""

from opentelemetry.instrumentation.urllib3 import URLLib3Instrumentor


def init() -> None:
    URLLib3Instrumentor().instrument()
