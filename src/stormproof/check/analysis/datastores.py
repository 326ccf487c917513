"""Datastore access: which objects are database clients, and what each call does to the data.

Generated services reach their data through sqlite3, SQLAlchemy (engines, sessions,
Flask-SQLAlchemy models, SQLModel), psycopg/psycopg2, asyncpg, aiosqlite, redis (sync
and asyncio) and pymongo/motor. This module answers, for one file:

- `datastore_clients(ctx)`: every client constructor call, with the env var or
  literal DSN it connects with and the manifest datastore that identifies;
- `store_library(ctx, expr, at)`: which library an expression's object belongs to,
  following connections, cursors, sessions, pipelines and collections back to the
  client they came from;
- `datastore_ops(ctx, function)` / `datastore_reads` / `datastore_writes`: the reads
  and writes one function makes, with SQL text classified (SELECT/INSERT/UPDATE/
  DELETE), ORM reads, adds, commits and attribute writes, redis and MongoDB commands;
- `env_var_reads(ctx)`: env var reads, pydantic-settings fields included.

Other rules use `datastore_writes(ctx, fn)` to know whether a handler applies an effect.
"""

from __future__ import annotations

import ast
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from stormproof.check.analysis.scopes import FUNCTION_TYPES, FunctionNode
from stormproof.check.analysis.sql import (
    ALL_COLUMNS,
    Assignment,
    Placeholder,
    SqlStatement,
    parse_sql,
)
from stormproof.check.prefilter import LIBRARIES

if TYPE_CHECKING:
    from stormproof.check.context import FileContext


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# -- libraries and their clients ---------------------------------------------------------

# Module prefix → library; the longest prefix wins.
_LIBRARY_PREFIXES: dict[str, str] = {
    "sqlite3": "sqlite3",
    "aiosqlite": "aiosqlite",
    "sqlalchemy": "sqlalchemy",
    "sqlmodel": "sqlalchemy",
    "flask_sqlalchemy": "sqlalchemy",
    "psycopg2": "psycopg2",
    "psycopg": "psycopg",
    "psycopg_pool": "psycopg",
    "asyncpg": "asyncpg",
    "pymysql": "mysql",
    "mysql.connector": "mysql",
    "aiomysql": "mysql",
    "redis": "redis",
    "aioredis": "redis",
    "pymongo": "mongo",
    "motor": "mongo",
}


def uses_datastore_library(ctx: FileContext) -> bool:
    """Whether the file imports any datastore client library."""
    return any(ctx.imports.imports(prefix) for prefix in _LIBRARY_PREFIXES)


_OTHER_LIBRARIES = frozenset(LIBRARIES) - {p.split(".")[0] for p in _LIBRARY_PREFIXES}
#: The kind of store each library talks to: "sql", "redis" or "mongo".
STORE_OF_LIBRARY: dict[str, str] = {
    "redis": "redis",
    "mongo": "mongo",
    **{lib: "sql" for lib in _words("sqlite3 aiosqlite sqlalchemy psycopg2 psycopg asyncpg mysql")},
}

#: Calls that build a client (a connection, pool, engine or client object).
CLIENT_CONSTRUCTORS: frozenset[str] = _words(
    """
    sqlite3.connect aiosqlite.connect
    sqlalchemy.create_engine sqlalchemy.engine.create_engine
    sqlalchemy.ext.asyncio.create_async_engine sqlmodel.create_engine flask_sqlalchemy.SQLAlchemy
    psycopg2.connect psycopg2.pool.SimpleConnectionPool psycopg2.pool.ThreadedConnectionPool
    psycopg.connect psycopg.Connection.connect psycopg.AsyncConnection.connect
    psycopg_pool.ConnectionPool psycopg_pool.AsyncConnectionPool
    asyncpg.connect asyncpg.create_pool
    pymysql.connect mysql.connector.connect aiomysql.connect aiomysql.create_pool
    redis.Redis redis.from_url redis.Redis.from_url redis.asyncio.Redis redis.asyncio.StrictRedis
    redis.asyncio.from_url redis.asyncio.Redis.from_url
    aioredis.Redis aioredis.from_url aioredis.create_redis_pool
    pymongo.MongoClient motor.motor_asyncio.AsyncIOMotorClient
    """
)
# Other imported callables whose result holds a client: session factories and pools.
_CLIENT_FACTORIES = _words(
    """
    sqlalchemy.orm.sessionmaker sqlalchemy.orm.scoped_session sqlalchemy.orm.Session
    sqlalchemy.ext.asyncio.async_sessionmaker sqlalchemy.ext.asyncio.AsyncSession
    sqlmodel.Session redis.ConnectionPool redis.asyncio.ConnectionPool
    """
)
_CLIENT_CALLS = CLIENT_CONSTRUCTORS | _CLIENT_FACTORIES
# Classes named in annotations (`db: Session`, `r: Redis`) whose instances are clients.
_CLIENT_CLASS_NAMES = _words(
    """
    Connection AsyncConnection Cursor AsyncCursor Engine AsyncEngine Session AsyncSession
    Pool ConnectionPool AsyncConnectionPool Redis StrictRedis Pipeline MongoClient Database
    Collection AsyncIOMotorClient AsyncIOMotorDatabase AsyncIOMotorCollection SQLAlchemy
    """
)
# Methods whose result is another client object of the same library.
_PRODUCING_METHODS = _words(
    """
    cursor connect acquire begin begin_nested getconn connection pipeline execution_options
    get_database get_collection get_default_database
    """
)
# Names generated code gives SQLAlchemy sessions and engines imported from its own modules:
# the factories are unmistakable, the short names only count in a file that uses SQLAlchemy.
_SESSION_FACTORY_SUFFIXES = ("sessionlocal", "session_maker", "sessionmaker", "session_factory")
_SESSION_NAMES = _words("db session db_session sess engine async_session")
_ORM_LIBRARIES = ("sqlalchemy", "sqlmodel", "flask_sqlalchemy")
_DSN_KEYWORDS = ("dsn", "url", "conninfo", "host", "database", "name_or_url", "connection_string")

