"""SP601 trace-context-not-propagated."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from stormproof.check import Finding
from stormproof.check.analysis.tracing import EVERY_LIBRARY, instrumented_libraries
from stormproof.check.context import FileContext, SystemModel
from stormproof.check.rules.tracing import RULES
from tests.check.rules.checking import check_files

MANIFEST = """\
version: 1
name: travel
services:
  gateway:
    path: gateway/
    calls: [booking]
  booking:
    path: booking/
    calls: [payments]
  payments:
    path: payments/
"""
CALL = 'import os, httpx\nhttpx.post(os.environ["PAYMENTS_URL"] + "/charges", json={})\n'


def check(tmp_path: Path, files: dict[str, str], manifest: str | None = MANIFEST) -> list[Finding]:
    """Check a tree of `files` (path → source) with SP601 only."""
    return check_files(tmp_path, files, rules=RULES, manifest=manifest)


def where(found: list[Finding]) -> list[tuple[str, int]]:
    return [(f.path, f.line) for f in found]


def test_message_and_fix_name_the_library_and_its_instrumentor(tmp_path: Path) -> None:
    [finding] = check(tmp_path, {"booking/app.py": CALL})
    assert finding.rule == "SP601"
    assert finding.message.startswith("httpx.post to payments sends no traceparent")
    assert "booking has no OpenTelemetry httpx instrumentation" in finding.message
    assert "HTTPXClientInstrumentor().instrument()" in finding.fix


def test_instrumentation_counts_for_the_whole_service_and_only_that_service(
    tmp_path: Path,
) -> None:
    telemetry = """
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
        def setup():
            HTTPXClientInstrumentor().instrument()
    """
    found = check(
        tmp_path,
        {
            "booking/telemetry.py": telemetry,
            "booking/app.py": CALL,
            "gateway/app.py": CALL.replace("PAYMENTS_URL", "BOOKING_URL"),
        },
    )
    assert where(found) == [("gateway/app.py", 2)]


def test_an_instrumentor_covers_its_own_library_only(tmp_path: Path) -> None:
    source = """
        import os, httpx, requests
        from opentelemetry.instrumentation.requests import RequestsInstrumentor
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
        RequestsInstrumentor().instrument()
        FastAPIInstrumentor.instrument_app(app)
        URL = os.environ["PAYMENTS_URL"]
        requests.post(URL, timeout=5)
        httpx.post(URL)
    """
    assert where(check(tmp_path, {"booking/app.py": source})) == [("booking/app.py", 9)]


def test_auto_instrumenting_run_command_covers_everything(tmp_path: Path) -> None:
    manifest = MANIFEST.replace(
        "    path: booking/\n",
        '    path: booking/\n    run: "opentelemetry-instrument uvicorn booking.app:app"\n',
    )
    assert check(tmp_path, {"booking/app.py": CALL}, manifest=manifest) == []


@pytest.mark.parametrize(
    ("body", "propagates"),
    [
        ("h = {}\ninject(h)\nhttpx.post(URL, headers=h)", True),
        ("h = {}\nhttpx.post(URL, headers=h)\ninject(h)", False),
        ("c = {}\ninject(c)\nh = {'Accept': 'json'}\nhttpx.post(URL, headers=h)", False),
        ("httpx.post(URL, headers={'traceparent': incoming})", True),
        ("httpx.post(URL, headers={'X-Request-ID': rid})", False),
        ("httpx.post(URL, headers={**STATIC})", False),
        ("httpx.post(URL, headers=incoming)", True),
        ("httpx.post(URL, headers=helper())", True),
        ("httpx.post(URL, headers=static_headers())", False),
        ("httpx.post(URL, **options)", True),
    ],
)
def test_manual_propagation(tmp_path: Path, body: str, propagates: bool) -> None:
    source = (
        "import os, httpx\n"
        "from opentelemetry.propagate import inject\n"
        'URL = os.environ["PAYMENTS_URL"]\n'
        "STATIC = {'User-Agent': 'booking'}\n"
        "def helper():\n    h = {}\n    inject(h)\n    return h\n"
        "def static_headers():\n    return {'Accept': 'json'}\n"
        "def call(incoming, rid, options):\n" + textwrap.indent(body, "    ") + "\n"
    )
    found = check(tmp_path, {"booking/app.py": source})
    assert (found == []) is propagates


def test_urllib_request_with_a_traceparent_header_propagates(tmp_path: Path) -> None:
    source = """
        import os, urllib.request
        def send(tp):
            req = urllib.request.Request(os.environ["PAYMENTS_URL"])
            req.add_header("traceparent", tp)
            return urllib.request.urlopen(req, timeout=5)
        def bare():
            return urllib.request.urlopen(os.environ["PAYMENTS_URL"], timeout=5)
    """
    assert where(check(tmp_path, {"booking/app.py": source})) == [("booking/app.py", 8)]


def test_httpx_request_hook_that_injects(tmp_path: Path) -> None:
    source = """
        import os, httpx
        from opentelemetry.propagate import inject
        def add_trace(request):
            inject(request.headers)
        def log_it(request):
            print(request.url)
        traced = httpx.Client(event_hooks={"request": [add_trace]})
        logged = httpx.Client(event_hooks={"request": [log_it]})
        traced.post(os.environ["PAYMENTS_URL"])
        logged.post(os.environ["PAYMENTS_URL"])
    """
    assert where(check(tmp_path, {"booking/app.py": source})) == [("booking/app.py", 11)]


WRAPPER = """\
import os, requests
from opentelemetry.propagate import inject
URL = os.environ["PAYMENTS_URL"]
def post_json(url, payload, headers=None, **kwargs):
    return requests.post(url, json=payload, headers=headers, timeout=5, **kwargs)
