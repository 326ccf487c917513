import logging
import uuid

import psycopg
from prometheus_client import Counter
from statsd import StatsClient

log = logging.getLogger("payments.refunds")
REFUNDS = Counter("refunds_total", "Refunds issued", ["reason"])
statsd = StatsClient("statsd", 8125, prefix="payments")


def refund(conn: psycopg.Connection, charge_id: str, amount: int, reason: str) -> str:
    refund_id = str(uuid.uuid4())
    with conn.transaction():
        conn.execute(
            "INSERT INTO refunds (id, charge_id, amount, reason) VALUES (%s, %s, %s, %s)",
            (refund_id, charge_id, amount, reason),
        )
    REFUNDS.labels(reason=reason).inc()
    statsd.incr("refunds")
    log.info("refund %s issued for %s", refund_id, charge_id, extra={"publish": True})
    return refund_id
