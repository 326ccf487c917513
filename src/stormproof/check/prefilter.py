"""A cheap byte-level test for whether a file can matter to any rule.

Every rule is about something a file must import (an HTTP, retry, breaker,
tracing, datastore, messaging or web library) or, with a manifest, must name (a
service's or datastore's env var, a service host). A file that does neither
cannot produce a finding, so it is not parsed: on a large tree most files are
skipped this way, as semgrep does with its pattern prefilters.
"""

from __future__ import annotations

import re

LIBRARIES = (
    "requests",
    "httpx",
    "aiohttp",
    "urllib",
    "urllib3",
    "grpc",
    "tenacity",
    "backoff",
    "stamina",
    "retrying",
    "pybreaker",
    "circuitbreaker",
    "purgatory",
    "aiobreaker",
    "opentelemetry",
    "fastapi",
    "starlette",
    "flask",
    "sqlite3",
    "aiosqlite",
    "sqlalchemy",
    "sqlmodel",
    "psycopg",
    "psycopg2",
    "psycopg_pool",
    "asyncpg",
    "pymysql",
    "mysql",
    "aiomysql",
    "redis",
    "aioredis",
    "pymongo",
    "motor",
    "kafka",
    "confluent_kafka",
    "aiokafka",
    "pika",
    "aio_pika",
    "celery",
    "boto3",
    "aioboto3",
    "nats",
    "kombu",
    "google",
    "pydantic_settings",
    "flask_sqlalchemy",
    "ddtrace",
    "logfire",
    "stormproof",
)


def build_prefilter(names: frozenset[str]) -> re.Pattern[bytes]:
    """A pattern that matches any file importing a known library or naming one of `names`."""
    libs = "|".join(sorted(LIBRARIES, key=len, reverse=True))
    alternatives = [
        rf"^[ \t]*import[ \t][^\n]*\b(?:{libs})\b",
        rf"^[ \t]*from[ \t]+(?:{libs})\b",
    ]
    if names:
        # A settings field `payments_url` stands for the env var PAYMENTS_URL.
        spellings = sorted(names | {n.lower() for n in names})
        alternatives.append(r"\b(?:" + "|".join(re.escape(n) for n in spellings) + r")\b")
    return re.compile("|".join(alternatives).encode(), re.MULTILINE)
