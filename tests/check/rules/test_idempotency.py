"""SP401 non-idempotent-handler and SP402 consumer-without-dedup."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from stormproof.check import Finding
from stormproof.check.rules.idempotency import RULES
from tests.check.rules.checking import check_files

MANIFEST = """\
version: 1
name: travel
services:
  booking:
    path: booking/
    calls: [payments, flights]
  payments:
    path: payments/
  flights:
    path: flights/
sagas:
  book-trip:
    coordinator: booking
    steps:
      - {service: payments, action: "POST /charges", compensation: "POST /refunds"}
      - {service: flights, action: "POST /reservations", compensation: "DELETE /reservations/{id}"}
"""
INSERTING_APP = """
    import sqlite3
    from fastapi import FastAPI
    app = FastAPI()
    conn = sqlite3.connect("p.db")

    @app.post("/charges")
    def charge(body: dict):
        conn.execute("INSERT INTO charges (amount) VALUES (?)", (body["amount"],))

    @app.post("/refunds")
    def refund(body: dict):
        conn.execute("UPDATE charges SET refunded = refunded + 1 WHERE id = ?", (body["id"],))

    @app.post("/notes")
    def note(body: dict):
        conn.execute("INSERT INTO notes (text) VALUES (?)", (body["text"],))
"""


def check(tmp_path: Path, files: dict[str, str], manifest: str | None = MANIFEST) -> list[Finding]:
    """Check a tree of `files` (path → source) with the idempotency rules only."""
    return check_files(tmp_path, files, rules=RULES, manifest=manifest)


def where(found: list[Finding]) -> list[tuple[str, int, str]]:
    return [(f.path, f.line, f.rule) for f in found]


# -- SP401 -------------------------------------------------------------------------------------


def test_saga_actions_and_compensations_are_reported_at_the_def_line(tmp_path: Path) -> None:
    found = check(tmp_path, {"payments/app.py": INSERTING_APP})
    assert where(found) == [("payments/app.py", 8, "SP401"), ("payments/app.py", 12, "SP401")]
    charge, refund = found
    assert charge.message.startswith(
        "POST /charges (charge) is the action of step 1 of saga 'book-trip' (POST /charges), "
        "and applies INSERT INTO charges without honouring an idempotency key"
    )
    assert "compensation of step 1" in refund.message
    assert "UPDATE charges (adds to a column)" in refund.message
    assert (charge.end_line, charge.column) == (8, 1)
    assert "Idempotency-Key" in charge.fix


def test_a_handler_of_another_service_with_the_same_route_is_not_a_target(
    tmp_path: Path,
) -> None:
    assert check(tmp_path, {"booking/app.py": INSERTING_APP}) == []


@pytest.mark.parametrize(
    "signature",
    [
        'key: str = Header(alias="Idempotency-Key")',
        "idempotency_key: Annotated[str, Header()]",
        "key: str = Depends(require_idempotency_key)",
    ],
)
def test_honouring_a_key_in_the_signature(tmp_path: Path, signature: str) -> None:
    source = f"""
        import sqlite3
        from typing import Annotated
        from fastapi import Depends, FastAPI, Header
        app = FastAPI()
        conn = sqlite3.connect("p.db")

        @app.post("/charges")
        def charge(body: dict, {signature}):
            conn.execute("INSERT INTO charges (amount) VALUES (?)", (body["amount"],))
    """
    assert check(tmp_path, {"payments/app.py": source}) == []


@pytest.mark.parametrize(
    "statement",
    [
        'key = request.headers.get("Idempotency-Key")',
        "key = body.request_id",
        'conn.execute("INSERT OR IGNORE INTO charges (booking) VALUES (?)", (1,))',
        'cur = conn.execute("UPDATE c SET s = 1 WHERE s = 0")\nif cur.rowcount == 0:\n    return',
    ],
)
def test_honouring_a_key_or_guarding_in_the_body(tmp_path: Path, statement: str) -> None:
    source = (
        "import sqlite3\nfrom flask import Flask, request\napp = Flask(__name__)\n"
        'conn = sqlite3.connect("p.db")\n'
        '@app.route("/charges", methods=["POST"])\ndef charge(body=None):\n'
        + textwrap.indent(statement, "    ")
        + '\n    conn.execute("INSERT INTO charges (amount) VALUES (?)", (1,))\n'
    )
    assert check(tmp_path, {"payments/app.py": source}) == []


@pytest.mark.parametrize(
    ("statements", "label"),
    [
        ('conn.execute("DELETE FROM holds WHERE id = ?", (rid,))', "DELETE FROM holds"),
        ('conn.execute("UPDATE seats SET held = 0 WHERE r = ?", (rid,))', "UPDATE seats"),
        ('r.hset("holds", rid, "released")', "redis HSET"),
        ("requests.delete(f\"{os.environ['HOTELS_URL']}/holds/{rid}\")", "requests.delete"),
        (
            "with Session(engine) as s:\n    hold = s.get(Hold, rid)\n    hold.state = 'x'\n"
            "    s.commit()",
            "a write to hold.state",
        ),
    ],
)
def test_every_write_of_a_compensation_counts(tmp_path: Path, statements: str, label: str) -> None:
    """The spec counts any datastore write or unsafe call, also one a replay cannot repeat."""
    source = (
        "import os, sqlite3, redis, requests\nfrom fastapi import FastAPI\n"
        "from sqlalchemy import create_engine\nfrom sqlalchemy.orm import Session\n"
        'app = FastAPI()\nconn = sqlite3.connect("f.db")\nr = redis.Redis()\n'
        'engine = create_engine("sqlite://")\n'
        '@app.delete("/reservations/{rid}")\ndef cancel(rid: int):\n'
        + textwrap.indent(statements, "    ")
        + "\n"
    )
    [finding] = check(tmp_path, {"flights/app.py": source})
    assert (finding.line, finding.rule) == (10, "SP401")
    assert f"applies {label} without honouring an idempotency key" in finding.message


def test_a_write_guarded_by_its_rowcount_is_honoured(tmp_path: Path) -> None:
    source = """
        import sqlite3
        from fastapi import FastAPI
        app = FastAPI()
        conn = sqlite3.connect("f.db")

        @app.delete("/reservations/{reservation_id}")
        def cancel(reservation_id: int):
            cur = conn.execute(
                "UPDATE reservations SET state = 'x' WHERE id = ? AND state = 'held'",
                (reservation_id,),
            )
            if cur.rowcount == 0:
                return {"already": True}
            conn.execute("UPDATE seats SET free = free + 1 WHERE r = ?", (reservation_id,))
    """
    assert check(tmp_path, {"flights/app.py": source}) == []


def test_middleware_honours_keys_for_the_whole_service(tmp_path: Path) -> None:
    files = {
        "payments/app.py": INSERTING_APP,
        "payments/main.py": "from fastapi import FastAPI\nfrom payments.app import app\n"
        "from payments.mw import IdempotencyMiddleware\n"
        "app.add_middleware(IdempotencyMiddleware)\n",
    }
    assert check(tmp_path, files) == []


def test_router_prefixes_from_another_file_and_blueprint_overrides(tmp_path: Path) -> None:
    files = {
        "payments/routes.py": """
            import sqlite3
            from fastapi import APIRouter
            router = APIRouter(prefix="/v1")
            conn = sqlite3.connect("p.db")
            @router.post("/")
            def create(body: dict):
                conn.execute("INSERT INTO charges (a) VALUES (?)", (1,))
        """,
        "payments/main.py": """
            from fastapi import FastAPI
            from payments import routes
            app = FastAPI()
            app.include_router(routes.router, prefix="/charges")
        """,
        "flights/views.py": """
            import sqlite3
            from flask import Blueprint
            bp = Blueprint("r", __name__, url_prefix="/old")
            conn = sqlite3.connect("f.db")
            @bp.post("")
            def reserve():
                conn.execute("INSERT INTO reservations (a) VALUES (?)", (1,))
        """,
        "flights/app.py": """
            from flask import Flask
            from flights.views import bp
            app = Flask(__name__)
            app.register_blueprint(bp, url_prefix="/reservations")
        """,
    }
    manifest = MANIFEST.replace('"POST /charges"', '"POST /charges/v1"')
    found = check(tmp_path, files, manifest=manifest)
    assert where(found) == [("flights/views.py", 7, "SP401"), ("payments/routes.py", 7, "SP401")]
    assert found[1].message.startswith("POST /charges/v1 (create)")


def test_effects_in_other_modules_of_the_service(tmp_path: Path) -> None:
    files = {
        "payments/crud.py": """
            from sqlalchemy.orm import Session
            def create_charge(db: Session, amount: int):
                db.add(object())
                db.commit()
            def create_refund(db: Session, charge_id: int):
                db.execute("INSERT INTO refunds (c) VALUES (:c) ON CONFLICT DO NOTHING", {"c": 1})
        """,
        "payments/main.py": """
            from fastapi import Depends, FastAPI
            from payments import crud
            app = FastAPI()
            @app.post("/charges")
            def charge(amount: int, db=Depends(get_db)):
                return crud.create_charge(db, amount)
            @app.post("/refunds")
            def refund(charge_id: int, db=Depends(get_db)):
                return crud.create_refund(db, charge_id)
        """,
    }
    found = check(tmp_path, files)
    assert where(found) == [("payments/main.py", 6, "SP401")]
    assert "db.add(...) (in create_charge())" in found[0].message


RETRYING_CALLER = """
    import os, httpx
    from tenacity import retry, stop_after_attempt
    URL = os.environ["PAYMENTS_URL"]
    @retry(stop=stop_after_attempt(3))
    def pay():
        return httpx.post(f"{URL}/notes", json={})
    def plain():
        return httpx.post(f"{URL}/other", json={})
