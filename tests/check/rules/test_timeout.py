"""SP101 remote-call-without-timeout and SP102 timeout-disabled."""

from __future__ import annotations

from pathlib import Path

import pytest

from stormproof.check import Finding
from stormproof.check.rule import Rule
from stormproof.check.rules.timeout import RULES, RemoteCallWithoutTimeout, TimeoutDisabled
from tests.check.rules.checking import check_files, lines

MANIFEST = """\
version: 1
name: travel
services:
  booking:
    path: booking/
    calls: [payments]
  payments:
    path: payments/
"""


def findings(
    tmp_path: Path,
    source: str,
    *,
    manifest: str | None = None,
    rules: list[type[Rule]] | None = None,
) -> list[Finding]:
    """Check `source` as booking/app.py (with `manifest` as stormproof.yaml when given)."""
    return check_files(
        tmp_path, {"booking/app.py": source}, rules=rules or RULES, manifest=manifest
    )


# -- SP101 --------------------------------------------------------------------------------


def test_message_names_call_target_and_the_service_it_hangs(tmp_path: Path) -> None:
    found = findings(
        tmp_path,
        """
        import os
        import requests

        def charge():
            return requests.post(os.environ["PAYMENTS_URL"] + "/charges", json={})
        """,
        manifest=MANIFEST,
    )
    assert lines(found) == [(6, "SP101")]
    finding = found[0]
    assert finding.message == (
        "requests.post to payments has no timeout; a hung payments service hangs booking"
    )
    assert finding.fix == RemoteCallWithoutTimeout.fix
    assert finding.service == "booking"
    assert finding.severity == "error"


def test_message_without_manifest_names_no_service(tmp_path: Path) -> None:
    found = findings(tmp_path, "import requests as rq\nrq.get('http://x/y')\n")
    assert [f.message for f in found] == [
        "requests.get has no timeout; a hung upstream hangs the caller"
    ]


@pytest.mark.parametrize(
    "source",
    [
        "import requests as rq\nrq.delete(url)\n",
        "from requests import request\nrequest('PATCH', url)\n",
        "import requests\ns = requests.Session()\ns.timeout = 5\ns.get(url)\n",
        "import requests\nwith requests.Session() as s:\n    s.head(url)\n",
        "import urllib.request\nurllib.request.urlopen(url)\n",
        "from urllib.request import urlopen\nurlopen(url, b'data')\n",
        "import grpc\nfrom gen import shop_pb2_grpc\n"
        "stub = shop_pb2_grpc.ShopStub(grpc.insecure_channel('shop:50051'))\nstub.Buy(req)\n",
    ],
    ids=[
        "alias",
        "from-import-request",
        "session-timeout-attr",
        "with-session",
        "urlopen",
        "urlopen-two-args",
        "grpc-stub",
    ],
)
def test_flags_calls_that_wait_forever(tmp_path: Path, source: str) -> None:
    found = findings(tmp_path, source, rules=[RemoteCallWithoutTimeout])
    assert [f.line for f in found] == [len(source.splitlines())]


