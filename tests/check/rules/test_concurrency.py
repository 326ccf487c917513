"""SP701 unlocked-read-modify-write and SP702 redis-read-modify-write."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from stormproof.check import Finding
from stormproof.check.rules.concurrency import (
    RULES,
)
from tests.check.rules.checking import check_files, lines


def findings(tmp_path: Path, files: dict[str, str]) -> list[Finding]:
    """Check a tree made of `files` (path → source) with the concurrency rules."""
    return check_files(tmp_path, files, rules=RULES)


SQLITE_WITHDRAW = """
    import sqlite3

    def withdraw(conn: sqlite3.Connection, account_id: str, amount: int) -> int:
        row = conn.execute("SELECT balance FROM accounts WHERE id = ?", (account_id,)).fetchone()
        new_balance = row[0] - amount
        conn.execute("UPDATE accounts SET balance = ? WHERE id = ?", (new_balance, account_id))
        conn.commit()
        return new_balance
"""


# -- SP701 -------------------------------------------------------------------------------------


def test_sql_read_modify_write_is_reported_at_the_update(tmp_path: Path) -> None:
    found = findings(tmp_path, {"bank/repo.py": SQLITE_WITHDRAW})
    assert lines(found) == [(7, "SP701")]
    assert found[0].message == (
        "withdraw() reads accounts.balance (line 5) and writes back a value computed from it; "
        "nothing locks the row in between, so concurrent requests overwrite each other's "
        "updates (lost update)"
    )
    assert "FOR UPDATE" in found[0].fix and "rowcount" in found[0].fix


@pytest.mark.parametrize(
    "guard",
    [
        '    conn.execute("BEGIN IMMEDIATE")\n',
        '    conn.execute("SELECT pg_advisory_xact_lock(1)")\n',
    ],
)
def test_a_transaction_lock_in_the_function_silences_it(tmp_path: Path, guard: str) -> None:
    source = textwrap.dedent(SQLITE_WITHDRAW).replace("    row = conn", guard + "    row = conn")
    assert findings(tmp_path, {"bank/repo.py": source}) == []


def test_a_lock_held_around_both_silences_it(tmp_path: Path) -> None:
    source = """
        import sqlite3, threading
        lock = threading.Lock()
        def withdraw(conn: sqlite3.Connection, acct: str, n: int) -> None:
            with lock:
                row = conn.execute("SELECT balance FROM accounts WHERE id = ?", (acct,)).fetchone()
                conn.execute("UPDATE accounts SET balance = ? WHERE id = ?", (row[0] - n, acct))
    """
    assert findings(tmp_path, {"bank/repo.py": source}) == []


def test_compare_and_set_needs_its_result_checked(tmp_path: Path) -> None:
    unchecked = """
        import sqlite3
        def spend(conn: sqlite3.Connection, w: str, amount: int) -> None:
            (balance,) = conn.execute("SELECT balance FROM wallets WHERE id = ?", (w,)).fetchone()
            conn.execute(
                "UPDATE wallets SET balance = ? WHERE id = ? AND balance = ?",
                (balance - amount, w, balance),
            )
    """
    checked = """
        import sqlite3
        def spend(conn: sqlite3.Connection, w: str, amount: int) -> None:
            (balance,) = conn.execute("SELECT balance FROM wallets WHERE id = ?", (w,)).fetchone()
            cur = conn.execute(
                "UPDATE wallets SET balance = ? WHERE id = ? AND balance = ?",
                (balance - amount, w, balance),
            )
            if cur.rowcount == 0:
                raise RuntimeError("conflict")
    """
    found = findings(tmp_path / "a", {"w/repo.py": unchecked})
    assert lines(found) == [(5, "SP701")]
    assert "the UPDATE's WHERE guard is never checked (rowcount)" in found[0].message
    assert findings(tmp_path / "b", {"w/repo.py": checked}) == []


@pytest.mark.parametrize(
    ("update", "params"),
    [
        ("UPDATE accounts SET balance = balance - ? WHERE id = ?", "(amount, acct)"),
        ("UPDATE accounts SET note = ? WHERE id = ?", "('x', row[0])"),
        ("UPDATE ledger SET balance = ? WHERE id = ?", "(row[0] - amount, acct)"),
    ],
    ids=["atomic-update", "read-value-only-in-where", "other-table"],
)
def test_writes_that_do_not_overwrite_the_read_value_are_not_reported(
    tmp_path: Path, update: str, params: str
) -> None:
    source = f"""
        import sqlite3
        def withdraw(conn, acct, amount):
            row = conn.execute("SELECT balance FROM accounts WHERE id = ?", (acct,)).fetchone()
            conn.execute("{update}", {params})
    """
    assert findings(tmp_path, {"bank/repo.py": source}) == []


def test_asyncpg_numbered_placeholders_and_named_dicts_bind_to_their_values(tmp_path: Path) -> None:
    source = """
        import asyncpg
        async def consume(conn, tenant, n):
            credits = await conn.fetchval("SELECT credits FROM tenants WHERE id = $1", tenant)
            await conn.execute("UPDATE tenants SET credits = $1 WHERE id = $2", credits - n, tenant)

        def put(conn, sku, n):
            on_hand = conn.execute("SELECT qty FROM bins WHERE sku = :s", {"s": sku}).scalar_one()
            conn.execute("UPDATE bins SET qty = :qty WHERE sku = :s", {"s": sku, "qty": on_hand+n})
    """
    assert lines(findings(tmp_path, {"w/repo.py": source})) == [(5, "SP701"), (9, "SP701")]


def test_orm_attribute_write_needs_a_commit_and_a_computed_value(tmp_path: Path) -> None:
    source = """
        from sqlalchemy.orm import Session

        def charge(db: Session, Account, account_id: str, amount: int) -> None:
            account = db.get(Account, account_id)
            account.balance -= amount
            db.commit()

        def preview(db: Session, Account, account_id: str) -> int:
            account = db.get(Account, account_id)
            account.balance -= 1
            return account.balance

        def rename(db: Session, Account, account_id: str, name: str) -> None:
            account = db.get(Account, account_id)
            account.name = name or account.name
            db.commit()
    """
    found = findings(tmp_path, {"bank/service.py": source})
    assert lines(found) == [(6, "SP701")]
    assert found[0].message.startswith(
        "charge() reads Account (line 5) through the ORM and commits Account.balance computed"
    )


def test_version_id_col_in_another_module_silences_orm_writes(tmp_path: Path) -> None:
    service = """
        from sqlalchemy.orm import Session
        from shop.models import Product

        def take(db: Session, sku: str, qty: int) -> None:
            product = db.get(Product, sku)
            product.stock = product.stock - qty
            db.commit()
    """
    models = """
        from sqlalchemy.orm import DeclarativeBase
        class Base(DeclarativeBase):
            pass
        class Product(Base):
            __tablename__ = "products"
            __mapper_args__ = {"version_id_col": "version"}
    """
    assert lines(findings(tmp_path / "a", {"shop/service.py": service})) == [(7, "SP701")]
    assert findings(tmp_path / "b", {"shop/service.py": service, "shop/models.py": models}) == []


def test_one_finding_per_function(tmp_path: Path) -> None:
    source = """
        from sqlalchemy.orm import Session

        def award(db: Session, Wallet, wallet_id: str) -> None:
            wallet = db.get(Wallet, wallet_id)
            wallet.points += 10
            wallet.lifetime += 10
            db.commit()
    """
    assert lines(findings(tmp_path, {"w/service.py": source})) == [(6, "SP701")]


# -- SP702 -------------------------------------------------------------------------------------


def test_redis_get_then_set_of_the_same_key_is_reported(tmp_path: Path) -> None:
    source = """
        import redis
        r = redis.Redis()

        def hit(client: str) -> int:
            key = f"rl:{client}"
            count = int(r.get(key) or 0)
            r.set(key, count + 1, ex=60)
            return count
    """
    found = findings(tmp_path, {"gw/limits.py": source})
    assert lines(found) == [(8, "SP702")]
    assert found[0].message == (
        "redis SET of key writes a value computed from the GET on line 7, outside WATCH/MULTI; "
        "a concurrent client's write in between is lost"
    )
    assert "INCRBY" in found[0].fix


@pytest.mark.parametrize(
    "body",
    [
        # another key
        'limit = r.get("plan:limit")\n    r.set(f"quota:{client}", limit)',
        # a value that does not come from the read
        'seen = r.get(f"rl:{client}")\n    r.set(f"rl:{client}", 1, ex=60)',
        # SET NX only writes when nobody did
        'seen = r.get(f"rl:{client}")\n    r.set(f"rl:{client}", int(seen or 0) + 1, nx=True)',
        # an optimistic transaction
        'pipe = r.pipeline()\n    pipe.watch("k")\n    v = pipe.get("k")\n    pipe.multi()\n'
        '    pipe.set("k", int(v) + 1)',
        # a lock around both
        'with r.lock("l"):\n        v = r.get("k")\n        r.set("k", int(v) + 1)',
    ],
    ids=["other-key", "blind-value", "set-nx", "watch-multi", "lock"],
)
def test_redis_look_alikes_are_not_reported(tmp_path: Path, body: str) -> None:
    source = f"import redis\nr = redis.Redis()\n\ndef hit(client):\n    {body}\n"
    assert findings(tmp_path, {"gw/limits.py": source}) == []


def test_transaction_callbacks_are_not_reported(tmp_path: Path) -> None:
    source = """
        import redis
        r = redis.Redis()

        def reserve(sku: str, qty: int) -> None:
            def take(pipe):
                left = int(pipe.get(sku) or 0)
                pipe.multi()
                pipe.set(sku, left - qty)
            r.transaction(take, sku)
    """
    assert findings(tmp_path, {"stock/reserve.py": source}) == []