"""


def test_handlers_retried_by_a_caller_in_another_service(tmp_path: Path) -> None:
    other = INSERTING_APP.replace('"/notes"', '"/other"').replace("def note", "def other")
    files = {
        "payments/app.py": INSERTING_APP,
        "payments/other.py": other,
        "booking/clients.py": RETRYING_CALLER,
    }
    found = [f for f in check(tmp_path, files) if f.path == "payments/app.py" and f.line == 16]
    [finding] = found
    assert "is called by booking inside a tenacity @retry on pay (booking/clients.py:7)" in (
        finding.message
    )
    lines = {(f.path, f.line) for f in check(tmp_path, files)}
    assert ("payments/other.py", 16) not in lines


def test_no_manifest_no_handler_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert check(tmp_path, {"payments/app.py": INSERTING_APP}, manifest=None) == []


def test_policy_off(tmp_path: Path) -> None:
    manifest = MANIFEST + "policies:\n  idempotency: off\n"
    assert check(tmp_path, {"payments/app.py": INSERTING_APP}, manifest=manifest) == []


# -- SP402 -------------------------------------------------------------------------------------

CONSUMERS = """
    import json, sqlite3
    from kafka import KafkaConsumer
    db = sqlite3.connect("x.db")
    consumer = KafkaConsumer("orders")

    def handle(event):
        db.execute("INSERT INTO ledger (o) VALUES (?)", (event["id"],))

    def direct():
        for msg in consumer:
            db.execute("INSERT INTO ledger (o) VALUES (?)", (json.loads(msg.value)["id"],))

    def delegated():
        for msg in consumer:
            handle(json.loads(msg.value))
