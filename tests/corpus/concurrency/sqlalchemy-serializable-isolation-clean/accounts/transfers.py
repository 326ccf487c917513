"""Transfers run at SERIALIZABLE; the caller retries on serialization failure."""

import os

from sqlalchemy import create_engine, text
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random_exponential
from sqlalchemy.exc import OperationalError

engine = create_engine(os.environ["ACCOUNTS_DATABASE_URL"])
serializable = engine.execution_options(isolation_level="SERIALIZABLE")


@retry(
    retry=retry_if_exception_type(OperationalError),
    stop=stop_after_attempt(5),
    wait=wait_random_exponential(multiplier=0.05, max=1),
)
def transfer(src: str, dst: str, amount: int) -> None:
    with serializable.begin() as conn:
        src_balance = conn.execute(
            text("SELECT balance FROM accounts WHERE id = :id"), {"id": src}
        ).scalar_one()
        if src_balance < amount:
            raise ValueError("insufficient funds")
        conn.execute(
            text("UPDATE accounts SET balance = :b WHERE id = :id"),
            {"b": src_balance - amount, "id": src},
        )
        conn.execute(
            text("UPDATE accounts SET balance = balance + :a WHERE id = :id"),
            {"a": amount, "id": dst},
        )
