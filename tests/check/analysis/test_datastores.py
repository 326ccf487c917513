"""The datastore model: clients, their libraries, SQL classification, reads, writes, env reads."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from stormproof.check.analysis.datastores import (
    DatastoreOp,
    datastore_clients,
    datastore_ops,
    datastore_reads,
    datastore_writes,
    env_var_reads,
    local_callee,
    orm_object_source,
    sql_statement,
    store_kind,
    store_library,
)
from stormproof.check.analysis.sql import ALL_COLUMNS, parse_sql
from stormproof.check.context import FileContext, SystemModel
from stormproof.manifest import load_manifest

MANIFEST = """\
version: 1
name: shop
services:
  orders:
    owns: [orders-db]
    consistency: {choice: CP, reason: "orders are placed once"}
  payments:
    owns: [payments-db]
    consistency: {choice: CP, reason: "money balances"}
datastores:
  orders-db: {kind: postgres, env: ORDERS_DATABASE_URL}
  payments-db: {kind: postgres, env: PAYMENTS_DSN}
"""


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> SystemModel:
    root = tmp_path_factory.mktemp("shop")
    (root / "stormproof.yaml").write_text(MANIFEST, encoding="utf-8")
    return SystemModel(load_manifest(root / "stormproof.yaml"))


def context(source: str, system: SystemModel | None = None) -> FileContext:
    source = textwrap.dedent(source)
    return FileContext(
        path=Path("/x/orders/app.py"),
        relpath="orders/app.py",
        source=source,
        tree=ast.parse(source),
        system=system or SystemModel(None),
        service=None,
    )


def function(ctx: FileContext, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef:
    return next(f for f in ctx.functions if f.name == name)


def ops(ctx: FileContext, name: str) -> list[tuple[int, str, str, bool]]:
    return [
        (op.node.lineno, op.store, op.operation, op.is_write)  # type: ignore[attr-defined]
        for op in datastore_ops(ctx, function(ctx, name))
    ]


def receiver_of(ctx: FileContext, line: int) -> tuple[ast.expr, ast.AST]:
    """The receiver of the first method call on `line`."""
    call = next(
        n
        for n in ast.walk(ctx.tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.lineno == line
    )
    return call.func.value, call  # type: ignore[attr-defined]


# -- libraries of objects --------------------------------------------------------------------


def test_objects_are_traced_back_to_the_client_they_came_from() -> None:
    ctx = context(
        """
        import sqlite3, psycopg2, asyncpg, redis
        from contextlib import closing
        from sqlalchemy import create_engine
        from sqlalchemy.orm import Session, sessionmaker
        from pymongo import MongoClient

        engine = create_engine("sqlite://")
        SessionLocal = sessionmaker(bind=engine)

        def get_conn():
            conn = sqlite3.connect("x.db")
            return conn

        class Repo:
            def __init__(self):
                self.pg = psycopg2.connect("dbname=x")

            def run(self, app, db: Session):
                conn = get_conn()
                with closing(self.pg.cursor()) as cur:
                    cur.execute("SELECT 1")
                with SessionLocal() as session:
                    session.commit()
                with engine.begin() as connection:
                    connection.execute("SELECT 1")
                pipe = redis.Redis().pipeline()
                pipe.get("k")
                MongoClient()["shop"]["orders"].find_one({})
                db.commit()
                conn.execute("SELECT 1")
        """
    )
    assert [
        store_library(ctx, *receiver_of(ctx, line)) for line in (22, 24, 26, 28, 29, 30, 31)
    ] == ["psycopg2", "sqlalchemy", "sqlalchemy", "redis", "mongo", "sqlalchemy", "sqlite3"]


def test_clients_imported_from_project_modules_are_known_by_their_names() -> None:
    ctx = context(
        """
        from app.database import SessionLocal
        from app.cache import redis_client
        from app.http import session

        def run():
            with SessionLocal() as db:
                db.commit()
            redis_client.get("k")
            session.get("http://x")
        """
    )
    assert store_kind(ctx, *receiver_of(ctx, 8)) == "sql"
    assert store_kind(ctx, *receiver_of(ctx, 9)) == "redis"
    # `session` means SQLAlchemy only in a file that uses SQLAlchemy.
    assert store_kind(ctx, *receiver_of(ctx, 10)) is None


def test_objects_of_other_libraries_are_not_datastores_whatever_their_name() -> None:
    ctx = context(
        """
        import aiohttp
        from sqlalchemy.orm import Session
        from kafka import KafkaConsumer

        async def run():
            consumer = KafkaConsumer("t")
            consumer.commit()
            async with aiohttp.ClientSession() as session:
                await session.get("http://x")
        """
    )
    assert store_kind(ctx, *receiver_of(ctx, 8)) is None
    assert store_kind(ctx, *receiver_of(ctx, 10)) is None


# -- SQL text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "verb", "tables"),
    [
        (
            "SELECT a.balance FROM accounts a JOIN owners o ON o.id = a.owner",
            "SELECT",
            ("accounts", "owners"),
        ),
        ('  -- refresh\n UPDATE public."Stock" SET qty = ?', "UPDATE", ("stock",)),
        ("INSERT OR IGNORE INTO processed (id) VALUES (?)", "INSERT", ("processed",)),
        ("DELETE FROM sessions WHERE id = %s", "DELETE", ("sessions",)),
        ("WITH t AS (SELECT 1) UPDATE jobs SET done = true", "UPDATE", ("jobs",)),
        ("BEGIN IMMEDIATE", "BEGIN", ()),
    ],
)
def test_sql_is_classified_by_verb_and_tables(
    text: str, verb: str, tables: tuple[str, ...]
) -> None:
    statement = parse_sql(text)
    assert statement is not None
    assert (statement.verb, statement.tables) == (verb, tables)


def test_text_that_is_not_sql_is_not_a_statement() -> None:
    assert parse_sql("orders.created") is None
    assert parse_sql("") is None


def test_update_assignments_placeholders_and_guards() -> None:
    statement = parse_sql(
        "UPDATE accounts SET balance = balance - ?, note = ?, version = version + 1 "
        "WHERE id = ? AND version = ? RETURNING balance"
    )
    assert statement is not None
    assert [(a.column, a.atomic) for a in statement.assignments] == [
        ("balance", True),
        ("note", False),
        ("version", True),
    ]
    assert [p.key for p in statement.placeholders] == [("pos", i) for i in range(4)]
    assert "version" in statement.where and statement.returning


def test_a_parameter_named_like_its_column_is_not_an_atomic_update() -> None:
    statement = parse_sql("UPDATE a SET balance = :balance, total = %(total)s WHERE id = :id")
    assert statement is not None
    assert [a.atomic for a in statement.assignments] == [False, False]


def test_placeholder_styles_are_told_apart() -> None:
    statement = parse_sql("UPDATE t SET a = :a, b = %(b)s, c = $3, d = x::int WHERE e = %s")
    assert statement is not None
    assert [p.key for p in statement.placeholders] == [
        ("name", "a"),
        ("name", "b"),
        ("num", 3),
        ("pos", 0),
    ]


def test_conflict_ignoring_inserts_are_marked() -> None:
    ignored = parse_sql("INSERT INTO seen (id) VALUES (%s) ON CONFLICT (id) DO NOTHING")
    upsert = parse_sql("INSERT INTO c (k, n) VALUES (?, 1) ON CONFLICT(k) DO UPDATE SET n = n + 1")
    assert ignored is not None and ignored.conflict_ignored
    assert upsert is not None and not upsert.conflict_ignored


def test_select_columns_and_star() -> None:
    named = parse_sql("SELECT COALESCE(SUM(delta), 0) AS total FROM events")
    star = parse_sql("SELECT * FROM events")
    assert named is not None and "delta" in named.columns
    assert star is not None and ALL_COLUMNS in star.columns


def test_sql_is_read_from_text_fstrings_concatenation_and_constants() -> None:
    ctx = context(
        """
        from sqlalchemy import text
        QUERY = "UPDATE seats SET left = ? "
        def run(conn, n, flight):
            conn.execute(text("SELECT left FROM seats"))
            conn.execute(f"UPDATE seats SET left = {n} WHERE id = {flight}")
            conn.execute(QUERY + "WHERE id = ?", (n, flight))
        """
    )
    statements = [
        sql_statement(ctx, call.args[0], call)
        for call in ast.walk(ctx.tree)
        if isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "execute"
    ]
    assert [s.verb if s else None for s in statements] == ["SELECT", "UPDATE", "UPDATE"]
    fstring = next(s for s in statements if s and s.interpolations)
    assert [ast.unparse(e) for e in fstring.interpolations] == ["n", "flight"]


# -- reads and writes -------------------------------------------------------------------------


def test_sql_reads_writes_and_cursor_fetches() -> None:
    ctx = context(
        """
        import sqlite3
        def run(conn: sqlite3.Connection):
            cur = conn.cursor()
            cur.execute("SELECT qty FROM stock WHERE sku = ?", ("a",))
            row = cur.fetchone()
            conn.execute("UPDATE stock SET qty = ? WHERE sku = ?", (row[0] - 1, "a"))
            conn.execute("INSERT OR IGNORE INTO seen VALUES (?)", ("a",))
            conn.commit()
        """
    )
    assert ops(ctx, "run") == [
        (5, "sql", "SELECT", False),
        (6, "sql", "SELECT", False),
        (7, "sql", "UPDATE", True),
        (8, "sql", "INSERT", True),
        (9, "sql", "commit", True),
    ]
    insert = datastore_writes(ctx, function(ctx, "run"))[1]
    assert insert.conflict_ignored and insert.tables == ("seen",)


def test_orm_reads_adds_commits_and_attribute_writes() -> None:
    ctx = context(
        """
        from sqlalchemy import select, update
        from sqlalchemy.orm import Session
        def run(db: Session, Account, Order):
            account = db.get(Account, 1)
            order = db.query(Order).filter_by(id=2).first()
            rows = db.scalars(select(Account.balance)).all()
            account.balance -= 5
            order.status = "paid"
            db.add(Order(id=3))
            db.execute(update(Account).where(Account.id == 1).values(balance=0))
            db.commit()
        """
    )
    assert ops(ctx, "run") == [
        (5, "sql", "get", False),
        (6, "sql", "SELECT", False),
        (7, "sql", "SELECT", False),
        (8, "sql", "setattr", True),
        (9, "sql", "setattr", True),
        (10, "sql", "add", True),
        (11, "sql", "UPDATE", True),
        (12, "sql", "commit", True),
    ]
    reads = datastore_reads(ctx, function(ctx, "run"))
    assert reads[2].columns == ("balance",) and not reads[2].returns_objects


def test_flask_sqlalchemy_model_queries_are_reads_and_bulk_updates_writes() -> None:
    ctx = context(
        """
        from flask_sqlalchemy import SQLAlchemy
        db = SQLAlchemy()
        class Product(db.Model):
            __tablename__ = "products"
        def run(pid):
            product = Product.query.get_or_404(pid)
            Product.query.filter_by(id=pid).update({"stock": 0})
            db.session.commit()
        """
    )
    found = datastore_ops(ctx, function(ctx, "run"))
    assert [(op.operation, op.is_write, op.tables) for op in found] == [
        ("query", False, ("products",)),
        ("UPDATE", True, ("products",)),
        ("commit", True, ()),
    ]


def test_orm_object_source_follows_an_intermediate_result() -> None:
    ctx = context(
        """
        from sqlalchemy import select
        from sqlalchemy.ext.asyncio import AsyncSession
        async def run(session: AsyncSession, Wallet):
            result = await session.execute(select(Wallet).where(Wallet.id == 1))
            wallet = result.scalar_one()
            total = result
            wallet.points += 1
        """
    )
    names = {n.id: n for n in ast.walk(ctx.tree) if isinstance(n, ast.Name)}
    source = orm_object_source(ctx, names["wallet"], names["wallet"])
    assert isinstance(source, DatastoreOp) and source.models == ("Wallet",)
    assert orm_object_source(ctx, names["total"], names["total"]) is None


def test_redis_and_mongo_commands() -> None:
    ctx = context(
        """
        import redis
        from pymongo import MongoClient
        r = redis.Redis()
        orders = MongoClient()["shop"].orders
        def run():
            r.get("k")
            r.set("k", 1, nx=True)
            r.hincrby("h", "f", 1)
            orders.insert_one({})
            orders.find_one({})
        """
    )
    found = datastore_ops(ctx, function(ctx, "run"))
    assert [(op.store, op.operation, op.is_write, op.conflict_ignored) for op in found] == [
        ("redis", "get", False, False),
        ("redis", "set", True, True),
        ("redis", "hincrby", True, False),
        ("mongo", "insert_one", True, False),
        ("mongo", "find_one", False, False),
    ]


def test_ops_of_nested_functions_belong_to_them() -> None:
    ctx = context(
        """
        import sqlite3
        conn = sqlite3.connect("x")
        def outer():
            def inner():
                conn.execute("DELETE FROM t")
            return inner
        """
    )
    assert ops(ctx, "outer") == []
    assert ops(ctx, "inner") == [(6, "sql", "DELETE", True)]


def test_calls_on_unknown_objects_with_no_sql_are_not_ops() -> None:
    ctx = context(
        """
        def run(cache, seen):
            cache.get("k")
            seen.add(1)
            cache.execute("not sql")
        """
    )
    assert ops(ctx, "run") == []


# -- clients and env reads ----------------------------------------------------------------------


def test_clients_are_identified_by_env_var_or_dsn_host(system: SystemModel) -> None:
    ctx = context(
        """
        import os, sqlite3, redis, psycopg
        from sqlalchemy import create_engine
        DSN = os.environ["PAYMENTS_DSN"]
        a = psycopg.connect(DSN)
        b = create_engine("postgresql://app@orders-db:5432/orders")
        c = redis.Redis(host="cache", port=6379)
        d = sqlite3.connect("local.db")
        """,
        system,
    )
    found = [(c.api, c.env, c.datastore, c.host) for c in datastore_clients(ctx)]
    assert found == [
        ("psycopg.connect", "PAYMENTS_DSN", "payments-db", None),
        ("sqlalchemy.create_engine", None, "orders-db", "orders-db"),
        ("redis.Redis", None, None, "cache"),
        ("sqlite3.connect", None, None, None),
    ]


def test_env_reads_include_settings_fields_with_aliases_and_prefixes() -> None:
    ctx = context(
        """
        import os
        from typing import ClassVar
        from pydantic import Field
        from pydantic_settings import BaseSettings, SettingsConfigDict

        class Base(BaseSettings):
            model_config = SettingsConfigDict(env_prefix="APP_")
            payments_url: str
            version: ClassVar[str] = "1"

        class Settings(Base):
            db: str = Field(alias="ORDERS_DATABASE_URL")

        TOKEN = os.getenv("TOKEN", "x")
        """
    )
    assert [(r.name, r.via_settings) for r in env_var_reads(ctx)] == [
        ("APP_PAYMENTS_URL", True),
        ("ORDERS_DATABASE_URL", True),
        ("TOKEN", False),
    ]


def test_local_callee_finds_module_functions_and_methods() -> None:
    ctx = context(
        """
        def save(): ...
        class Repo:
            def put(self): ...
            def run(self):
                self.put()
                save()
        repo = Repo()
        def main():
            repo.put()
            print()
        """
    )
    calls = [n for n in ast.walk(ctx.tree) if isinstance(n, ast.Call)]
    resolved = {ast.unparse(c.func): local_callee(ctx, c) for c in calls}
    assert resolved["self.put"].name == "put"  # type: ignore[union-attr]
    assert resolved["save"].name == "save"  # type: ignore[union-attr]
    assert resolved["repo.put"].name == "put"  # type: ignore[union-attr]
    assert resolved["print"] is None


def test_local_helpers_stand_for_their_first_write_and_returned_read() -> None:
    ctx = context(
        """
        from sqlalchemy.orm import Session

        def get_item(db: Session, Item, item_id):
            return db.query(Item).filter(Item.id == item_id).first()

        def list_items(db: Session, Item):
            return db.query(Item).all()

        def save(db: Session, item):
            db.add(item)
            db.commit()

        def run(db: Session, Item):
            item = get_item(db, Item, 1)
            items = list_items(db, Item)
            save(db, item)
            item.quantity -= 1
        """
    )
    found = datastore_ops(ctx, function(ctx, "run"))
    assert [(op.node.lineno, op.helper, op.operation, op.returns_objects) for op in found] == [  # type: ignore[attr-defined]
        (15, "get_item", "SELECT", True),
        (16, "list_items", "SELECT", False),
        (17, "save", "add", False),
        (18, None, "setattr", False),
    ]