@pytest.mark.parametrize(
    "source",
    [
        "import requests\nrequests.get(url, timeout=TIMEOUT)\n",
        "import requests\nrequests.get(url, timeout=settings.http_timeout or 5)\n",
        "import requests\nrequests.post(url, **options)\n",
        "import urllib.request\nurllib.request.urlopen(url, None, 5)\n",
        "import urllib.request\nurllib.request.urlopen(url, timeout=5)\n",
        "import httpx\nhttpx.get(url)\nhttpx.Client().post(url)\n",
        "import aiohttp\nasync def f():\n"
        "    async with aiohttp.ClientSession() as s:\n        await s.get(url)\n",
        "import grpc\nfrom gen import shop_pb2_grpc\n"
        "stub = shop_pb2_grpc.ShopStub(grpc.insecure_channel('shop:50051'))\n"
        "stub.Buy(req, timeout=2)\n",
        "from gen.legacy import LegacyStub\nstub = LegacyStub(conn)\nstub.Buy(req)\n",
        "import functools, requests\nget = functools.partial(requests.get, timeout=3)\nget(url)\n",
        "import requests\nclass S(requests.Session):\n    pass\nS().get(url)\n",
    ],
    ids=[
        "variable",
        "expression",
        "star-kwargs",
        "urlopen-positional",
        "urlopen-keyword",
        "httpx-default",
        "aiohttp-default",
        "grpc-timeout",
        "non-generated-stub",
        "partial",
        "session-subclass",
    ],
)
def test_leaves_calls_with_a_timeout_or_a_safe_default(tmp_path: Path, source: str) -> None:
    assert findings(tmp_path, source, rules=[RemoteCallWithoutTimeout]) == []


def test_session_with_a_timeout_adapter_subclass_is_exempt(tmp_path: Path) -> None:
    source = """
        import requests
        from requests.adapters import HTTPAdapter

        class TimeoutAdapter(HTTPAdapter):
            def send(self, request, **kwargs):
                kwargs.setdefault("timeout", 5)
                return super().send(request, **kwargs)

        class PoolAdapter(HTTPAdapter):
            pass

        safe = requests.Session()
        safe.mount("https://", TimeoutAdapter())
        pooled = requests.Session()
        pooled.mount("https://", PoolAdapter())
        safe.get("https://a/x")
        pooled.get("https://a/x")
        """
    assert lines(findings(tmp_path, source)) == [(18, "SP101")]


def test_session_whose_request_is_patched_with_a_timeout_is_exempt(tmp_path: Path) -> None:
    source = """
        import functools
        import requests

        patched = requests.Session()
        patched.request = functools.partial(patched.request, timeout=5)
        other = requests.Session()
        patched.get("https://a/x")
        other.get("https://a/x")
        """
    assert lines(findings(tmp_path, source)) == [(9, "SP101")]


def test_wrapper_is_reported_once_at_its_own_request(tmp_path: Path) -> None:
    source = """
        import requests

        def post_json(url, payload):
            return requests.post(url, json=payload).json()

        post_json("http://payments:8000/charges", {})
        post_json("http://flights:8000/seats", {})
        """
    assert lines(findings(tmp_path, source)) == [(5, "SP101")]


def test_timeouts_policy_off_silences_both_rules(tmp_path: Path) -> None:
    manifest = MANIFEST + 'policies:\n  timeouts: "off"\n'
    source = "import requests, httpx\nrequests.get(url)\nhttpx.get(url, timeout=None)\n"
    assert findings(tmp_path, source, manifest=manifest) == []


# -- SP102 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "phrase"),
    [
        ("import httpx\nhttpx.post(url, timeout=None)\n", "httpx.post passes timeout=None"),
        ("import requests\nrequests.get(url, timeout=None)\n", "requests.get passes timeout=None"),
        ("import requests\nrequests.get(url, timeout=(3, None))\n", "(connect, None) timeout"),
        ("import httpx\nhttpx.AsyncClient(timeout=None)\n", "httpx.AsyncClient(timeout=None)"),
        ("from httpx import Client\nClient(timeout=None)\n", "httpx.Client(timeout=None)"),
        ("import httpx\nhttpx.Timeout(None)\n", "httpx.Timeout with no read timeout"),
        ("import httpx\nhttpx.Timeout(None, connect=5.0)\n", "httpx.Timeout"),
        ("import httpx\nhttpx.Timeout(timeout=None)\n", "httpx.Timeout"),
        ("import httpx\nhttpx.Timeout(5.0, read=None)\n", "httpx.Timeout"),
        ("import aiohttp\naiohttp.ClientTimeout()\n", "aiohttp.ClientTimeout"),
        ("import aiohttp\naiohttp.ClientTimeout(total=None)\n", "aiohttp.ClientTimeout"),
        ("import aiohttp\naiohttp.ClientTimeout(None, None)\n", "aiohttp.ClientTimeout"),
    ],
)
def test_flags_disabled_timeouts(tmp_path: Path, source: str, phrase: str) -> None:
    found = findings(tmp_path, source, rules=[TimeoutDisabled])
    assert [f.line for f in found] == [2]
    assert phrase in found[0].message
    assert found[0].fix == TimeoutDisabled.fix


