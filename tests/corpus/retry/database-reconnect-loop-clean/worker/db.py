import logging
import os
import time

import psycopg
import redis

log = logging.getLogger(__name__)

DSN = os.environ["JOBS_DB"]


def connect() -> psycopg.Connection:
    while True:
        try:
            return psycopg.connect(DSN, connect_timeout=5)
        except psycopg.OperationalError as exc:
            log.warning("database not ready: %s", exc)
            time.sleep(1)


def cache() -> redis.Redis:
    for _ in range(10):
        try:
            client = redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=2)
            client.ping()
            return client
        except redis.ConnectionError:
            time.sleep(0.5)
    raise RuntimeError("redis unavailable")