# -- operations ----------------------------------------------------------------------------

_SQL_EXECUTE = _words("execute executemany exec_driver_sql executescript execute_insert")
_SQL_FETCHING_EXECUTE = _words("fetch fetchrow fetchval execute_fetchall")
_EXECUTES = _SQL_EXECUTE | _SQL_FETCHING_EXECUTE
_CURSOR_FETCH = _words("fetchone fetchall fetchmany")
_ORM_WRITES = {"add": "add", "add_all": "add", "delete": "delete", "merge": "merge"}
_ORM_STATEMENT_READS = _words("scalar scalars exec")
_ORM_OBJECT_TERMINALS = _words(
    "first one one_or_none scalar_one scalar_one_or_none scalar get get_or_404 first_or_404 "
    "one_or_404"
)
_ORM_QUERY_TERMINALS = _ORM_OBJECT_TERMINALS | _words("all scalars fetchall fetchone")
_REDIS_READS = _words(
    "get getex mget hget hgetall hmget hvals lrange lindex smembers sismember zscore zrange exists"
)
_REDIS_WRITES = _words(
    """
    set setex psetex setnx mset msetnx getset getdel append delete unlink expire incr incrby
    incrbyfloat decr decrby hset hsetnx hmset hdel hincrby hincrbyfloat lpush rpush lpop rpop
    lrem ltrim sadd srem zadd zincrby zrem xadd
    """
)
# Redis writes that do nothing when the key (or member) already exists.
_REDIS_FIRST_WRITER = _words("setnx hsetnx msetnx sadd")
_MONGO_READS = _words("find find_one count_documents aggregate distinct")
_MONGO_WRITES = _words(
    "insert_one insert_many update_one update_many replace_one delete_one delete_many "
    "find_one_and_update find_one_and_replace find_one_and_delete bulk_write"
)
_SQLALCHEMY_STATEMENTS = {
    "select": "SELECT",
    "insert": "INSERT",
    "update": "UPDATE",
    "delete": "DELETE",
}

# -- results ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DatastoreClient:
    """A client constructor call: `sqlite3.connect(...)`, `redis.Redis(...)`, `create_engine(…)`."""

    node: ast.Call
    api: str
    library: str
    env: str | None  # the env var its DSN comes from
    datastore: str | None  # the manifest datastore, by env var or DSN host
    dsn_literal: str | None
    host: str | None  # the host of a literal DSN, or a literal `host=`


@dataclass(frozen=True, slots=True, eq=False)
class DatastoreOp:
    """One read or write a function makes.

    `operation` is the SQL verb (SELECT, INSERT, UPDATE, DELETE, …) for SQL text and
    SQLAlchemy statements; "get" and "query" for ORM reads; "add", "delete", "merge",
    "setattr", "commit", "flush" for ORM and connection writes; the command name for
    redis and MongoDB.
    """

    node: ast.AST
    store: str  # sql | redis | mongo
    library: str
    operation: str
    is_write: bool
    receiver: ast.expr | None = None
    tables: tuple[str, ...] = ()
    statement: SqlStatement | None = None
    # ORM classes read or written (`session.get(Account, id)` → ("Account",)).
    models: tuple[str, ...] = ()
    # Columns a read returns (`*` for whole rows or mapped objects).
    columns: tuple[str, ...] = ()
    # Whether an ORM read returns mapped objects (not columns or scalars).
    returns_objects: bool = False
    # INSERT OR IGNORE / ON CONFLICT DO NOTHING / SET NX: a repeat changes nothing.
    conflict_ignored: bool = False
    # SQLAlchemy `update(Model).where(...).values(...)`: the statement expression.
    orm_statement: ast.Call | None = None
    # For a call to a local helper that reads or writes: the helper's name.
    helper: str | None = None


@dataclass(frozen=True, slots=True)
class EnvRead:
    """An env var read: `os.environ["X"]`, `os.getenv("X")`, or a pydantic-settings field."""

    node: ast.AST
    name: str
    via_settings: bool = False


# -- per-file model -----------------------------------------------------------------------------