@pytest.mark.parametrize(
    "source",
    [
        "import httpx\nhttpx.Timeout(None, read=30.0)\n",
        "import httpx\nhttpx.Timeout(30.0, pool=None)\n",
        "import httpx\nhttpx.Timeout(**limits)\n",
        "import httpx\ndef f(t=None):\n    return httpx.get(url, timeout=t)\n",
        "import httpx\nhttpx.Client(timeout=httpx.Timeout(10.0))\n",
        "import aiohttp\naiohttp.ClientTimeout(total=None, sock_read=30)\n",
        "import aiohttp\naiohttp.ClientTimeout(total=None, connect=5)\n",
        "import aiohttp\naiohttp.ClientTimeout(10)\n",
        "import requests\nrequests.get(url, timeout=(None, 10))\n",
    ],
)
def test_leaves_finite_or_unknown_timeouts(tmp_path: Path, source: str) -> None:
    assert findings(tmp_path, source, rules=[TimeoutDisabled]) == []


def test_a_disabled_timeout_in_a_constant_is_reported_where_it_is_built(tmp_path: Path) -> None:
    source = """
        import httpx

        NO_LIMIT = httpx.Timeout(None)
        client = httpx.Client(timeout=NO_LIMIT)
        """
    assert lines(findings(tmp_path, source)) == [(4, "SP102")]


def test_client_message_names_its_target(tmp_path: Path) -> None:
    source = """
        import os
        import httpx

        payments = httpx.Client(base_url=os.environ["PAYMENTS_URL"], timeout=None)
        """
    found = findings(tmp_path, source, manifest=MANIFEST)
    assert [f.message for f in found] == [
        "httpx.Client(timeout=None) disables httpx's 5 s default for every request it sends; "
        "a hung payments service hangs booking"
    ]


def test_disabled_timeout_is_reported_at_the_argument_not_the_call(tmp_path: Path) -> None:
    source = """
        import httpx
        import requests

        client = httpx.Client(
            base_url="http://reports:8000",
            timeout=None,
        )
        requests.post(
            "http://payments:8000/charges",
            json={},
            timeout=(3.05, None),
        )
        """
    found = findings(tmp_path, source, rules=[TimeoutDisabled])
    spans = [(f.line, f.column, f.end_line, f.end_column) for f in found]
    assert spans == [(7, 5, 7, 17), (12, 5, 12, 25)]


def test_a_call_spanning_lines_is_not_reported_at_its_first_line(tmp_path: Path) -> None:
    source = """
        import httpx

        httpx.get(
            "http://search:9200/_search",
            timeout=None,
        )
        """
    assert lines(findings(tmp_path, source, rules=[TimeoutDisabled])) == [(6, "SP102")]


def test_timeout_objects_of_other_libraries_are_not_read(tmp_path: Path) -> None:
    source = """
        from mylib import ClientTimeout, Timeout

        Timeout(None)
        ClientTimeout(total=None)
        """
    assert findings(tmp_path, source, rules=[TimeoutDisabled]) == []


# -- rule pages ------------------------------------------------------------------------


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_page_bad_example_is_caught_and_good_example_is_not(
    tmp_path: Path, rule: type[Rule]
) -> None:
    assert {f.rule for f in findings(tmp_path / "bad", rule.bad, rules=[rule])} == {rule.id}
    assert findings(tmp_path / "good", rule.good, rules=[rule]) == []
