"""`stormproof init`: a draft manifest from code and compose files, that loads as written."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from stormproof.cli.manifest_cmd import init
from stormproof.manifest import MANIFEST_NAME, Manifest, load_manifest, parse_manifest
from stormproof.manifest.draft_model import service_name

GUESS = re.compile(r"  # guess: .+ — confirm$")


def run(*args: str) -> Result:
    return CliRunner().invoke(init, list(args))


def tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def draft_of(directory: Path) -> tuple[str, Manifest]:
    result = run(str(directory), "--stdout")
    assert result.exit_code == 0, result.output
    return result.stdout, parse_manifest(result.stdout, directory / MANIFEST_NAME)


def line_of(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if line.lstrip().startswith(start))


@pytest.fixture
def compose_tree(tmp_path: Path, fixtures: Path) -> Path:
    return Path(shutil.copytree(fixtures / "compose_tree", tmp_path / "travel"))


@pytest.fixture
def plain_tree(tmp_path: Path, fixtures: Path) -> Path:
    return Path(shutil.copytree(fixtures / "plain_tree", tmp_path / "shop"))


def test_init_writes_a_manifest_that_loads(compose_tree: Path) -> None:
    result = run(str(compose_tree))

    assert result.exit_code == 0, result.output
    assert "3 services, 2 datastores" in result.stdout
    system = load_manifest(compose_tree / MANIFEST_NAME)
    assert system.name == "travel"
    assert list(system.services) == ["gateway", "booking", "payments-svc"]


def test_compose_services_calls_and_datastores(compose_tree: Path) -> None:
    text, system = draft_of(compose_tree)

    gateway, booking, payments = (
        system.services[n] for n in ("gateway", "booking", "payments-svc")
    )
    assert (gateway.path, booking.path, payments.path) == ("gateway/", "booking/", "payments/")
    assert gateway.role == "edge"
    assert gateway.run == "python -m uvicorn gateway.app:app --port {port}"
    assert gateway.health == "/healthz"
    assert booking.health == "/health"
    # No web app in payments: the compose command is the hint.
    assert payments.run == "python main.py"
    assert {t: c.env for t, c in gateway.calls.items()} == {"booking": "BOOKING_URL"}
    assert {t: c.env for t, c in booking.calls.items()} == {"payments-svc": "PAYMENTS_URL"}
    assert payments.calls == {}
    assert set(system.datastores) == {"db", "cache"}  # jaeger is no datastore
    assert (system.datastores["db"].kind, system.datastores["db"].env) == (
        "postgres",
        "DATABASE_URL",
    )
    assert (system.datastores["cache"].kind, system.datastores["cache"].env) == (
        "redis",
        "REDIS_URL",
    )
    assert booking.owns == ["db"] and payments.owns == ["cache"] and gateway.owns == []
    assert "tests/" not in text  # tests/ holds a FastAPI app, but is no service


def test_every_guess_says_why_and_asks_to_confirm(compose_tree: Path) -> None:
    text, _ = draft_of(compose_tree)

    assert GUESS.search(line_of(text, "role: edge"))
    assert line_of(text, "role: edge").endswith("nobody calls it and it calls booking — confirm")
    assert line_of(text, "booking: {env: BOOKING_URL}").endswith(
        "# guess: gateway/app.py:7 reads BOOKING_URL — confirm"
    )
    assert line_of(text, "- db").endswith(
        "# guess: 'booking' depends on 'db' in docker-compose.yml — confirm"
    )
    assert line_of(text, "kind: postgres").endswith(
        "# guess: image postgres:16-alpine of 'db' in docker-compose.yml — confirm"
    )
    guessed_keys = ("role:", "run:", "health:", "kind:", "env:", "name:", "- ")
    for line in text.splitlines():
        if line.lstrip().startswith(guessed_keys) and not line.lstrip().startswith("#"):
            assert GUESS.search(line), line


def test_data_owners_get_a_consistency_todo_and_defaults_are_spelled_out(
    compose_tree: Path,
) -> None:
    text, system = draft_of(compose_tree)

    assert text.count("# consistency:  # TODO: choose CP or AP") == 2
    assert all(s.consistency is None for s in system.services.values())
    assert "policies:" in text
    assert "  retries: {max_attempts: 5, backoff: exponential, jitter: required}" in text
    assert "# sagas:  # TODO" in text
    assert system.sagas == {}


def test_tree_without_compose(plain_tree: Path) -> None:
    text, system = draft_of(plain_tree)

    assert list(system.services) == ["gateway", "inventory", "mailer", "orders"]  # no docs
    gateway = system.services["gateway"]
    assert gateway.role == "edge"
    assert gateway.run == "python -m flask --app gateway.app:app run --port {port}"
    assert {t: c.env for t, c in gateway.calls.items()} == {
        # os.getenv("ORDERS_SERVICE_URL"): the env var wins over its default URL.
        "orders": "ORDERS_SERVICE_URL",
        # A hard-coded http://inventory:8001: the env var it should read instead.
        "inventory": "INVENTORY_URL",
    }
    assert "hard-codes a URL to inventory; read this env var instead" in line_of(
        text, "inventory: {env: INVENTORY_URL}"
    )
    assert system.services["inventory"].run == (
        "python -m uvicorn inventory.service:api --port {port}"
    )
    orders_db = system.datastores["orders-db"]
    assert (orders_db.kind, orders_db.env) == ("sqlite", "ORDERS_DB")
    # orders connects to it; inventory only reads its env var: orders owns it.
    assert system.owner_of("orders-db") is system.services["orders"]
    assert system.services["inventory"].owns == []
    assert "# also uses orders-db: inventory/service.py:9 reads ORDERS_DB" in text
    mailer = system.services["mailer"]
    assert mailer.role == "worker" and mailer.run is None
    assert mailer.owns == ["mailer-kafka"]
    assert system.datastores["mailer-kafka"].kind == "kafka"
    assert system.datastores["mailer-kafka"].env is None
    assert '# run: ""  # TODO' in text


def test_unparsable_python_is_noted_and_skipped(plain_tree: Path) -> None:
    (plain_tree / "orders" / "broken.py").write_text("def oops(:\n", encoding="utf-8")

    text, system = draft_of(plain_tree)

    assert "# note: could not parse orders/broken.py; it was left out" in text
    assert "orders" in system.services


def test_a_single_service_at_the_root(tmp_path: Path) -> None:
    root = tree(
        tmp_path / "Ledger_Service",
        {"app.py": "from fastapi import FastAPI\n\napp = FastAPI()\n"},
    )

    _, system = draft_of(root)

    assert list(system.services) == ["ledger-service"]
    assert system.services["ledger-service"].path == "./"
    assert system.services["ledger-service"].run == "python -m uvicorn app:app --port {port}"


def test_an_empty_directory_drafts_an_empty_system(tmp_path: Path) -> None:
    text, system = draft_of(tmp_path)

    assert system.services == {} and system.datastores == {}
    assert "services: {}  # TODO" in text


def test_shared_compose_datastore_gets_one_owner(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "compose.yaml": """
                services:
                  a:
                    build: ./a
                    environment: {DB_URL: "postgres://pg/x"}
                    depends_on: [pg]
                  b:
                    build: {context: ., dockerfile: b/Dockerfile}
                    environment: ["DB_URL=postgres://pg/x", "API_URL=http://a:1"]
                    depends_on: [pg]
                  pg: {image: "docker.io/library/postgres:16"}
                """,
            "a/app.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            "b/worker.py": "print('b')\n",
        },
    )

    text, system = draft_of(root)

    assert system.services["b"].path == "b/"
    assert system.owner_of("pg") is system.services["a"]
    assert system.services["b"].owns == []
    assert "# also uses pg:" in text
    assert system.services["b"].calls["a"].env == "API_URL"


def test_clients_without_env_vars_share_a_datastore_by_address(tmp_path: Path) -> None:
    client = "import redis\nimport sqlite3\n\nsqlite3.connect('ledger.db')\nredis.Redis()\n"
    root = tree(
        tmp_path,
        {
            "a/app.py": client + "redis.Redis()\n",
            "b/app.py": "import sqlite3\n\nsqlite3.connect('ledger.db')\n",
        },
    )

    text, system = draft_of(root)

    assert set(system.datastores) == {"ledger-db", "a-redis"}
    assert system.services["a"].owns == ["ledger-db", "a-redis"]
    assert system.services["b"].owns == []
    assert "# also uses ledger-db: sqlite3.connect in b/app.py:3" in text


def test_compose_build_context_outside_the_tree(tmp_path: Path) -> None:
    root = tree(
        tmp_path / "project",
        {
            "compose.yaml": "services:\n  far: {build: ../elsewhere}\n  git: {build: 'https://x/y.git'}\n"
        },
    )
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "app.py").write_text("from flask import Flask\n", encoding="utf-8")

    _, system = draft_of(root)

    assert system.services["far"].path == "../elsewhere/"
    assert system.services["far"].run is None
    assert "git" not in system.services


def test_one_env_var_never_names_two_services(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "docker-compose.yml": """
                services:
                  web: {build: web, environment: {UPSTREAM: "http://api:8000"}}
                  api: {build: api, environment: {UPSTREAM: "http://pay:8000"}}
                  pay: {build: pay}
                """,
            "web/app.py": "",
            "api/app.py": "",
            "pay/app.py": "",
        },
    )

    _, system = draft_of(root)

    assert system.services["web"].calls["api"].env == "UPSTREAM"
    assert system.services["api"].calls["pay"].env == "PAY_URL"


def test_invalid_compose_file_is_a_one_line_error(tmp_path: Path) -> None:
    tree(tmp_path, {"docker-compose.yml": "services:\n  a: [\n"})

    result = run(str(tmp_path), "--stdout")

    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert re.match(r"stormproof: .*docker-compose\.yml:3:1: invalid YAML", result.stderr)


def test_compose_file_without_services_is_an_error(tmp_path: Path) -> None:
    tree(tmp_path, {"compose.yaml": "version: '3'\n"})

    result = run(str(tmp_path))

    assert result.exit_code == 2
    assert result.stderr.endswith("compose.yaml: no 'services' mapping\n")
    assert not (tmp_path / MANIFEST_NAME).exists()


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    existing = tmp_path / MANIFEST_NAME
    existing.write_text("version: 1\nname: mine\n", encoding="utf-8")

    result = run(str(tmp_path))

    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "already exists; pass --force to overwrite it" in result.stderr
    assert existing.read_text(encoding="utf-8") == "version: 1\nname: mine\n"


def test_force_overwrites(plain_tree: Path) -> None:
    existing = plain_tree / MANIFEST_NAME
    existing.write_text("version: 1\nname: mine\n", encoding="utf-8")

    result = run(str(plain_tree), "--force")

    assert result.exit_code == 0, result.output
    assert load_manifest(existing).name == "shop"


def test_stdout_prints_and_writes_nothing(plain_tree: Path) -> None:
    existing = plain_tree / MANIFEST_NAME
    existing.write_text("version: 1\nname: mine\n", encoding="utf-8")

    result = run(str(plain_tree), "--stdout")

    assert result.exit_code == 0
    assert result.stdout.startswith("# stormproof.yaml, drafted by `stormproof init`")
    assert existing.read_text(encoding="utf-8") == "version: 1\nname: mine\n"


def test_nonexistent_directory_is_exit_2(tmp_path: Path) -> None:
    result = run(str(tmp_path / "nowhere"))

    assert result.exit_code == 2
    assert result.stderr == f"stormproof: {tmp_path / 'nowhere'}: no such directory\n"


def test_a_file_is_not_a_directory(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("", encoding="utf-8")

    result = run(str(tmp_path / "app.py"))

    assert result.exit_code == 2
    assert result.stderr == f"stormproof: {tmp_path / 'app.py'}: not a directory\n"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Payments_API", "payments-api"),
        ("2fa", "svc-2fa"),
        ("--", "service"),
        ("a.b c", "a-b-c"),
    ],
)
def test_service_names_are_made_valid(text: str, name: str) -> None:
    assert service_name(text) == name


def test_help_has_an_example() -> None:
    result = run("--help")

    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert "stormproof init services/ --stdout" in result.stdout