"""


@pytest.mark.parametrize(
    ("body", "propagates"),
    [
        ("post_json(URL, {})", False),
        ("post_json(URL, {}, {'Accept': 'json'})", False),
        ("post_json(URL, {}, headers={'traceparent': tp})", True),
        ("h = {}\ninject(h)\npost_json(URL, {}, headers=h)", True),
        ("post_json(URL, {}, headers=incoming)", True),
        ("post_json(URL, {}, **options)", True),
    ],
)
def test_a_wrapper_call_is_judged_where_it_is_made(
    tmp_path: Path, body: str, propagates: bool
) -> None:
    source = WRAPPER + "def call(tp, incoming, options):\n" + textwrap.indent(body, "    ") + "\n"
    found = check(tmp_path, {"booking/app.py": source})
    last_line = len(source.splitlines())
    assert where(found) == ([] if propagates else [("booking/app.py", last_line)])
    if found:
        assert found[0].message.startswith("post_json (requests.post) to payments sends no")


def test_a_wrapper_that_injects_itself_propagates_for_every_caller(tmp_path: Path) -> None:
    source = """
        import os, httpx
        from opentelemetry.propagate import inject
        def traced_get(url):
            headers = {}
            inject(headers)
            return httpx.get(url, headers=headers)
        def untraced_get(url):
            return httpx.get(url)
        traced_get(os.environ["PAYMENTS_URL"])
        untraced_get(os.environ["PAYMENTS_URL"])
        def never_called(url):
            return httpx.get(url)
    """
    found = check(tmp_path, {"booking/app.py": source})
    assert where(found) == [("booking/app.py", 11), ("booking/app.py", 13)]


def test_without_a_manifest_the_tree_is_one_system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # paths are relative to the working directory
    files = {
        "a/otel.py": "from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor\n"
        "HTTPXClientInstrumentor().instrument()\n",
        "b/app.py": CALL,
        "c/app.py": "import requests\nrequests.get('http://x', timeout=1)\n",
    }
    assert where(check(tmp_path, files, manifest=None)) == [("c/app.py", 2)]


def test_files_outside_services_and_policy_off(tmp_path: Path) -> None:
    assert check(tmp_path, {"tools/seed.py": CALL}) == []
    off = MANIFEST + "policies:\n  tracing: off\n"
    assert check(tmp_path, {"booking/app.py": CALL}, manifest=off) == []


@pytest.mark.parametrize(
    ("source", "libraries"),
    [
        ("import logfire\nlogfire.instrument_requests()", {"requests"}),
        ("import ddtrace\nddtrace.patch(requests=True, httpx=False)", {"requests"}),
        ("from ddtrace import patch_all\npatch_all()", {EVERY_LIBRARY}),
        (
            "from opentelemetry.instrumentation.urllib3 import URLLib3Instrumentor\n"
            "i = URLLib3Instrumentor()\ni.instrument()",
            {"requests", "urllib3"},
        ),
        (
            "from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor",
            set(),
        ),
    ],
)
def test_instrumented_libraries(source: str, libraries: set[str]) -> None:
    ctx = FileContext(
        path=Path("/x/a.py"),
        relpath="a.py",
        source=source,
        tree=ast.parse(source),
        system=SystemModel(None),
        service=None,
    )
    assert instrumented_libraries(ctx) == libraries
