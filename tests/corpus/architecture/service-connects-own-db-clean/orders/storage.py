import os

import psycopg2
import redis
from psycopg2.pool import ThreadedConnectionPool

pool = ThreadedConnectionPool(1, 10, dsn=os.environ["ORDERS_DATABASE_URL"])
cache = redis.Redis.from_url(os.environ["ORDERS_REDIS_URL"], decode_responses=True)


def order_status(order_id: str) -> str | None:
    hit = cache.get(f"order:{order_id}:status")
    if hit:
        return hit
    conn = pool.getconn()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT status FROM orders WHERE id = %s", (order_id,))
            row = cur.fetchone()
    finally:
        pool.putconn(conn)
    return row[0] if row else None


def ping() -> bool:
    try:
        conn = psycopg2.connect(os.environ["ORDERS_DATABASE_URL"], connect_timeout=2)
        conn.close()
        return True
    except psycopg2.OperationalError:
        return False