"""


def test_kafka_loops_report_the_loop_or_the_handler_def(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    found = check(tmp_path, {"worker.py": CONSUMERS}, manifest=None)
    assert where(found) == [("worker.py", 7, "SP402"), ("worker.py", 11, "SP402")]
    assert found[1].message.startswith(
        "kafka consumer applies INSERT INTO ledger with no dedup on the message id"
    )
    assert found[1].severity == "warning"


@pytest.mark.parametrize(
    "source",
    [
        # at-most-once: acked before processing
        """
        import pika, sqlite3
        db = sqlite3.connect("x.db")
        def on_msg(ch, method, props, body):
            db.execute("INSERT INTO t (b) VALUES (?)", (body,))
        ch = pika.BlockingConnection().channel()
        ch.basic_consume("q", on_message_callback=on_msg, auto_ack=True)
        """,
        # plain celery task: early ack, no retry
        """
        import sqlite3
        from celery import Celery
        app = Celery("w")
        db = sqlite3.connect("x.db")
        @app.task(bind=True, max_retries=3)
        def record(self, x):
            db.execute("INSERT INTO t (x) VALUES (?)", (x,))
        """,
        # dedup on the message id
        """
        import redis, sqlite3
        from confluent_kafka import Consumer
        r = redis.Redis()
        db = sqlite3.connect("x.db")
        c = Consumer({})
        while True:
            msg = c.poll(1.0)
            if r.sadd("seen", msg.key()) == 0:
                continue
            db.execute("INSERT INTO t (x) VALUES (?)", (msg.value(),))
        """,
        # writes a redelivery cannot repeat: SP402 counts only effects, not every write
        """
        import json, sqlite3
        from kafka import KafkaConsumer
        db = sqlite3.connect("x.db")
        for msg in KafkaConsumer("orders"):
            event = json.loads(msg.value)
            db.execute("UPDATE orders SET state = ? WHERE id = ?", (event["state"], event["id"]))
            db.execute("DELETE FROM carts WHERE order_id = ?", (event["id"],))
            db.commit()
        """,
    ],
)
def test_consumers_that_need_no_dedup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    monkeypatch.chdir(tmp_path)
    assert check(tmp_path, {"worker.py": source}, manifest=None) == []


@pytest.mark.parametrize(
    ("source", "line"),
    [
        (
            """
            import pika, requests
            def on_msg(ch, method, props, body):
                requests.post("https://mail.example.com/send", data=body, timeout=5)
            ch = pika.BlockingConnection().channel()
            ch.basic_consume("q", on_message_callback=on_msg)
            """,
            3,
        ),
        (
            """
            import redis
            from celery import shared_task
            r = redis.Redis()
            @shared_task(acks_late=True)
            def award(user):
                r.hincrby("points", user, 10)
            """,
            6,
        ),
        (
            """
            import boto3, sqlite3
            sqs = boto3.client("sqs")
            db = sqlite3.connect("x.db")
            def poll():
                while True:
                    for m in sqs.receive_message(QueueUrl="q").get("Messages", []):
                        db.execute("INSERT INTO t (x) VALUES (?)", (m["Body"],))
            """,
            6,
        ),
    ],
)
def test_at_least_once_consumers_of_each_broker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, line: int
) -> None:
    monkeypatch.chdir(tmp_path)
    assert where(check(tmp_path, {"worker.py": source}, manifest=None)) == [
        ("worker.py", line, "SP402")
    ]


def test_handler_in_another_module_is_reported_at_the_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    files = {
        "w/handlers.py": """
            import sqlite3
            db = sqlite3.connect("x.db")
            def on_paid(event):
                db.execute("INSERT INTO shipments (o) VALUES (?)", (event["id"],))
        """,
        "w/main.py": """
            from kafka import KafkaConsumer
            from w.handlers import on_paid
            for msg in KafkaConsumer("orders"):
                on_paid(msg.value)
        """,
    }
    [finding] = check(tmp_path, files, manifest=None)
    assert (finding.path, finding.line) == ("w/main.py", 4)
    assert "INSERT INTO shipments (in on_paid())" in finding.message
