"""SP901 missing-cap-choice and SP902 dual-write (and the broker-publish model it uses)."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from stormproof.check import Finding
from stormproof.check.analysis.messaging import publishes
from stormproof.check.context import FileContext, SystemModel
from stormproof.check.rules.consistency import RULES
from tests.check.rules.checking import check_files, lines

MANIFEST = """\
version: 1
name: travel
services:
  booking:
    path: booking/
    calls: [payments, mailer]
    owns: [bookings-db]
    consistency: {choice: CP, reason: "a seat is sold once"}
  payments:  # no CAP choice
    path: payments/
    owns: [payments-db]
  mailer:
    path: mailer/
    owns: []
datastores:
  bookings-db: {kind: sqlite, env: BOOKINGS_DB}
  payments-db: {kind: sqlite, env: PAYMENTS_DB}
sagas:
  pay:
    coordinator: booking
    steps:
      - {service: payments, action: "POST /charges", compensation: "POST /refunds"}
"""


def findings(
    tmp_path: Path, files: dict[str, str], *, manifest: str | None = None
) -> list[Finding]:
    """Check a tree made of `files` (path → source) with this module's rules."""
    return check_files(tmp_path, files, rules=RULES, manifest=manifest)


# -- SP901 ---------------------------------------------------------------------------------------


def test_owner_without_cap_choice_is_reported_on_its_key(tmp_path: Path) -> None:
    found = findings(tmp_path, {"booking/__init__.py": ""}, manifest=MANIFEST)
    assert [(f.path, f.line, f.rule, f.service) for f in found] == [
        ("stormproof.yaml", 9, "SP901", "payments")
    ]
    assert found[0].message == (
        "service payments owns payments-db but declares no consistency choice (CP or AP); its "
        "behaviour during a partition is left to accident"
    )
    assert "consistency:" in found[0].fix


def test_suppressed_in_the_manifest(tmp_path: Path) -> None:
    manifest = MANIFEST.replace(
        "  payments:  # no CAP choice", "  payments:  # stormproof: ignore[SP901]"
    )
    assert findings(tmp_path, {"booking/__init__.py": ""}, manifest=manifest) == []


# -- SP902 ---------------------------------------------------------------------------------------

ORDER_MODELS = """
    from sqlalchemy.orm import DeclarativeBase, Session

    class Base(DeclarativeBase):
        pass

    class Order(Base):
        __tablename__ = "orders"

    class OutboxEvent(Base):
        __tablename__ = "outbox"
"""


def test_publish_after_commit_is_reported_at_the_publish(tmp_path: Path) -> None:
    source = (
        ORDER_MODELS
        + """
    from kafka import KafkaProducer
    producer = KafkaProducer()

    def place(db: Session) -> None:
        db.add(Order())
        db.commit()
        producer.send("orders.placed", b"{}")
    """
    )
    found = findings(tmp_path, {"shop/orders.py": source})
    assert lines(found) == [(19, "SP902")]
    assert found[0].message == (
        "KafkaProducer.send (kafka) after session.add() in place() with no outbox: if the "
        "process dies or the send fails in between, the database and the rest of the system "
        "disagree"
    )
    assert "outbox" in found[0].fix


def test_write_after_publish_is_reported_at_the_write(tmp_path: Path) -> None:
    source = """
    import redis, sqlite3
    bus = redis.Redis()

    def post(db: sqlite3.Connection, room: str, text: str) -> None:
        bus.publish(room, text)
        db.execute("INSERT INTO messages (room, text) VALUES (?, ?)", (room, text))
    """
    found = findings(tmp_path, {"chat/post.py": source})
    assert lines(found) == [(7, "SP902")]
    assert found[0].message.startswith("SQL INSERT messages after redis.publish (redis)")


@pytest.mark.parametrize(
    "body",
    [
        'db.add(Order())\n    db.add(OutboxEvent())\n    db.commit()\n    producer.send("t", b"")',
        'rows = db.query(Order).all()\n    producer.send("t", b"")',
        'db.add(Order())\n    db.commit()\n    tasks.add_task(print, "done")',
    ],
    ids=["outbox", "read-only", "in-process-task"],
)
def test_look_alikes_are_not_dual_writes(tmp_path: Path, body: str) -> None:
    source = textwrap.dedent(ORDER_MODELS) + (
        "from kafka import KafkaProducer\nproducer = KafkaProducer()\n\n"
        f"def place(db: Session, tasks) -> None:\n    {body}\n"
    )
    assert findings(tmp_path, {"shop/orders.py": source}) == []


def test_unsafe_calls_count_but_saga_steps_are_left_to_the_saga_rules(tmp_path: Path) -> None:
    source = """
    import os, sqlite3, requests
    db = sqlite3.connect(os.environ["BOOKINGS_DB"])

    def confirm(booking_id: str) -> None:
        db.execute("UPDATE bookings SET state = 'confirmed' WHERE id = ?", (booking_id,))
        db.commit()
        requests.post(os.environ["MAILER_URL"] + "/mails", json={"id": booking_id}, timeout=5)

    def book(booking_id: str) -> None:
        db.execute("INSERT INTO bookings (id) VALUES (?)", (booking_id,))
        db.commit()
        requests.post(os.environ["PAYMENTS_URL"] + "/charges", json={"id": booking_id}, timeout=5)

    def lookup(booking_id: str) -> None:
        db.execute("DELETE FROM cache WHERE id = ?", (booking_id,))
        requests.get(os.environ["MAILER_URL"] + "/status", timeout=5)
    """
    found = findings(tmp_path, {"booking/app.py": source}, manifest=MANIFEST)
    assert [(f.path, f.line, f.rule) for f in found if f.rule == "SP902"] == [
        ("booking/app.py", 8, "SP902")
    ]


def test_local_helpers_count_one_level_deep(tmp_path: Path) -> None:
    source = """
    import sqlite3
    from celery import shared_task

    @shared_task
    def notify(order_id): ...

    def _save(db: sqlite3.Connection, order_id: str) -> None:
        db.execute("INSERT INTO orders (id) VALUES (?)", (order_id,))

    def _announce(order_id: str) -> None:
        notify.delay(order_id)

    def place(db: sqlite3.Connection, order_id: str) -> None:
        _save(db, order_id)
        _announce(order_id)
    """
    found = findings(tmp_path, {"shop/orders.py": source})
    assert lines(found) == [(16, "SP902")]
    assert found[0].message.startswith(
        "_announce (notify.delay) (celery) after _save() (SQL INSERT orders) in place()"
    )


# -- the publish model ---------------------------------------------------------------------------


def test_publishes_of_each_broker() -> None:
    source = textwrap.dedent(
        """
        import boto3, pika
        from confluent_kafka import Producer
        from app.events import event_producer

        sns = boto3.client("sns")
        kafka = Producer({})

        def run(channel, celery_app):
            kafka.produce("t", b"")
            channel.basic_publish(exchange="", routing_key="q", body=b"")
            sns.publish(TopicArn="arn", Message="m")
            celery_app.send_task("tasks.add", args=[1])
            event_producer.send("t", b"")
            kafka.flush()
            channel.basic_ack(1)
        """
    )
    ctx = FileContext(
        path=Path("/x/a.py"),
        relpath="a.py",
        source=source,
        tree=ast.parse(source),
        system=SystemModel(None),
        service=None,
    )
    assert [(p.node.lineno, p.broker) for p in publishes(ctx)] == [
        (10, "kafka"),
        (11, "rabbitmq"),
        (12, "sns"),
        (13, "celery"),
        (14, "kafka"),
    ]
