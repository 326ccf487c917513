"""Route handlers, request paths, effects, guards and key reads."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from stormproof.check.analysis.handlers import (
    CallTargets,
    EffectScan,
    function_key,
    function_ref,
    join_route,
    module_bindings,
    mounts,
    request_path,
    route_handlers,
    routes_match,
    same_object,
)
from stormproof.check.context import FileContext, SystemModel


def context(source: str, relpath: str = "payments/app.py") -> FileContext:
    source = textwrap.dedent(source)
    return FileContext(
        path=Path("/x") / relpath,
        relpath=relpath,
        source=source,
        tree=ast.parse(source),
        system=SystemModel(None),
        service=None,
    )


def routes(source: str) -> list[tuple[str, str, str]]:
    return [(h.method, h.path, h.function.name) for h in route_handlers(context(source))]


# -- routes ----------------------------------------------------------------------------------


def test_fastapi_decorators_with_router_prefix_and_api_route_methods() -> None:
    assert routes(
        """
        from fastapi import APIRouter, FastAPI
        app = FastAPI()
        router = APIRouter(prefix="/reservations")

        @app.post("/charges")
        def charge(): ...

        @router.delete("/{reservation_id}")
        async def cancel(reservation_id: int): ...

        @app.api_route("/refunds", methods=["POST", "PUT"])
        def refund(): ...
        """
    ) == [
        ("POST", "/charges", "charge"),
        ("DELETE", "/reservations/{reservation_id}", "cancel"),
        ("POST", "/refunds", "refund"),
        ("PUT", "/refunds", "refund"),
    ]


def test_flask_route_defaults_to_get_and_blueprint_prefix_applies() -> None:
    assert routes(
        """
        from flask import Blueprint, Flask
        app = Flask(__name__)
        bp = Blueprint("r", __name__, url_prefix="/reservations")

        @app.route("/health")
        def health(): ...

        @bp.route("", methods=["POST"])
        def create(): ...
        """
    ) == [("GET", "/health", "health"), ("POST", "/reservations", "create")]


def test_class_based_views_and_registrations() -> None:
    found = routes(
        """
        from flask import Flask
        from flask.views import MethodView
        from starlette.routing import Mount, Route
        app = Flask(__name__)

        class Reservations(MethodView):
            def get(self): ...
            def post(self): ...
            def helper(self): ...

        def refund(request): ...
        def charge(request): ...

        app.add_url_rule("/reservations", view_func=Reservations.as_view("reservations"))
        routes = [
            Route("/refunds", refund, methods=["POST"]),
            Mount("/v1", routes=[Route("/charges", endpoint=charge, methods=["POST"])]),
        ]
        """
    )
    assert sorted(found) == [
        ("GET", "/reservations", "get"),
        ("POST", "/refunds", "refund"),
        ("POST", "/reservations", "post"),
        ("POST", "/v1/charges", "charge"),
    ]


def test_files_without_a_web_framework_have_no_routes() -> None:
    assert routes("import requests\n@app.post('/x')\ndef f(): ...\n") == []


def test_mounts_name_the_router_across_files() -> None:
    ctx = context(
        """
        from fastapi import FastAPI
        from payments.routers import charges
        app = FastAPI()
        app.include_router(charges.router, prefix="/charges")
        app.include_router(other_router)
        """,
        relpath="payments/main.py",
    )
    found = mounts(ctx)
    assert [(m.parent, m.child, m.prefix) for m in found] == [
        ("payments.main.app", "payments.routers.charges.router", "/charges")
    ]
    assert same_object(found[0].child, "payments.routers.charges.router")
    assert same_object(".routers.charges.router", "src.payments.routers.charges.router")
    assert not same_object("payments.main.charge", "payments.charge")


# -- paths -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("/reservations/{id}", "/reservations/<int:reservation_id>", True),
        ("/charges/", "/charges", True),
        ("/charges/{}/refund", "/charges/{charge_id}/refund", True),
        ("/charges", "/refunds", False),
        ("/charges/{id}", "/charges", False),
    ],
)
def test_routes_match_ignores_parameter_names_and_trailing_slashes(
    a: str, b: str, same: bool
) -> None:
    assert routes_match(a, b) is same


def test_join_route() -> None:
    assert join_route("/charges", "/") == "/charges"
    assert join_route("", "") == "/"
    assert join_route("/v1/", "/reservations", "{id}") == "/v1/reservations/{id}"


def test_request_path_reads_fstrings_concatenation_literals_and_base_url_clients() -> None:
    ctx = context(
        """
        import os, httpx, requests
        BASE = os.environ["PAYMENTS_URL"]
        url = f"{BASE}/refunds"
        client = httpx.Client(base_url=BASE)
        requests.post(f"{BASE}/charges/{charge_id}/capture")
        requests.post(BASE + "/charges")
        requests.post("http://payments:8000/charges?x=1")
        requests.post(url)
        client.post("/holds")
        requests.post(BASE)
        """
    )
    assert [request_path(ctx, c) for c in ctx.remote_calls] == [
        "/charges/{}/capture",
        "/charges",
        "/charges",
        "/refunds",
        "/holds",
        None,
    ]


# -- effects and guards ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "labels"),
    [
        ("INSERT INTO charges (id) VALUES (?)", ["INSERT INTO charges"]),
        ("insert or ignore into charges (id) values (?)", []),
        ("INSERT INTO t (k) VALUES (%s) ON CONFLICT (k) DO NOTHING", []),
        ("INSERT INTO t (k) VALUES (%s) ON CONFLICT (k) DO UPDATE SET n = excluded.n", []),
        ("REPLACE INTO t (k) VALUES (?)", []),
        ("UPDATE seats SET n = n - 1 WHERE id = ?", ["UPDATE seats (adds to a column)"]),
        ("  -- cancel\n DELETE FROM holds WHERE id = ?", []),
        ("SELECT n FROM seats", []),
    ],
)
def test_sql_effects(sql: str, labels: list[str]) -> None:
    assert effects_of(f"conn.execute({sql!r})") == labels


def with_body(header: str, body: str) -> FileContext:
    """A module whose last function, `handler`, runs `body`."""
    return context(textwrap.dedent(header) + textwrap.indent(body, "    ") + "\n")


def effects_of(body: str) -> list[str]:
    ctx = with_body(
        """
        import os, redis, requests, sqlite3
        from sqlalchemy import text
        from sqlalchemy.orm import Session
        r = redis.Redis()
        conn = sqlite3.connect("x.db")
        SQL = "INSERT INTO audit (x) VALUES (?)"
        def handler(session: Session, seen: set, amount: int):
        """,
        body,
    )
    function = next(f for f in ctx.functions if f.name == "handler")
    return [e.label for e in EffectScan(ctx).effects([function])]


@pytest.mark.parametrize(
    ("body", "labels"),
    [
        ('conn.execute("INSERT INTO charges (id) VALUES (?)", (1,))', ["INSERT INTO charges"]),
        ("conn.execute(SQL, (1,))", ["INSERT INTO audit"]),
        ('session.execute(text("UPDATE t SET n = n + 1"))', ["UPDATE t (adds to a column)"]),
        (
            'new = row["balance"] - amount\nconn.execute("UPDATE a SET balance = ?", (new,))',
            ["UPDATE a (adds to a column)"],
        ),
        ('r.hincrby("points", "u1", 5)', ["redis HINCRBY"]),
        ("session.add(object())", ["session.add(...)"]),
        ('requests.post(os.environ["X_URL"], json={})', ["requests.post"]),
        ('conn.execute("DELETE FROM holds WHERE id = ?", (1,))', []),
        ('conn.execute("UPDATE r SET status = ? WHERE id = ?", ("x", 1))', []),
        (
            'until = datetime.now() + ttl\nconn.execute("UPDATE h SET until = ?", (until,))',
            [],
        ),
        ('r.set("k", 1)\nr.sadd("s", 1)\nseen.add(1)', []),
        ('requests.post(os.environ["X_URL"], headers={"Idempotency-Key": k})', []),
        ('requests.put(os.environ["X_URL"], json={})', []),
        ('db.orders.insert_one({"a": 1})', ["db.orders.insert_one(...)"]),
        ('db.c.update_one({"_id": 1}, {"$inc": {"n": 1}})', ["db.c.update_one(...)"]),
        ('db.c.update_one({"_id": 1}, {"$set": {"n": 1}})', []),
        ("query = orders.insert().values(a=1)\nconn.execute(query)", ["an INSERT"]),
    ],
)
def test_effects_are_writes_a_replay_repeats(body: str, labels: list[str]) -> None:
    assert effects_of(body) == labels


def guarded(body: str) -> bool:
    ctx = with_body(
        """
        import redis, sqlite3
        r = redis.Redis()
        conn = sqlite3.connect("x.db")
        def handler(msg_id, seen, payload):
        """,
        body,
    )
    function = next(f for f in ctx.functions if f.name == "handler")
    return EffectScan(ctx).guarded([function])


@pytest.mark.parametrize(
    "body",
    [
        'conn.execute("INSERT OR IGNORE INTO t (id) VALUES (?)", (msg_id,))',
        'if not r.set(f"m:{msg_id}", 1, nx=True):\n    return',
        'cur = conn.execute("UPDATE t SET s = 1")\nif cur.rowcount == 0:\n    return',
        "if msg_id in seen:\n    return",
        "if already_processed(msg_id):\n    return",
        'if r.sismember("done", msg_id):\n    return',
        'row = conn.execute("SELECT 1 FROM processed_messages WHERE id = ?", (msg_id,))',
        "try:\n    insert(msg_id)\nexcept IntegrityError:\n    return",
        "if db.processed_events.find_one({'_id': msg_id}):\n    return",
        "found = db.query(P).filter_by(booking=payload).first()\nif found:\n    return found",
        "row = conn.execute('SELECT id FROM p').fetchone()\nif row is not None:\n    return row",
    ],
)
def test_guards_make_replays_harmless(body: str) -> None:
    assert guarded(body)


@pytest.mark.parametrize(
    "body",
    [
        'if "items" in payload:\n    return',
        'if msg_id in ("a", "b"):\n    return',
        'r.set("k", 1)',
        "if msg_id is None:\n    return",
        "try:\n    insert(msg_id)\nexcept ValueError:\n    return",
        "row = conn.execute('SELECT id FROM p').fetchone()\nif row is None:\n    return",
        "row = conn.execute('SELECT id FROM p').fetchone()\nif row:\n    raise KeyError(1)",
    ],
)
def test_look_alikes_are_not_guards(body: str) -> None:
    assert not guarded(body)


def test_effects_and_key_reads_follow_calls_within_the_module() -> None:
    ctx = context(
        """
        import sqlite3
        from fastapi import Header
        conn = sqlite3.connect("x.db")
        def save(x):
            conn.execute("INSERT INTO t (x) VALUES (?)", (x,))
        def handler(x):
            save(x)
        def keyed(x, key: str = Header(alias="Idempotency-Key")):
            save(x)
        def by_body(body):
            return body.request_id
        def self_generated():
            request_id = "r-1"
            return request_id
        """
    )
    scan = EffectScan(ctx)
    by_name = {f.name: f for f in ctx.functions}
    assert [e.label for e in scan.effects([by_name["handler"]])] == ["INSERT INTO t"]
    assert scan.reads_key([by_name["keyed"]])
    assert scan.reads_key([by_name["by_body"]])
    assert not scan.reads_key([by_name["handler"]])
    assert not scan.reads_key([by_name["self_generated"]])


# -- calls across modules ------------------------------------------------------------------------


def test_function_refs_match_keys_exported_by_other_modules() -> None:
    clients = context(
        """
        import httpx
        class PaymentsClient:
            def pay(self): ...
        payments = PaymentsClient()
        async def book_flight(): ...
        """,
        relpath="booking/clients.py",
    )
    main = context(
        """
        import json
        from booking import clients
        from booking.clients import payments, PaymentsClient
        def run(client: PaymentsClient):
            clients.book_flight()
            payments.pay()
            client.pay()
            json.dumps({})
            len([])
        """,
        relpath="booking/main.py",
    )
    keys = sorted(function_key(clients, f) for f in clients.functions)
    assert keys == ["booking.clients.PaymentsClient.pay", "booking.clients.book_flight"]
    targets = CallTargets(keys, module_bindings(clients))
    calls = [n for n in ast.walk(main.tree) if isinstance(n, ast.Call)]
    refs = [function_ref(main, c) for c in sorted(calls, key=lambda c: c.lineno)]
    assert refs == [
        "booking.clients.book_flight",
        "booking.clients.payments.pay",
        "booking.clients.PaymentsClient.pay",
        None,
        None,
    ]
    assert [targets.resolve(r) for r in refs if r] == [
        "booking.clients.book_flight",
        "booking.clients.PaymentsClient.pay",
        "booking.clients.PaymentsClient.pay",
    ]
    assert targets.resolve("booking.other.pay") is None
