"""The remote-call model: libraries, aliases, clients, targets and wrappers."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from stormproof.check.analysis.remote_calls import RemoteCall
from stormproof.check.context import FileContext, SystemModel
from stormproof.manifest import load_manifest

MANIFEST = """\
version: 1
name: shop
services:
  orders:
    calls: {payments: {env: PAYMENTS_URL}, inventory: {env: STOCK_API}}
  payments: {}
  inventory: {}
  mailer: {}
"""


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> SystemModel:
    root = tmp_path_factory.mktemp("shop")
    (root / "stormproof.yaml").write_text(MANIFEST, encoding="utf-8")
    return SystemModel(load_manifest(root / "stormproof.yaml"))


def calls(source: str, system: SystemModel | None = None) -> list[RemoteCall]:
    source = textwrap.dedent(source)
    ctx = FileContext(
        path=Path("/x/orders/app.py"),
        relpath="orders/app.py",
        source=source,
        tree=ast.parse(source),
        system=system or SystemModel(None),
        service=None,
    )
    return ctx.remote_calls


def summary(found: list[RemoteCall]) -> list[tuple[int, str, str | None, str | None]]:
    return [(c.node.lineno, c.api, c.method, c.target) for c in found]


def test_module_functions_of_each_library_and_their_aliases() -> None:
    found = calls(
        """
        import requests as rq
        from httpx import post
        import urllib.request
        from urllib.request import urlopen, Request
        rq.get("http://a")
        post("http://b", json={})
        urllib.request.urlopen("http://c", timeout=3)
        urlopen(Request("http://d", data=b"x"))
        rq.request("DELETE", "http://e")
        """
    )
    assert summary(found) == [
        (6, "requests.get", "GET", None),
        (7, "httpx.post", "POST", None),
        (8, "urllib.request.urlopen", "GET", None),
        (9, "urllib.request.urlopen", "POST", None),
        (10, "requests.request", "DELETE", None),
    ]


def test_clients_in_locals_self_globals_with_blocks_parameters_and_app_state() -> None:
    found = calls(
        """
        import aiohttp, httpx, requests
        from fastapi import Request
        session = requests.Session()
        class Payments:
            http = httpx.Client()
            def __init__(self):
                self.s = requests.session()
            def charge(self):
                self.s.post("http://p")
                self.http.get("http://q")
        async def handler(request: Request, client: httpx.AsyncClient):
            await client.put("http://r")
            async with aiohttp.ClientSession() as s:
                await s.patch("http://s")
            await request.app.state.http.get("http://t")
        def startup(app):
            app.state.http = httpx.AsyncClient()
        session.head("http://u")
        """
    )
    assert [(c.node.lineno, c.api) for c in found] == [
        (10, "requests.Session.post"),
        (11, "httpx.Client.get"),
        (13, "httpx.AsyncClient.put"),
        (15, "aiohttp.ClientSession.patch"),
        (16, "httpx.AsyncClient.get"),
        (19, "requests.Session.head"),
    ]
    assert [c.is_async for c in found] == [False, False, True, True, True, False]


def test_lookalikes_are_not_remote_calls() -> None:
    found = calls(
        """
        import requests
        data = {"a": 1}
        data.get("a")
        class Cache:
            def get(self, key): ...
        Cache().get("k")
        requests.codes.ok
        requests.exceptions.Timeout()
        """
    )
    assert found == []


@pytest.mark.parametrize(
    ("url", "target", "env"),
    [
        ('os.environ["PAYMENTS_URL"] + "/charges"', "payments", "PAYMENTS_URL"),
        ("f\"{os.getenv('STOCK_API')}/items\"", "inventory", "STOCK_API"),
        ('f"{PAY}/charges"', "payments", "PAYMENTS_URL"),
        ('urljoin(settings.payments_url, "/charges")', "payments", "PAYMENTS_URL"),
        ('"http://payments:8000/charges"', "payments", None),
        ('f"http://inventory:9000/items/{sku}"', "inventory", None),
        ('os.environ.get("MAILER_URL", "http://localhost")', "mailer", "MAILER_URL"),
        ('"http://api.stripe.com/v1/charges"', None, None),
        ("url", None, None),
    ],
)
def test_targets_resolve_through_env_vars_constants_settings_and_hosts(
    system: SystemModel, url: str, target: str | None, env: str | None
) -> None:
    [call] = calls(
        f"""
        import os
        import requests
        from urllib.parse import urljoin
        PAY = os.environ["PAYMENTS_URL"].rstrip("/")
        def go(url, sku, settings):
            requests.post({url}, timeout=2)
        """,
        system,
    )
    assert (call.target, call.target_env) == (target, env)


def test_client_base_url_gives_relative_calls_a_target(system: SystemModel) -> None:
    [call] = calls(
        """
        import os, httpx
        client = httpx.AsyncClient(base_url=os.environ["PAYMENTS_URL"], timeout=5)
        async def charge():
            return await client.post("/charges")
        """,
        system,
    )
    assert (call.target, call.url_literal) == ("payments", "/charges")


def test_wrapper_call_sites_are_remote_calls_with_their_own_target(system: SystemModel) -> None:
    found = calls(
        """
        import os, requests
        PAYMENTS = os.environ["PAYMENTS_URL"]
        def post_json(url, payload):
            return requests.post(url, json=payload, timeout=3)
        class Api:
            def __init__(self):
                self.base = os.environ["STOCK_API"]
            def _get(self, path):
                return requests.get(self.base + path, timeout=3)
            def _send(self, method, url):
                return requests.request(method, url)
            def item(self, sku):
                return self._get(f"/items/{sku}")
            def cancel(self):
                return self._send("DELETE", PAYMENTS + "/x")
        def charge():
            return post_json(f"{PAYMENTS}/charges", {"amount": 1})
        """,
        system,
    )
    direct = [c for c in found if c.direct]
    via = [c for c in found if not c.direct]
    assert [(c.api, c.target) for c in direct] == [
        ("requests.post", None),
        ("requests.get", "inventory"),
        ("requests.request", None),
    ]
    assert [(c.node.lineno, c.api, c.method, c.target) for c in via] == [
        (16, "_send (requests.request)", "DELETE", "payments"),
        (18, "post_json (requests.post)", "POST", "payments"),
    ]
    assert via[1].inner is direct[0] and via[1].request is direct[0]


def test_grpc_stub_methods_are_remote_calls() -> None:
    [call] = calls(
        """
        import grpc
        from quotes_pb2_grpc import QuoteServiceStub
        channel = grpc.insecure_channel("quotes:50051")
        stub = QuoteServiceStub(channel)
        stub.GetQuote(request, timeout=2)
        """
    )
    assert (call.library, call.api, call.method) == ("grpc", "QuoteServiceStub.GetQuote", None)
    assert call.keyword("timeout") is not None


def test_a_global_client_assigned_at_startup_is_known_everywhere() -> None:
    found = calls(
        """
        import aiohttp
        http: aiohttp.ClientSession
        async def on_startup(app):
            global http
            http = aiohttp.ClientSession()
        async def handler():
            async with http.post("http://x") as resp:
                return resp.status
        """
    )
    assert [(c.node.lineno, c.api) for c in found] == [(8, "aiohttp.ClientSession.post")]


def test_clients_from_factories_and_dict_entries() -> None:
    found = calls(
        """
        import httpx, requests
        from requests.adapters import HTTPAdapter
        def make_session():
            session = requests.Session()
            session.mount("http://", HTTPAdapter(max_retries=3))
            return session
        http = make_session()
        clients = {}
        clients["stock"] = httpx.Client()
        http.get("http://a")
        clients["stock"].post("http://b")
        clients["other"].post("http://c")
        """
    )
    assert [(c.node.lineno, c.api) for c in found] == [
        (11, "requests.Session.get"),
        (12, "httpx.Client.post"),
    ]


@pytest.mark.parametrize(
    ("base", "target"),
    [
        ("settings.payment_service_url", "payments"),
        ("settings.inventory_base_url", "inventory"),
        ("config.MAILER_API", "mailer"),
        ("ORDERS_ENDPOINT", "orders"),
        ("settings.payments", None),  # not named as an address
        ("settings.billing_url", None),  # no such service
    ],
)
def test_targets_resolve_from_settings_named_after_a_service(
    system: SystemModel, base: str, target: str | None
) -> None:
    [call] = calls(
        f"""
        import requests
        from app.config import settings, config, ORDERS_ENDPOINT
        def go():
            requests.post(f"{{{base}}}/x", timeout=2)
        """,
        system,
    )
    assert call.target == target


def test_request_objects_and_urls_built_in_a_local(system: SystemModel) -> None:
    found = calls(
        """
        import json, os
        from urllib.request import Request, urlopen
        import requests
        LEDGER = os.environ["PAYMENTS_URL"]
        def export(day):
            req = Request(f"{LEDGER}/exports", data=json.dumps({"day": day}).encode())
            return urlopen(req, timeout=5)
        def send(method, base, path):
            url = base.rstrip("/") + path
            return requests.request(method, url, timeout=5)
        def cancel():
            return send("DELETE", os.environ["STOCK_API"], "/reservations/1")
        """,
        system,
    )
    assert [(c.node.lineno, c.direct, c.method, c.target) for c in found] == [
        (8, True, "POST", "payments"),
        (11, True, None, None),
        (13, False, "DELETE", "inventory"),
    ]


def test_clients_injected_through_an_annotated_alias() -> None:
    [call] = calls(
        """
        from typing import Annotated
        import httpx
        from fastapi import Depends
        def get_client() -> httpx.AsyncClient: ...
        Http = Annotated[httpx.AsyncClient, Depends(get_client)]
        async def handler(client: Http):
            return await client.post("http://x")
        """
    )
    assert call.api == "httpx.AsyncClient.post"