class _FileStores:
    """Bindings and ORM classes of one file, built once and shared by the queries below."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.bindings: dict[tuple[object, str], tuple[ast.expr, ast.AST]] = {}
        self.module_functions = {n.name: n for n in ctx.tree.body if isinstance(n, FUNCTION_TYPES)}
        self.classes = {n.name: n for n in ctx.tree.body if isinstance(n, ast.ClassDef)}
        self.tablenames: dict[str, str] = {}
        self.model_classes: set[str] = set()
        self.ops: dict[FunctionNode, list[DatastoreOp]] = {}
        self.call_ops: dict[FunctionNode, list[DatastoreOp]] = {}
        self.orm_file = any(ctx.imports.imports(m) for m in _ORM_LIBRARIES)
        # The innermost function holding each node, and each function's own nodes in source
        # order (one pass; rules ask for them once per function, and per node very often).
        self.function_of: dict[ast.AST, FunctionNode | None] = {}
        self.own_nodes: dict[FunctionNode, list[ast.AST]] = {}
        parents = ctx.scopes.parent
        for node in ctx.scopes.order[1:]:
            up = parents[node]
            function = up if isinstance(up, FUNCTION_TYPES) else self.function_of.get(up)
            self.function_of[node] = function
            if function is not None:
                self.own_nodes.setdefault(function, []).append(node)
        for nodes in self.own_nodes.values():
            nodes.sort(key=_position)
        for node in ctx.nodes():
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    self._bind(target, node.value, node)
            elif isinstance(node, ast.With | ast.AsyncWith):
                for item in node.items:
                    if item.optional_vars is not None:
                        self._bind(item.optional_vars, item.context_expr, node)
            elif isinstance(node, ast.ClassDef):
                self._note_model(node)

    def _bind(self, target: ast.expr, value: ast.expr, at: ast.AST) -> None:
        key = self._key(target, at)
        if key is not None:
            self.bindings[key] = (value, at)

    def _key(self, target: ast.expr, at: ast.AST) -> tuple[object, str] | None:
        if isinstance(target, ast.Name):
            return (self.function_of.get(at) or "", target.id)
        if _is_self_attribute(target):
            return (self.ctx.scopes.cls(at), "self." + target.attr)  # type: ignore[attr-defined]
        return None

    def _note_model(self, node: ast.ClassDef) -> None:
        for statement in node.body:
            if (
                isinstance(statement, ast.Assign)
                and any(
                    isinstance(t, ast.Name) and t.id == "__tablename__" for t in statement.targets
                )
                and isinstance(statement.value, ast.Constant)
                and isinstance(statement.value.value, str)
            ):
                self.tablenames[node.name] = statement.value.value.lower()
                self.model_classes.add(node.name)
        for base in node.bases:
            # Flask-SQLAlchemy `class Product(db.Model)`; `class Hero(SQLModel, table=True)`
            table = any(k.arg == "table" for k in node.keywords)
            if (isinstance(base, ast.Attribute) and base.attr == "Model") or (
                self.ctx.qualname(base) == "sqlmodel.SQLModel" and table
            ):
                self.model_classes.add(node.name)

    def binding(self, expr: ast.expr, at: ast.AST) -> tuple[ast.expr, ast.AST] | None:
        if isinstance(expr, ast.Name):
            function = self.function_of.get(at)
            while function is not None:
                found = self.bindings.get((function, expr.id))
                if found is not None:
                    return found
                function = self.function_of.get(function)
            return self.bindings.get(("", expr.id))
        key = self._key(expr, at)
        return self.bindings.get(key) if key is not None else None

    def library(self, expr: ast.expr, at: ast.AST, depth: int = 0) -> str | None:
        if depth > 8:
            return None
        while isinstance(expr, ast.Await):
            expr = expr.value
        instance = self.ctx.instances.resolve(expr, at)
        if instance is not None and _is_client(instance.qualname):
            return library_of_qualname(instance.qualname)
        if instance is not None and _is_third_party(instance.qualname):
            # A known object of another library (an aiohttp session, a Kafka consumer) is not
            # a datastore, whatever it is called.
            return None
        if isinstance(expr, ast.Call):
            return self._call_library(expr, at, depth)
        if isinstance(expr, ast.Attribute | ast.Subscript):
            base = self.library(expr.value, at, depth + 1)
            if base == "mongo" or (
                base == "sqlalchemy" and isinstance(expr, ast.Attribute) and expr.attr == "session"
            ):
                return base
        bound = self.binding(expr, at) if isinstance(expr, ast.Name | ast.Attribute) else None
        if bound is not None and bound[0] is not expr:
            return self.library(bound[0], bound[1], depth + 1)
        if bound is None:
            return self._by_name(expr)
        return None

    def _call_library(self, call: ast.Call, at: ast.AST, depth: int) -> str | None:
        func = call.func
        if self.ctx.qualname(func) == "contextlib.closing" and call.args:
            return self.library(call.args[0], at, depth + 1)
        if isinstance(func, ast.Attribute) and func.attr in _PRODUCING_METHODS:
            return self.library(func.value, at, depth + 1)
        if isinstance(func, ast.Name) and func.id in self.module_functions:
            return self._factory_library(self.module_functions[func.id], depth)
        if isinstance(func, ast.Name) or _is_self_attribute(func):
            # Calling a session factory: `SessionLocal()`, `self.session_factory()`.
            return self.library(func, at, depth + 1)
        return None

    def _factory_library(self, function: FunctionNode, depth: int) -> str | None:
        """A local `get_conn()` / `get_db()` that returns (or yields) a client."""
        for node in ast.walk(function):
            value = node.value if isinstance(node, ast.Return | ast.Yield) else None
            if value is not None:
                found = self.library(value, node, depth + 1)
                if found is not None:
                    return found
        return None

    def _by_name(self, expr: ast.expr) -> str | None:
        """Clients imported from the project's own modules, known by their conventional names:
        `redis_client`, `SessionLocal`, and `db`/`session`/`engine` in a file using SQLAlchemy."""
        if isinstance(expr, ast.Name):
            name = expr.id
            imported = self.ctx.imports.names.get(name)
            if imported in self.ctx.imports.modules or _is_third_party(imported or ""):
                return None  # `import redis` (the module), `from flask import session`
        elif isinstance(expr, ast.Attribute):
            name = expr.attr
        else:
            return None
        lowered = name.lower()
        if "redis" in lowered:
            return "redis"
        if lowered.endswith(_SESSION_FACTORY_SUFFIXES) or (
            self.orm_file and (lowered in _SESSION_NAMES or lowered.endswith("_session"))
        ):
            return "sqlalchemy"
        return None

    def table_of_model(self, name: str) -> str:
        return self.tablenames.get(name, name.lower())


def _is_self_attribute(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in ("self", "cls")
    )


def _is_third_party(qualname: str) -> bool:
    """An object of a known non-datastore library (HTTP clients, brokers, retry libraries)."""
    return qualname.split(".", 1)[0] in _OTHER_LIBRARIES


def _is_client(qualname: str) -> bool:
    if library_of_qualname(qualname) is None:
        return False
    last = qualname.rsplit(".", 1)[-1]
    return qualname in _CLIENT_CALLS or last in _CLIENT_CLASS_NAMES


def library_of_qualname(qualname: str) -> str | None:
    """The datastore library an imported name belongs to (`redis.asyncio.Redis` → "redis")."""
    best = ""
    for prefix in _LIBRARY_PREFIXES:
        if (qualname == prefix or qualname.startswith(prefix + ".")) and len(prefix) > len(best):
            best = prefix
    return _LIBRARY_PREFIXES.get(best)


_FILES: weakref.WeakKeyDictionary[FileContext, _FileStores] = weakref.WeakKeyDictionary()


def _stores(ctx: FileContext) -> _FileStores:
    found = _FILES.get(ctx)
    if found is None:
        found = _FILES[ctx] = _FileStores(ctx)
    return found


# -- public queries ------------------------------------------------------------------------------


def store_library(ctx: FileContext, expr: ast.expr, at: ast.AST) -> str | None:
    """The datastore library the object `expr` belongs to at `at`, or None.

    Follows `conn = get_conn()`, `with engine.begin() as conn`, `cur = conn.cursor()`,
    `SessionLocal()`, `db.session` (Flask-SQLAlchemy), `client["db"]["coll"]`,
    `r.pipeline()`, annotated parameters and `self.x` attributes.
    """
    return _stores(ctx).library(expr, at)


def store_kind(ctx: FileContext, expr: ast.expr, at: ast.AST) -> str | None:
    """`"sql"`, `"redis"` or `"mongo"` for a datastore object, else None."""
    library = store_library(ctx, expr, at)
    return STORE_OF_LIBRARY.get(library) if library else None


def sql_statement(ctx: FileContext, expr: ast.expr, at: ast.AST) -> SqlStatement | None:
    """The SQL an expression holds: a literal, `text("...")`, an f-string, `+`, or a variable."""
    interpolations: list[ast.expr] = []
    text = _sql_text(ctx, expr, at, interpolations, 0)
    return parse_sql(text, tuple(interpolations)) if text else None


def _sql_text(
    ctx: FileContext, expr: ast.expr, at: ast.AST, interpolations: list[ast.expr], depth: int
) -> str | None:
    if depth > 4:
        return None
    if isinstance(expr, ast.Constant):
        return expr.value if isinstance(expr.value, str) else None
    if isinstance(expr, ast.JoinedStr):
        parts = []
        for value in expr.values:
            if isinstance(value, ast.FormattedValue):
                parts.append(f"\x00{len(interpolations)}\x00")
                interpolations.append(value.value)
            else:
                parts.append(str(getattr(value, "value", "")))
        return "".join(parts)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        left = _sql_text(ctx, expr.left, at, interpolations, depth + 1)
        if left is None:
            return None
        right = _sql_text(ctx, expr.right, at, interpolations, depth + 1)
        if right is None:
            right = f"\x00{len(interpolations)}\x00"
            interpolations.append(expr.right)
        return left + right
    if isinstance(expr, ast.Call) and expr.args:
        name = ctx.qualname(expr.func) or ""
        if name.endswith(".text") and name.startswith(("sqlalchemy", "sqlmodel")):
            return _sql_text(ctx, expr.args[0], at, interpolations, depth + 1)
        return None
    if isinstance(expr, ast.Name | ast.Attribute):
        value = ctx.values.assigned(expr, at)
        if value is not None:
            return _sql_text(ctx, value, at, interpolations, depth + 1)
    return None


def datastore_clients(ctx: FileContext) -> list[DatastoreClient]:
    """Every datastore client constructor call in the file, in source order."""
    found = []
    datastores = ctx.manifest.datastores if ctx.manifest is not None else {}
    for node in ctx.nodes():
        if not isinstance(node, ast.Call):
            continue
        api = ctx.qualname(node.func)
        if api not in CLIENT_CONSTRUCTORS:
            continue
        env, literal, host = _connection_target(ctx, node)
        datastore = ctx.system.datastore_envs.get(env) if env else None
        if datastore is None and host in datastores:
            datastore = host
        library = library_of_qualname(api) or "sql"
        found.append(DatastoreClient(node, api, library, env, datastore, literal, host))
    found.sort(key=lambda c: _position(c.node))
    return found


def _connection_target(
    ctx: FileContext, call: ast.Call
) -> tuple[str | None, str | None, str | None]:
    """The env var, literal DSN and host a constructor connects with (each when known)."""
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    candidates = [*call.args[:1], *(keywords[k] for k in _DSN_KEYWORDS if k in keywords)]
    env = literal = host = None
    for arg in candidates:
        env = env or ctx.values.env_var(arg, call)
        text = ctx.values.literal(arg, call)
        if text is None or literal is not None:
            continue
        literal = text
        if "://" in text:
            try:
                host = urlsplit(text).hostname
            except ValueError:
                host = None
        elif arg is keywords.get("host"):
            host = text
    return env, literal, host


def datastore_ops(ctx: FileContext, function: FunctionNode) -> list[DatastoreOp]:
    """The reads and writes `function` makes, in order: its own (not its nested functions'),
    and one level of local helpers: a call to a function or method of this module that
    writes counts as its first write, one that returns what it read counts as that read
    (`op.helper` names the helper; `op.node` is the call)."""
    stores = _stores(ctx)
    cached = stores.ops.get(function)
    if cached is not None:
        return cached
    calls = _call_ops(ctx, function)
    helpers = _helper_ops(ctx, function)
    reads = [op for op in calls + helpers if not op.is_write]
    setattrs = [
        op
        for node in own_nodes(ctx, function)
        if isinstance(node, ast.Assign | ast.AugAssign)
        for op in _attribute_writes(stores, function, node, reads)
    ]
    ops = sorted(calls + helpers + setattrs, key=lambda op: _position(op.node))
    stores.ops[function] = ops
    return ops


def own_nodes(ctx: FileContext, function: FunctionNode) -> list[ast.AST]:
    """The nodes of `function` itself (not of functions nested in it), in source order."""
    return _stores(ctx).own_nodes.get(function, [])


def _call_ops(ctx: FileContext, function: FunctionNode) -> list[DatastoreOp]:
    """The calls of `function` itself that read or write a datastore."""
    stores = _stores(ctx)
    cached = stores.call_ops.get(function)
    if cached is None:
        cursors: dict[str, SqlStatement] = {}
        cached = [
            op
            for node in own_nodes(ctx, function)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            for op in [_call_op(ctx, stores, node, cursors)]
            if op is not None
        ]
        stores.call_ops[function] = cached
    return cached


def _helper_ops(ctx: FileContext, function: FunctionNode) -> list[DatastoreOp]:
    found = []
    for node in own_nodes(ctx, function):
        if not isinstance(node, ast.Call):
            continue
        callee = local_callee(ctx, node)
        if callee is None or callee is function:
            continue
        inner = _call_ops(ctx, callee)
        write = next((op for op in inner if op.is_write), None)
        if write is not None:
            found.append(replace(write, node=node, helper=callee.name))
        read = _returned_read(ctx, callee, [op for op in inner if not op.is_write])
        if read is not None:
            found.append(replace(read, node=node, helper=callee.name))
    return found


def _returned_read(
    ctx: FileContext, function: FunctionNode, reads: list[DatastoreOp]
) -> DatastoreOp | None:
    """The read whose result `function` returns: `return db.get(X, id)`, `return row[0]`
    after `row = cur.fetchone()`. A mapped object counts only when one object is returned."""
    stores = _stores(ctx)
    for node in own_nodes(ctx, function):
        if not isinstance(node, ast.Return) or node.value is None:
            continue
        value = _unawaited(node.value)
        source = value
        if isinstance(value, ast.Name | ast.Subscript | ast.Attribute):
            base = value
            while isinstance(base, ast.Subscript | ast.Attribute):
                base = base.value
            bound = stores.bindings.get((function, base.id)) if isinstance(base, ast.Name) else None
            source = bound[0] if bound is not None else value
        read = next((op for op in reads if _within(op.node, source)), None)
        if read is None:
            continue
        single = isinstance(value, ast.Name) and (
            _orm_source(stores, function, value.id, reads) is not None
        )
        single = single or (
            isinstance(value, ast.Call)
            and (value is read.node or getattr(value.func, "attr", "") in _ORM_OBJECT_TERMINALS)
        )
        return replace(read, returns_objects=read.returns_objects and single)
    return None


def datastore_writes(ctx: FileContext, function: FunctionNode) -> list[DatastoreOp]:
    """The writes `function` makes: SQL INSERT/UPDATE/DELETE, ORM add/delete/merge, commits
    and attribute writes on mapped objects, redis writes, MongoDB writes."""
    return [op for op in datastore_ops(ctx, function) if op.is_write]


def datastore_reads(ctx: FileContext, function: FunctionNode) -> list[DatastoreOp]:
    """The reads `function` makes: SQL SELECT (and cursor fetches), ORM gets and queries,
    redis GET-like commands, MongoDB finds."""
    return [op for op in datastore_ops(ctx, function) if not op.is_write]


def _position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def _call_op(
    ctx: FileContext, stores: _FileStores, call: ast.Call, cursors: dict[str, SqlStatement]
) -> DatastoreOp | None:
    func = call.func
    assert isinstance(func, ast.Attribute)
    method, receiver = func.attr, func.value
    library = stores.library(receiver, call)
    store = STORE_OF_LIBRARY.get(library) if library else None
    if method in _EXECUTES and store in (None, "sql") and call.args:
        op = _execute_op(ctx, stores, call, library)
        if op is not None and op.statement is not None:
            cursors[ast.unparse(receiver)] = op.statement
            _remember_cursor(ctx, call, op.statement, cursors)
        return op
    if method in _CURSOR_FETCH:
        statement = cursors.get(ast.unparse(receiver))
        if statement is None or statement.verb != "SELECT":
            return None
        return _sql_op(call, library, statement)
    if store == "sql":
        return _orm_op(ctx, stores, call, method, receiver, library or "sql")
    if store == "redis":
        return _redis_op(call, method, receiver)
    if store == "mongo":
        return _mongo_op(call, method, receiver)
    return _model_query_op(ctx, stores, call)


def _sql_op(call: ast.Call, library: str | None, statement: SqlStatement) -> DatastoreOp:
    return DatastoreOp(
        call,
        "sql",
        library or "sql",
        statement.verb,
        statement.is_write,
        call.func.value,  # type: ignore[attr-defined]
        statement.tables,
        statement,
        columns=statement.columns,
        conflict_ignored=statement.conflict_ignored,
    )


def _remember_cursor(
    ctx: FileContext, call: ast.Call, statement: SqlStatement, cursors: dict[str, SqlStatement]
) -> None:
    """`cur = conn.execute(SELECT)` / `async with db.execute(SELECT) as cur`: `cur` fetches it."""
    parent = ctx.scopes.parent.get(call)
    if isinstance(parent, ast.Await):
        parent = ctx.scopes.parent.get(parent)
    if isinstance(parent, ast.Assign):
        for target in parent.targets:
            cursors[ast.unparse(target)] = statement
    elif isinstance(parent, ast.withitem) and parent.optional_vars is not None:
        cursors[ast.unparse(parent.optional_vars)] = statement


def _execute_op(
    ctx: FileContext, stores: _FileStores, call: ast.Call, library: str | None
) -> DatastoreOp | None:
    statement = sql_statement(ctx, call.args[0], call)
    if statement is not None:
        return _sql_op(call, library, statement)
    if library is not None:
        return _orm_statement_op(ctx, stores, call, library)
    return None


def _orm_statement_op(
    ctx: FileContext, stores: _FileStores, call: ast.Call, library: str
) -> DatastoreOp | None:
    """`session.execute(select(Account)...)`, `conn.execute(update(Account)...values(...))`."""
    root = _statement_root(ctx, call.args[0], call)
    if root is None:
        return None
    kind, ctor = root
    verb = _SQLALCHEMY_STATEMENTS[kind]
    return _orm_read_or_write(
        stores,
        call,
        library,
        verb,
        ctor,
        orm_statement=_outer_statement(ctx, call.args[0], call),
    )


def _orm_read_or_write(
    stores: _FileStores,
    call: ast.Call,
    library: str,
    verb: str,
    ctor: ast.Call,
    orm_statement: ast.Call | None = None,
) -> DatastoreOp:
    """An op for a SQLAlchemy `select(...)`/`update(...)` statement built by `ctor`."""
    models = _models_in(ctor.args)
    entities = verb == "SELECT" and _selects_entities(ctor)
    return DatastoreOp(
        call,
        "sql",
        library,
        verb,
        verb != "SELECT",
        call.func.value,  # type: ignore[attr-defined]
        tuple(stores.table_of_model(m) for m in models),
        models=models,
        columns=(ALL_COLUMNS,) if entities else _column_names(ctor.args),
        returns_objects=entities,
        orm_statement=orm_statement,
    )


def _statement_root(ctx: FileContext, expr: ast.expr, at: ast.AST) -> tuple[str, ast.Call] | None:
    """For `select(X).where(...)...`: ("select", the `select(X)` call)."""
    for _ in range(8):
        if isinstance(expr, ast.Name):
            value = ctx.values.assigned(expr, at)
            if value is None:
                return None
            expr = value
            continue
        if not isinstance(expr, ast.Call):
            return None
        module, _, function = (ctx.qualname(expr.func) or "").rpartition(".")
        if function in _SQLALCHEMY_STATEMENTS and module.startswith(("sqlalchemy", "sqlmodel")):
            return function, expr
        if not isinstance(expr.func, ast.Attribute):
            return None
        expr = expr.func.value
    return None


def _outer_statement(ctx: FileContext, expr: ast.expr, at: ast.AST) -> ast.Call | None:
    if isinstance(expr, ast.Name):
        value = ctx.values.assigned(expr, at)
        expr = value if value is not None else expr
    return expr if isinstance(expr, ast.Call) else None


def _selects_entities(ctor: ast.Call) -> bool:
    """`select(Account)`, `query(models.Item)`: whole mapped objects, not columns."""
    return bool(ctor.args) and all(_is_model_name((_dotted(a) or [""])[-1]) for a in ctor.args)


def _dotted(node: ast.expr) -> list[str]:
    """`models.Item.price` → ["models", "Item", "price"] (empty for anything else)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return []
    return [node.id, *reversed(parts)]


def _is_model_name(name: str) -> bool:
    """`Account`, `OrderLine`: a class name, not a constant such as `ORDER_ID`."""
    return name[:1].isupper() and not name.isupper()


def _models_in(args: list[ast.expr]) -> tuple[str, ...]:
    """Model class names in `Account`, `Account.balance`, `models.Item` arguments."""
    models = []
    for arg in args:
        classes = [p for p in _dotted(arg) if _is_model_name(p)]
        if classes:
            models.append(classes[-1])
    return tuple(dict.fromkeys(models))


def _column_names(args: list[ast.expr]) -> tuple[str, ...]:
    """`Account.balance` → "balance"."""
    columns = []
    for arg in args:
        parts = _dotted(arg)
        if len(parts) >= 2 and _is_model_name(parts[-2]) and not _is_model_name(parts[-1]):
            columns.append(parts[-1].lower())
    return tuple(columns)


def _orm_op(
    ctx: FileContext,
    stores: _FileStores,
    call: ast.Call,
    method: str,
    receiver: ast.expr,
    library: str,
) -> DatastoreOp | None:
    if method in ("commit", "flush"):
        return DatastoreOp(call, "sql", library, method, True, receiver)
    if method in _ORM_WRITES and call.args:
        models = _constructed_models(call.args)
        tables = tuple(stores.table_of_model(m) for m in models)
        return DatastoreOp(
            call, "sql", library, _ORM_WRITES[method], True, receiver, tables, models=models
        )
    if method in ("get", "get_or_404", "first_or_404", "one_or_404") and len(call.args) >= 2:
        models = _models_in(call.args[:1])
        if models:
            return DatastoreOp(
                call,
                "sql",
                library,
                "get",
                False,
                receiver,
                (stores.table_of_model(models[0]),),
                models=models,
                columns=(ALL_COLUMNS,),
                returns_objects=True,
            )
    if method in _ORM_STATEMENT_READS and call.args:
        root = _statement_root(ctx, call.args[0], call)
        if root is not None:
            return _orm_read_or_write(stores, call, library, "SELECT", root[1])
    if method == "query" and call.args:
        return _orm_read_or_write(stores, call, library, "SELECT", call)
    return None


def _constructed_models(args: list[ast.expr]) -> tuple[str, ...]:
    names = []
    for arg in args:
        items = arg.elts if isinstance(arg, ast.List | ast.Tuple) else [arg]
        for item in items:
            if isinstance(item, ast.Call) and isinstance(item.func, ast.Name):
                names.append(item.func.id)
    return tuple(names)


def _model_query_op(ctx: FileContext, stores: _FileStores, call: ast.Call) -> DatastoreOp | None:
    """Flask-SQLAlchemy `Product.query.get_or_404(id)` / `.filter_by(...).update({...})`."""
    func = call.func
    assert isinstance(func, ast.Attribute)
    chain = func.value
    while isinstance(chain, ast.Call) and isinstance(chain.func, ast.Attribute):
        chain = chain.func.value
    if not (
        isinstance(chain, ast.Attribute)
        and chain.attr == "query"
        and isinstance(chain.value, ast.Name)
        and (chain.value.id in stores.model_classes or chain.value.id in ctx.imports.names)
    ):
        return None
    model = chain.value.id
    tables = (stores.table_of_model(model),)
    if func.attr in ("update", "delete"):
        return DatastoreOp(
            call, "sql", "sqlalchemy", func.attr.upper(), True, None, tables, models=(model,)
        )
    if func.attr in _ORM_QUERY_TERMINALS:
        return DatastoreOp(
            call,
            "sql",
            "sqlalchemy",
            "query",
            False,
            None,
            tables,
            models=(model,),
            columns=(ALL_COLUMNS,),
            returns_objects=True,
        )
    return None


def _redis_op(call: ast.Call, method: str, receiver: ast.expr) -> DatastoreOp | None:
    if method in _REDIS_READS:
        return DatastoreOp(call, "redis", "redis", method, False, receiver)
    if method in _REDIS_WRITES:
        nx = any(k.arg == "nx" and _truthy(k.value) for k in call.keywords)
        first_writer = nx or method in _REDIS_FIRST_WRITER
        return DatastoreOp(
            call, "redis", "redis", method, True, receiver, conflict_ignored=first_writer
        )
    return None


def _mongo_op(call: ast.Call, method: str, receiver: ast.expr) -> DatastoreOp | None:
    if method in _MONGO_READS | _MONGO_WRITES:
        return DatastoreOp(call, "mongo", "mongo", method, method in _MONGO_WRITES, receiver)
    return None


def _attribute_writes(
    stores: _FileStores,
    function: FunctionNode,
    node: ast.Assign | ast.AugAssign,
    reads: list[DatastoreOp],
) -> Iterator[DatastoreOp]:
    """`account.balance -= 5` where `account` came from an ORM read in the same function."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)):
            continue
        source = _orm_source(stores, function, target.value.id, reads)
        if source is not None:
            yield DatastoreOp(
                node,
                "sql",
                source.library,
                "setattr",
                True,
                target.value,
                source.tables,
                models=source.models,
                columns=(target.attr.lower(),),
            )


def orm_object_source(ctx: FileContext, name: ast.Name, at: ast.AST) -> DatastoreOp | None:
    """The ORM read a local variable holds a mapped object from, if any.

    `account = db.get(Account, id)`, `product = db.query(Product)...first()`,
    `wallet = await session.scalar(select(Wallet)...)`, `Product.query.get_or_404(id)`.
    """
    function = _stores(ctx).function_of.get(at)
    if function is None:
        return None
    return _orm_source(_stores(ctx), function, name.id, datastore_reads(ctx, function))


def _orm_source(
    stores: _FileStores, function: FunctionNode, name: str, reads: list[DatastoreOp]
) -> DatastoreOp | None:
    """The read behind `name = <read>...terminal()`, also through an intermediate result:
    `result = await session.execute(select(X))` then `x = result.scalar_one()`."""
    bound = stores.bindings.get((function, name))
    value = _unawaited(bound[0]) if bound is not None else None
    if not isinstance(value, ast.Call):
        return None
    direct = value
    terminal = getattr(value.func, "attr", None)
    for _ in range(3):
        for op in reads:
            if (
                op.returns_objects
                and op.models
                and _within(op.node, value)
                and (op.node is direct or terminal in _ORM_OBJECT_TERMINALS)
            ):
                return op
        base = value
        while isinstance(base, ast.Call | ast.Attribute):
            base = base.func if isinstance(base, ast.Call) else base.value
        bound = stores.bindings.get((function, base.id)) if isinstance(base, ast.Name) else None
        if bound is None:
            return None
        value = _unawaited(bound[0])
    return None


def _unawaited(node: ast.expr) -> ast.expr:
    while isinstance(node, ast.Await):
        node = node.value
    return node


def _within(inner: ast.AST, outer: ast.AST) -> bool:
    return any(node is inner for node in ast.walk(outer))


def _truthy(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and bool(node.value)


def local_callee(ctx: FileContext, call: ast.Call) -> FunctionNode | None:
    """The function of this module a call runs: `helper(...)`, `self.method(...)`, or
    `obj.method(...)` where `obj` is an instance of a class defined here."""
    func = call.func
    if isinstance(func, ast.Name):
        return _stores(ctx).module_functions.get(func.id)
    if not isinstance(func, ast.Attribute):
        return None
    if isinstance(func.value, ast.Name) and func.value.id in ("self", "cls"):
        owner = ctx.scopes.cls(call)
    else:
        instance = ctx.instances.resolve(func.value, call)
        name = instance.qualname.removeprefix("local.") if instance is not None else None
        owner = _stores(ctx).classes.get(name) if name else None
    if owner is None:
        return None
    return next(
        (n for n in owner.body if isinstance(n, FUNCTION_TYPES) and n.name == func.attr), None
    )


# -- env var reads ------------------------------------------------------------------------------


def env_var_reads(ctx: FileContext) -> list[EnvRead]:
    """Every env var read in the file, in source order: `os.environ[...]`, `os.getenv(...)`,
    `os.environ.get(...)`, and fields of pydantic-settings classes (`payments_url: str`
    reads PAYMENTS_URL; `Field(alias="X")` and `env_prefix` are honoured)."""
    reads = [EnvRead(node, name) for node, name in ctx.values.env_reads(ctx.tree)]
    for cls in _settings_classes(ctx):
        prefix = _env_prefix(cls)
        for statement in cls.body:
            if not (
                isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
            ):
                continue
            field_name = statement.target.id
            if field_name == "model_config" or _is_classvar(statement.annotation):
                continue
            alias = _field_alias(statement.value)
            name = alias if alias is not None else prefix + field_name
            reads.append(EnvRead(statement, name.upper(), via_settings=True))
    reads.sort(key=lambda r: _position(r.node))
    return reads


def _settings_classes(ctx: FileContext) -> list[ast.ClassDef]:
    """Subclasses of pydantic's `BaseSettings` (directly or through a local class)."""
    classes = [n for n in ctx.nodes() if isinstance(n, ast.ClassDef)]
    names: set[str] = set()
    changed = True
    while changed:
        changed = False
        for cls in classes:
            if cls.name not in names and any(
                (ctx.qualname(b) or "").endswith("BaseSettings")
                or (isinstance(b, ast.Name) and b.id in names)
                for b in cls.bases
            ):
                names.add(cls.name)
                changed = True
    return [cls for cls in classes if cls.name in names]


def _env_prefix(cls: ast.ClassDef) -> str:
    """`SettingsConfigDict(env_prefix="APP_")`, or `env_prefix = ...` in `class Config`."""
    for node in ast.walk(cls):
        if isinstance(node, ast.keyword) and node.arg == "env_prefix":
            value: ast.expr | None = node.value
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "env_prefix" for t in node.targets
        ):
            value = node.value
        else:
            continue
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return value.value
    return ""


def _field_alias(value: ast.expr | None) -> str | None:
    if not isinstance(value, ast.Call):
        return None
    for keyword in value.keywords:
        if keyword.arg in ("alias", "validation_alias", "env") and isinstance(
            keyword.value, ast.Constant
        ):
            return str(keyword.value.value)
    return None


def _is_classvar(annotation: ast.expr) -> bool:
    node = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return name == "ClassVar"


__all__ = [
    "ALL_COLUMNS",
    "CLIENT_CONSTRUCTORS",
    "STORE_OF_LIBRARY",
    "Assignment",
    "DatastoreClient",
    "DatastoreOp",
    "EnvRead",
    "Placeholder",
    "SqlStatement",
    "datastore_clients",
    "datastore_ops",
    "datastore_reads",
    "datastore_writes",
    "env_var_reads",
    "library_of_qualname",
    "local_callee",
    "orm_object_source",
    "own_nodes",
    "parse_sql",
    "sql_statement",
    "store_kind",
    "store_library",
]
