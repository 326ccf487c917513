"""SP801-SP804: edge datastores, undeclared calls, foreign datastores, hard-coded URLs."""

from __future__ import annotations

from pathlib import Path

import pytest

from stormproof.check import Finding
from stormproof.check.rules.architecture import (
    RULES,
)
from tests.check.rules.checking import check_files

MANIFEST = """\
version: 1
name: shop
services:
  gateway:
    role: edge
    path: gateway/
    calls: [orders]
  orders:
    path: orders/
    calls:
      payments: {env: PAYMENT_API}
    owns: [orders-db]
    consistency: {choice: CP, reason: "an order is placed once"}
  payments:
    path: payments/
    owns: [payments-db]
    consistency: {choice: CP, reason: "money balances"}
  shipping:
    path: shipping/
datastores:
  orders-db: {kind: postgres, env: ORDERS_DATABASE_URL}
  payments-db: {kind: postgres, env: PAYMENTS_DSN}
  events: {kind: kafka, env: KAFKA_BROKERS}
"""


def findings(
    tmp_path: Path, files: dict[str, str], *, manifest: str | None = MANIFEST
) -> list[Finding]:
    """Check a tree made of `files` (path → source) with this module's rules."""
    return check_files(tmp_path, files, rules=RULES, manifest=manifest)


def lines(found: list[Finding]) -> list[tuple[str, int, str]]:
    return [(f.path, f.line, f.rule) for f in found]


# -- SP801 ---------------------------------------------------------------------------------------


def test_edge_client_constructors_and_datastore_env_reads(tmp_path: Path) -> None:
    found = findings(
        tmp_path,
        {
            "gateway/app.py": """
                import os
                import sqlite3
                import redis

                DSN = os.environ["ORDERS_DATABASE_URL"]
                sessions = sqlite3.connect("sessions.db")
                cache = redis.from_url(os.environ["CACHE_URL"])
                TOKEN = os.environ["JWT_SECRET"]
            """
        },
    )
    edge = [f for f in found if f.rule == "SP801"]
    assert [(f.line, f.message) for f in edge] == [
        (
            6,
            "edge service gateway reads ORDERS_DATABASE_URL, the connection string of datastore "
            "orders-db; the edge must reach data only through the service that owns it",
        ),
        (
            7,
            "sqlite3.connect in edge service gateway: the edge must not touch a datastore; a bug "
            "or breach at the edge reaches the data directly",
        ),
        (
            8,
            "redis.from_url in edge service gateway: the edge must not touch a datastore; a bug "
            "or breach at the edge reaches the data directly",
        ),
    ]
    assert edge[0].service == "gateway"
    assert "HTTP" in edge[0].fix


def test_non_edge_services_and_files_outside_services_may_connect(tmp_path: Path) -> None:
    source = 'import os, psycopg\nconn = psycopg.connect(os.environ["ORDERS_DATABASE_URL"])\n'
    found = findings(tmp_path, {"orders/db.py": source, "scripts/seed.py": source})
    assert found == []


# -- SP802 ---------------------------------------------------------------------------------------


def test_undeclared_targets_by_env_var_settings_field_and_host(tmp_path: Path) -> None:
    found = findings(
        tmp_path,
        {
            "orders/clients.py": """
                import os
                import httpx
                from pydantic_settings import BaseSettings

                class Settings(BaseSettings):
                    shipping_url: str
                    payment_api: str

                settings = Settings()
                PAY = os.environ["PAYMENT_API"]

                def ship(order_id):
                    httpx.post(f"{settings.shipping_url}/shipments", json={"id": order_id})
                    httpx.post(PAY + "/charges", json={"id": order_id})
                    httpx.get("http://gateway:8000/health")
            """
        },
    )
    undeclared = [(f.line, f.message) for f in found if f.rule == "SP802"]
    assert undeclared == [
        (
            7,
            "orders reads settings field shipping_url, the URL of shipping, but does not "
            "declare calls: shipping in stormproof.yaml",
        ),
        (
            14,
            "httpx.post to shipping: orders does not declare calls: shipping in stormproof.yaml, "
            "so this dependency is invisible to the system model",
        ),
        (
            16,
            "httpx.get to gateway: orders does not declare calls: gateway in stormproof.yaml, so "
            "this dependency is invisible to the system model",
        ),
    ]


def test_test_files_are_not_service_code(tmp_path: Path) -> None:
    source = 'import requests\nrequests.post("http://shipping:8000/x", timeout=1)\n'
    assert (
        findings(tmp_path, {"orders/tests/test_smoke.py": source, "orders/conftest.py": source})
        == []
    )


def test_without_a_manifest_nothing_is_reported(tmp_path: Path) -> None:
    source = (
        'import requests, sqlite3\nsqlite3.connect("x")\nrequests.post("http://localhost:8001/x")\n'
    )
    assert findings(tmp_path, {"gateway/app.py": source}, manifest=None) == []


# -- SP803 ---------------------------------------------------------------------------------------


def test_foreign_datastore_by_env_var_and_by_dsn_host(tmp_path: Path) -> None:
    found = findings(
        tmp_path,
        {
            "orders/refunds.py": """
                import os
                import psycopg
                from sqlalchemy import create_engine

                OWN = os.environ["ORDERS_DATABASE_URL"]
                FOREIGN = os.environ["PAYMENTS_DSN"]
                BROKERS = os.environ["KAFKA_BROKERS"]
                conn = psycopg.connect(FOREIGN)
                engine = create_engine("postgresql://ro@payments-db:5432/payments")
            """
        },
    )
    assert [(f.line, f.rule) for f in found] == [(7, "SP803"), (10, "SP803")]
    assert found[0].message == (
        "orders reads PAYMENTS_DSN, the connection string of payments-db, which payments owns; "
        "go through payments's API"
    )
    assert "host in the DSN" in found[1].message


# -- SP804 ---------------------------------------------------------------------------------------


def test_hard_coded_urls_are_reported_at_the_literal(tmp_path: Path) -> None:
    found = findings(
        tmp_path,
        {
            "orders/pay.py": """
                import os
                import httpx

                BASE = "http://payments:8000"
                local = httpx.Client(base_url="http://127.0.0.1:9000")

                def charge():
                    httpx.post(BASE + "/charges")
                    httpx.post(f"{BASE}/refunds")
                    httpx.post(
                        "http://localhost:8001/x",
                    )
            """
        },
    )
    assert [(f.line, f.rule) for f in found if f.rule == "SP804"] == [
        (5, "SP804"),
        (6, "SP804"),
        (12, "SP804"),
    ]
    first = next(f for f in found if f.rule == "SP804")
    assert first.message == (
        "httpx.post to payments uses the hard-coded URL 'http://payments:8000' (host is the "
        "service name payments) in orders's code; it bypasses the configured env var"
    )
    assert first.severity == "warning"


@pytest.mark.parametrize(
    "url_expression",
    [
        'os.getenv("PAYMENT_API", "http://payments:8000")',
        'os.environ.get("PAYMENT_API") or "http://payments:8000"',
        '"https://api.stripe.com/v1"',
        '"http://localhost/status"',
    ],
    ids=["getenv-default", "or-default", "external-host", "loopback-without-port"],
)
def test_configured_and_external_urls_are_not_hard_coded(
    tmp_path: Path, url_expression: str
) -> None:
    source = f"import os\nimport httpx\nhttpx.post({url_expression} + '/x')\n"
    assert findings(tmp_path, {"orders/pay.py": source}) == []
