"""The code scanner behind `stormproof init`: env vars, URLs, datastore clients, web apps."""

from __future__ import annotations

import textwrap
from pathlib import Path

from stormproof.manifest.scan import CodeFacts, Evidence, scan_tree


def scan(tmp_path: Path, files: dict[str, str]) -> CodeFacts:
    for name, source in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    return scan_tree(tmp_path, tmp_path)


def test_env_reads_in_every_spelling(tmp_path: Path) -> None:
    facts = scan(
        tmp_path,
        {
            "svc/a.py": """
                import os
                import os as system
                from os import environ, getenv
                from pydantic_settings import BaseSettings

                A = os.environ["A_URL"]
                B = os.getenv("B_URL", "http://b:80")
                C = system.environ.get("C_URL")
                D = environ["D_URL"]
                E = getenv("E_URL")

                class Settings(BaseSettings):
                    f_url: str
                """,
        },
    )

    assert set(facts.env_reads) == {"A_URL", "B_URL", "C_URL", "D_URL", "E_URL", "F_URL"}
    assert facts.env_reads["A_URL"] == Evidence("svc/a.py", 7)
    assert facts.url_hosts == {"b": Evidence("svc/a.py", 8)}


def test_datastore_clients_resolve_aliases_and_their_address(tmp_path: Path) -> None:
    facts = scan(
        tmp_path,
        {
            "svc/db.py": """
                import os
                import sqlite3
                import redis.asyncio as aioredis
                from sqlalchemy import create_engine
                from pymongo import MongoClient
                import psycopg2 as pg
                from kafka import KafkaProducer

                PATH = os.environ.get("ORDERS_DB", "orders.db")
                sqlite3.connect(PATH)
                aioredis.from_url(os.environ["CACHE_REDIS_URL"])
                create_engine("postgresql+psycopg://u@db/orders")
                create_engine(os.environ["DATABASE_URL"])
                MongoClient(host="mongodb://mongo:27017")
                pg.connect(dsn="dbname=x")
                KafkaProducer("events", bootstrap_servers=os.environ["KAFKA_BOOTSTRAP_SERVERS"])
                """,
        },
    )

    found = [(c.constructor, c.kind, c.env, c.literal) for c in facts.clients]
    assert found == [
        ("sqlite3.connect", "sqlite", "ORDERS_DB", None),
        ("redis.asyncio.from_url", "redis", "CACHE_REDIS_URL", None),
        ("sqlalchemy.create_engine", "postgres", None, "postgresql+psycopg://u@db/orders"),
        ("sqlalchemy.create_engine", "other", "DATABASE_URL", None),
        ("pymongo.MongoClient", "mongodb", None, "mongodb://mongo:27017"),
        ("psycopg2.connect", "postgres", None, "dbname=x"),
        ("kafka.KafkaProducer", "kafka", "KAFKA_BOOTSTRAP_SERVERS", None),
    ]
    assert facts.clients[0].where == Evidence("svc/db.py", 11)


def test_a_name_that_merely_looks_like_a_client_is_not_one(tmp_path: Path) -> None:
    facts = scan(tmp_path, {"svc/x.py": "def connect(x):\n    return x\n\nconnect('a.db')\n"})
    assert facts.clients == []


def test_web_apps_routes_and_app_files(tmp_path: Path) -> None:
    facts = scan(
        tmp_path,
        {
            "shop/__init__.py": "from flask import Flask\n\nserver = Flask(__name__)\n",
            "shop/api/main.py": """
                import fastapi

                app = fastapi.FastAPI()

                @app.get("/healthz")
                async def health() -> dict:
                    return {}

                def factory():
                    inner = fastapi.FastAPI()
                    return inner
                """,
        },
    )

    apps = [(a.framework, a.module, a.variable) for a in facts.apps]
    assert apps == [("Flask", "shop", "server"), ("FastAPI", "shop.api.main", "app")]
    assert facts.routes == {"/healthz": Evidence("shop/api/main.py", 6)}
    assert facts.app_files == ["shop/api/main.py"]
    assert facts.looks_like_service


def test_urls_inside_f_strings(tmp_path: Path) -> None:
    facts = scan(
        tmp_path,
        {"svc/c.py": 'import httpx\n\nhttpx.get(f"http://payments-svc:8000/x/{1}")\n'},
    )
    assert facts.url_hosts == {"payments-svc": Evidence("svc/c.py", 3)}


def test_tests_hidden_and_virtualenv_folders_are_left_out(tmp_path: Path) -> None:
    facts = scan(
        tmp_path,
        {
            "svc/test_app.py": "import os\nos.environ['FROM_TEST_URL']\n",
            "svc/conftest.py": "import os\nos.environ['FROM_CONFTEST_URL']\n",
            "svc/tests/helper.py": "import os\nos.environ['FROM_TESTS_URL']\n",
            "svc/.venv/lib.py": "import os\nos.environ['FROM_VENV_URL']\n",
            "svc/real.py": "import os\nos.environ['REAL_URL']\n",
        },
    )

    assert set(facts.env_reads) == {"REAL_URL"}


def test_unparsable_files_are_listed_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "latin.py").write_bytes(b"x = '\xe9'\n")

    facts = scan(tmp_path, {"svc/bad.py": "def oops(:\n", "svc/good.py": "x = 1\n"})

    assert sorted(facts.unreadable) == ["svc/bad.py", "svc/latin.py"]
