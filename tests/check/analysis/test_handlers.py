"""Route handlers, mount prefixes and the paths and targets of requests."""

from __future__ import annotations

import pytest

from stormproof.check.analysis.handlers import (
    HandlerRoute,
    Mount,
    full_routes,
    join_route,
    mounts,
    request_path,
    route_handlers,
    routes_match,
)
from stormproof.check.analysis.modules import same_object
from tests.check.analysis.parsed import context


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


# -- mounts ------------------------------------------------------------------------------------


def test_full_routes_apply_nested_mount_prefixes() -> None:
    handler = HandlerRoute("/{id}", "/reservations", "pkg.routes.router", False)
    nested = [
        Mount("pkg.main.api", "pkg.routes.router", "/v1"),
        Mount("pkg.main.app", "pkg.main.api", "/api"),
    ]
    assert full_routes(handler, nested) == ["/api/v1/reservations/{id}"]
    # Mounted twice: served under both prefixes.
    twice = [Mount(None, "routes.router", "/a"), Mount(None, "routes.router", "/b")]
    assert full_routes(handler, twice) == ["/a/reservations/{id}", "/b/reservations/{id}"]


def test_full_routes_of_unmounted_routers_and_flask_blueprints() -> None:
    fastapi = HandlerRoute("/", "/charges", "pkg.routes.router", False)
    assert full_routes(fastapi, []) == ["/charges"]
    assert full_routes(fastapi, [Mount(None, "pkg.other.router", "/x")]) == ["/charges"]
    # `register_blueprint(bp, url_prefix=)` replaces the blueprint's own prefix.
    blueprint = HandlerRoute("", "/old", "shop.views.bp", True)
    assert full_routes(blueprint, [Mount("shop.app.app", "shop.views.bp", "/new")]) == ["/new"]


def test_mount_cycles_stop_at_a_fixed_depth() -> None:
    handler = HandlerRoute("/x", "", "a.r", False)
    cycle = [Mount("a.s", "a.r", "/r"), Mount("a.r", "a.s", "/s")]
    assert all(route.endswith("/r/x") for route in full_routes(handler, cycle))
