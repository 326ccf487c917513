"""What a service's code says about the system: its web app, env vars, URLs, datastore clients.

A deliberately small scanner (stdlib `ast` only) for drafting a manifest: it
only has to be good enough for a first guess that a person then confirms.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

# Directories that hold no service code (or not this project's).
SKIPPED_DIRS = frozenset(
    {
        "__pycache__",
        "node_modules",
        "venv",
        "env",
        "site-packages",
        "build",
        "dist",
        "tests",
        "test",
        "docs",
        "doc",
        "migrations",
    }
)
APP_FILE_NAMES = frozenset({"main.py", "app.py"})

WEB_FRAMEWORKS = {
    "fastapi.FastAPI": "FastAPI",
    "fastapi.applications.FastAPI": "FastAPI",
    "flask.Flask": "Flask",
    "starlette.applications.Starlette": "Starlette",
}

# Client constructors and the datastore kind they reach; None: the kind is in the URL.
DATASTORE_CLIENTS: dict[str, str | None] = {
    "sqlite3.connect": "sqlite",
    "aiosqlite.connect": "sqlite",
    "sqlalchemy.create_engine": None,
    "sqlalchemy.ext.asyncio.create_async_engine": None,
    "sqlmodel.create_engine": None,
    "psycopg.connect": "postgres",
    "psycopg.AsyncConnection.connect": "postgres",
    "psycopg2.connect": "postgres",
    "psycopg_pool.ConnectionPool": "postgres",
    "psycopg_pool.AsyncConnectionPool": "postgres",
    "asyncpg.connect": "postgres",
    "asyncpg.create_pool": "postgres",
    "pymysql.connect": "mysql",
    "mysql.connector.connect": "mysql",
    "aiomysql.connect": "mysql",
    "aiomysql.create_pool": "mysql",
    "redis.Redis": "redis",
    "redis.StrictRedis": "redis",
    "redis.from_url": "redis",
    "redis.Redis.from_url": "redis",
    "redis.asyncio.Redis": "redis",
    "redis.asyncio.from_url": "redis",
    "redis.asyncio.Redis.from_url": "redis",
    "pymongo.MongoClient": "mongodb",
    "motor.motor_asyncio.AsyncIOMotorClient": "mongodb",
    "kafka.KafkaProducer": "kafka",
    "kafka.KafkaConsumer": "kafka",
    "aiokafka.AIOKafkaProducer": "kafka",
    "aiokafka.AIOKafkaConsumer": "kafka",
    "confluent_kafka.Producer": "kafka",
    "confluent_kafka.Consumer": "kafka",
    "pika.BlockingConnection": "rabbitmq",
    "aio_pika.connect": "rabbitmq",
    "aio_pika.connect_robust": "rabbitmq",
}
_URL_SCHEME_KINDS = (
    ("sqlite", "sqlite"),
    ("postgres", "postgres"),
    ("mysql", "mysql"),
    ("mariadb", "mysql"),
    ("redis", "redis"),
    ("rediss", "redis"),
    ("mongodb", "mongodb"),
    ("amqp", "rabbitmq"),
    ("kafka", "kafka"),
)
_URL = re.compile(r"(?:https?|grpc)://(?P<host>[A-Za-z0-9_.-]+)")
_ADDRESS_KEYWORDS = frozenset(
    {"url", "dsn", "database", "conninfo", "host", "bootstrap_servers", "parameters"}
)
_ENV_GETTERS = frozenset({"os.getenv", "os.environ.get"})
_ROUTE_DECORATORS = frozenset({"get", "post", "put", "patch", "delete", "route", "api_route"})


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where in the code something was seen: a root-relative, '/'-separated path and a line."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class WebApp:
    framework: str
    module: str  # dotted, importable from the root: "gateway.app"
    variable: str
    where: Evidence


@dataclass(frozen=True, slots=True)
class ClientUse:
    constructor: str  # the qualified name, e.g. "sqlite3.connect"
    kind: str
    env: str | None  # the env var its address comes from
    literal: str | None  # or the literal address (a DSN, a file name)
    where: Evidence


@dataclass(slots=True)
class CodeFacts:
    apps: list[WebApp] = field(default_factory=list)
    app_files: list[str] = field(default_factory=list)  # main.py / app.py, root-relative
    env_reads: dict[str, Evidence] = field(default_factory=dict)
    url_hosts: dict[str, Evidence] = field(default_factory=dict)
    clients: list[ClientUse] = field(default_factory=list)
    routes: dict[str, Evidence] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)

    @property
    def looks_like_service(self) -> bool:
        return bool(self.apps or self.app_files)


def scan_tree(directory: Path, root: Path) -> CodeFacts:
    """Facts from every Python file under `directory` (tests and tooling directories left out)."""
    facts = CodeFacts()
    for path in python_files(directory):
        relative = path.relative_to(root).as_posix()
        if path.name in APP_FILE_NAMES:
            facts.app_files.append(relative)
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=relative)
        except (SyntaxError, UnicodeDecodeError, ValueError):
            facts.unreadable.append(relative)
            continue
        _FileScanner(facts, relative).scan(tree)
    return facts


def python_files(directory: Path) -> Iterator[Path]:
    for current, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not _skipped(d))
        for name in sorted(files):
            if name.endswith(".py") and not _is_test_file(name):
                yield Path(current) / name


def _skipped(directory_name: str) -> bool:
    return directory_name.startswith(".") or directory_name in SKIPPED_DIRS


def _is_test_file(name: str) -> bool:
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


def is_candidate_dir(path: Path) -> bool:
    """Whether a top-level directory may hold a service."""
    return path.is_dir() and not _skipped(path.name)


class _FileScanner(ast.NodeVisitor):
    def __init__(self, facts: CodeFacts, relative: str) -> None:
        self.facts = facts
        self.relative = relative
        self.module = relative.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        self.imports: dict[str, str] = {}
        # Module-level names assigned from an env var: `DB = os.environ["BOOKINGS_DB"]`.
        self.env_constants: dict[str, str] = {}

    def scan(self, tree: ast.Module) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                self._record_import(node)
        for node in tree.body:
            if isinstance(node, ast.Assign):
                self._module_assignment(node)
        self.visit(tree)

    def _where(self, node: ast.AST) -> Evidence:
        return Evidence(self.relative, getattr(node, "lineno", 1))

    def _record_import(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.ImportFrom):
            if node.module and not node.level:
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            return
        for alias in node.names:
            top = alias.name.split(".")[0]
            self.imports[alias.asname or top] = alias.name if alias.asname else top

    def _module_assignment(self, node: ast.Assign) -> None:
        names = [target.id for target in node.targets if isinstance(target, ast.Name)]
        env = self._env_read(node.value)
        if env:
            self.env_constants.update(dict.fromkeys(names, env))
        if isinstance(node.value, ast.Call):
            framework = WEB_FRAMEWORKS.get(self._qualified(node.value.func) or "")
            if framework and names:
                self.facts.apps.append(WebApp(framework, self.module, names[0], self._where(node)))

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        # pydantic-settings: a field `payments_url` is read from env var PAYMENTS_URL.
        if any((self._qualified(base) or "").endswith("BaseSettings") for base in node.bases):
            for statement in node.body:
                if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                    self._record_env(statement.target.id.upper(), statement)
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            if (
                isinstance(decorator, ast.Call)
                and isinstance(decorator.func, ast.Attribute)
                and decorator.func.attr in _ROUTE_DECORATORS
                and decorator.args
                and isinstance(decorator.args[0], ast.Constant)
                and isinstance(decorator.args[0].value, str)
            ):
                self.facts.routes.setdefault(decorator.args[0].value, self._where(decorator))
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node: ast.Call) -> None:
        env = self._env_read(node)
        if env:
            self._record_env(env, node)
        qualified = self._qualified(node.func) or ""
        if qualified in DATASTORE_CLIENTS:
            self._record_client(qualified, node)
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        env = self._env_read(node)
        if env:
            self._record_env(env, node)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            match = _URL.match(node.value)
            if match:
                self.facts.url_hosts.setdefault(match["host"], self._where(node))

    def _record_env(self, env: str, node: ast.AST) -> None:
        self.facts.env_reads.setdefault(env, self._where(node))

    def _record_client(self, qualified: str, node: ast.Call) -> None:
        address = _address_argument(node, qualified)
        env = self._env_read(address) if address is not None else None
        if env is None and isinstance(address, ast.Name):
            env = self.env_constants.get(address.id)
        literal = (
            address.value
            if isinstance(address, ast.Constant) and isinstance(address.value, str)
            else None
        )
        kind = DATASTORE_CLIENTS[qualified] or _kind_from_url(literal) or "other"
        self.facts.clients.append(ClientUse(qualified, kind, env, literal, self._where(node)))

    def _env_read(self, node: ast.AST) -> str | None:
        """The env var name `node` reads: os.environ[...], os.getenv(...), os.environ.get(...)."""
        if isinstance(node, ast.Subscript) and self._qualified(node.value) == "os.environ":
            return _string(node.slice)
        if isinstance(node, ast.Call) and self._qualified(node.func) in _ENV_GETTERS and node.args:
            return _string(node.args[0])
        return None

    def _qualified(self, node: ast.AST) -> str | None:
        """`node`'s dotted name with the file's import aliases applied."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        parts.append(self.imports.get(node.id, node.id))
        return ".".join(reversed(parts))


def _address_argument(node: ast.Call, qualified: str) -> ast.expr | None:
    for keyword in node.keywords:
        if keyword.arg in _ADDRESS_KEYWORDS:
            return keyword.value
    # Kafka clients take topics first; their address is only ever a keyword.
    if node.args and DATASTORE_CLIENTS[qualified] != "kafka":
        return node.args[0]
    return None


def _string(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _kind_from_url(url: str | None) -> str | None:
    if not url or "://" not in url:
        return None
    scheme = url.split("://", 1)[0].split("+", 1)[0].lower()
    return next((kind for prefix, kind in _URL_SCHEME_KINDS if scheme.startswith(prefix)), None)
