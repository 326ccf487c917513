"""Effects a replay repeats, the guards that make a replay harmless, and key reads."""

from __future__ import annotations

import textwrap

import pytest

from stormproof.check.analysis.effects import EffectScan
from stormproof.check.context import FileContext
from tests.check.analysis.parsed import context

# -- effects ---------------------------------------------------------------------------------


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


def test_calls_on_instances_of_classes_of_the_module_are_followed() -> None:
    ctx = context(
        """
        import sqlite3
        conn = sqlite3.connect("x.db")
        class Ledger:
            def record(self, x):
                conn.execute("INSERT INTO ledger (x) VALUES (?)", (x,))
        ledger = Ledger()
        def handler(x):
            ledger.record(x)
        """
    )
    scan = EffectScan(ctx)
    handler = next(f for f in ctx.functions if f.name == "handler")
    assert [e.label for e in scan.effects([handler])] == ["INSERT INTO ledger"]
    assert scan.external_calls([handler]) == []


def writes_of(body: str) -> list[str]:
    ctx = with_body(
        """
        import os, redis, requests, sqlite3
        from sqlalchemy.orm import Session
        r = redis.Redis()
        conn = sqlite3.connect("x.db")
        def save(x):
            conn.execute("DELETE FROM drafts WHERE id = ?", (x,))
        def handler(session: Session, hold_id: str):
        """,
        body,
    )
    function = next(f for f in ctx.functions if f.name == "handler")
    return [w.label for w in EffectScan(ctx).writes([function])]


@pytest.mark.parametrize(
    ("body", "labels"),
    [
        # effects first, then the other writes, a bare commit last
        (
            'session.commit()\nconn.execute("UPDATE h SET s = 1")\n'
            'conn.execute("INSERT INTO log (x) VALUES (1)")',
            ["INSERT INTO log", "UPDATE h", "session.commit()"],
        ),
        ("hold = session.get(Hold, hold_id)\nhold.state = 'x'", ["a write to hold.state"]),
        ('r.delete("k")\nr.set("k", 1, nx=True)', ["redis DELETE"]),
        ('conn.execute("INSERT OR IGNORE INTO t (k) VALUES (?)", (hold_id,))', []),
        ('requests.put(os.environ["X_URL"], json={})', ["requests.put"]),
        ('requests.delete(os.environ["X_URL"], headers={"Idempotency-Key": hold_id})', []),
        # a local helper's write is found once, in the helper
        ("save(hold_id)", ["DELETE FROM drafts"]),
        ('conn.execute("SELECT 1")\nsession.get(Hold, hold_id)', []),
    ],
)
def test_writes_are_every_change_to_data(body: str, labels: list[str]) -> None:
    assert writes_of(body) == labels
