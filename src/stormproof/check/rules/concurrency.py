"""Rules of the `concurrency` category: read-modify-write races on shared data.

Two replicas (or two requests in one replica) that read a value, compute a new one
in Python and write it back interleave: both read 100, both write 100 - 30, one
debit is lost. The fix is to let the store do the arithmetic, lock the row, or make
the write conditional on what was read and check that it applied.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from stormproof.check.analysis.datastores import (
    DatastoreOp,
    datastore_ops,
    orm_object_source,
    own_nodes,
    store_kind,
)
from stormproof.check.analysis.scopes import FunctionNode
from stormproof.check.analysis.sql import ALL_COLUMNS, Placeholder, SqlStatement
from stormproof.check.context import FileContext, ProjectContext
from stormproof.check.finding import Finding
from stormproof.check.rule import Rule

# SQL that serialises the transaction or locks what it reads.
_LOCKING_SQL = (
    "FOR UPDATE",
    "FOR NO KEY UPDATE",
    "BEGIN IMMEDIATE",
    "BEGIN EXCLUSIVE",
    "SERIALIZABLE",
    "LOCK TABLE",
    "PG_ADVISORY_XACT_LOCK",
    "PG_ADVISORY_LOCK",
    "GET_LOCK(",
)
_ISOLATION = re.compile(r"SERIALIZABLE|REPEATABLE|IMMEDIATE|EXCLUSIVE", re.IGNORECASE)
_UNKNOWN_TABLE = "?"
_STRING_TIDYING = frozenset({"strip", "lstrip", "rstrip", "lower", "upper", "title", "casefold"})


# -- shared: which names hold values read from the store ----------------------------------------


class _Taint:
    """Local names whose values are computed from the reads of one function.

    Each read is labelled (SP701: `table.column`, `accounts.*` for a whole row or mapped
    object, `?` for a table the SQL text does not name; SP702: the read itself). A value
    only passed through as a fallback (`body.name or row.name`, `a if ok else row.a`) is
    not computed from the read: writing it back is a blind write, not a read-modify-write.
    """

    def __init__(
        self,
        ctx: FileContext,
        function: FunctionNode,
        reads: list[DatastoreOp],
        labels: Callable[[DatastoreOp], set[str]],
        *,
        orm_columns: bool = False,
    ) -> None:
        self._ctx = ctx
        # With orm_columns, `account.balance` on a mapped object read here is the read of
        # that column (`accounts.balance`), not of the whole row.
        self._orm_columns = orm_columns
        self.reads = reads
        self._reads = {id(op.node): labels(op) for op in reads}
        self.names: dict[str, set[str]] = {}
        flows = list(_assignments(ctx, function))
        changed = True
        while changed:
            changed = False
            for targets, value in flows:
                sources = self.sources(value)
                for name in targets:
                    known = self.names.setdefault(name, set())
                    if sources and not sources <= known:
                        known |= sources
                        changed = True

    def sources(self, expr: ast.AST | None) -> set[str]:
        """The labels of the reads `expr` is computed from."""
        found: set[str] = set()
        # (node, whether it is the value itself rather than an operand of a computation)
        pending: list[tuple[ast.AST, bool]] = [(expr, True)] if expr is not None else []
        while pending:
            node, whole = pending.pop()
            label = self._reads.get(id(node))
            if label is not None:
                found |= label
            elif isinstance(node, ast.Name):
                found |= self.names.get(node.id, set())
            elif (column := self._orm_column(node)) is not None:
                found |= column
            elif whole and isinstance(node, ast.BoolOp):
                pending.extend((v, True) for v in node.values if not _passed_through(v))
            elif whole and isinstance(node, ast.IfExp):
                branches = (node.body, node.orelse)
                pending.extend((v, True) for v in branches if not _passed_through(v))
            elif whole and _normalised(node):
                pending.append((node.func.value, True))  # type: ignore[attr-defined]
            else:
                pending.extend((child, False) for child in ast.iter_child_nodes(node))
        return found

    def _orm_column(self, node: ast.AST) -> set[str] | None:
        if not (
            self._orm_columns
            and isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
        ):
            return None
        source = orm_object_source(self._ctx, node.value, node)
        if source is None:
            return None
        return {f"{table}.{node.attr.lower()}" for table in source.tables or (_UNKNOWN_TABLE,)}


def _normalised(node: ast.AST) -> bool:
    """`value.strip()`, `value.lower()`: the same value, tidied."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _STRING_TIDYING
        and not node.args
    )


def _passed_through(node: ast.expr) -> bool:
    """A value used as it is: a name, an attribute or item of one, a constant."""
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Await):
        node = node.value
    return isinstance(node, ast.Name | ast.Constant)


def _read_sources(op: DatastoreOp) -> set[str]:
    tables = op.tables or (_UNKNOWN_TABLE,)
    columns = op.columns or (ALL_COLUMNS,)
    return {f"{table}.{column}" for table in tables for column in columns}


def _overwrites(sources: set[str], tables: Iterable[str], column: str) -> bool:
    """Whether a value computed from `sources` written to `column` of `tables` overwrites
    what was read: same table (singular/plural alike), same column or the whole row."""
    written = {_singular(t) for t in tables}
    for source in sources:
        table, _, read_column = source.rpartition(".")
        if _singular(table) in written and read_column in (column.lower(), ALL_COLUMNS):
            return True
    return False


def _assignments(ctx: FileContext, function: FunctionNode) -> Iterator[tuple[list[str], ast.expr]]:
    """(target names, value) for each assignment, augmented assignment and loop of `function`."""
    for node in own_nodes(ctx, function):
        if isinstance(node, ast.Assign):
            yield [n for t in node.targets for n in _names(t)], node.value
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and node.value is not None:
            yield _names(node.target), node.value
        elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
            yield _names(node.target), node.iter
        elif isinstance(node, ast.NamedExpr):
            yield _names(node.target), node.value


def _names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        return [n for elt in target.elts for n in _names(elt)]
    if isinstance(target, ast.Starred):
        return _names(target.value)
    return []


def _inside_lock(ctx: FileContext, first: ast.AST, second: ast.AST) -> bool:
    """Whether one `with <lock>:` block holds both nodes."""
    holders = {
        id(a) for a in ctx.scopes.ancestors(first) if isinstance(a, ast.With | ast.AsyncWith)
    }
    for ancestor in ctx.scopes.ancestors(second):
        if (
            isinstance(ancestor, ast.With | ast.AsyncWith)
            and id(ancestor) in holders
            and any(_is_lock(item.context_expr) for item in ancestor.items)
        ):
            return True
    return False


def _is_lock(expr: ast.expr) -> bool:
    if isinstance(expr, ast.Await):
        expr = expr.value
    if isinstance(expr, ast.Call):
        expr = expr.func
    name = expr.attr if isinstance(expr, ast.Attribute) else getattr(expr, "id", "")
    return "lock" in name.lower()


def _singular(table: str) -> str:
    table = table.lower()
    return table[:-1] if table.endswith("s") else table


# -- SP701 -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Race:
    node: ast.AST
    message: str
    models: tuple[str, ...]


class UnlockedReadModifyWrite(Rule):
    id = "SP701"
    name = "unlocked-read-modify-write"
    category = "concurrency"
    severity = "error"
    summary = (
        "A value read from a SQL database is changed in Python and written back without a "
        "lock, a version check or an atomic update."
    )
    why = (
        "Between the SELECT and the UPDATE another request (another worker, another replica) "
        "can read the same old value. Both compute from it and both write: the second write "
        "silently overwrites the first. A balance loses a debit, a stock count sells the last "
        "item twice, a counter misses increments. It never shows up in a single-user test and "
        "always shows up under load or when a client retries."
    )
    bad = """\
row = conn.execute("SELECT balance FROM accounts WHERE id = ?", (account_id,)).fetchone()
new_balance = row[0] - amount
conn.execute("UPDATE accounts SET balance = ? WHERE id = ?", (new_balance, account_id))
conn.commit()
"""
    good = """\
cur = conn.execute(
    "UPDATE accounts SET balance = balance - ? WHERE id = ? AND balance >= ?",
    (amount, account_id, amount),
)
if cur.rowcount == 0:
    raise InsufficientFunds(account_id)
conn.commit()
"""
    defaults = (
        "Databases run at READ COMMITTED by default (Postgres, MySQL's InnoDB reads, SQL "
        "Server) and SQLite's default deferred transactions take no lock until the first "
        "write, so a plain SELECT-then-UPDATE is not isolated. SQLAlchemy's ORM writes back "
        "whatever is on the object unless the mapping has a `version_id_col`."
    )
    fix = (
        "let the database compute it (`SET x = x - ?`), lock the row (`SELECT … FOR UPDATE` / "
        "`with_for_update()`), or add a version check (`WHERE version = ?`) and check rowcount"
    )

    def collect(self, ctx: FileContext) -> dict[str, list] | None:
        versioned = sorted(_versioned_models(ctx))
        races = [
            {
                "finding": ctx.finding(self, race.node, race.message).to_json(),
                "models": list(race.models),
            }
            for function in ctx.functions
            for race in _sql_races(ctx, function)
        ]
        if not versioned and not races:
            return None
        return {"races": races, "versioned": versioned}

    def check_project(self, project: ProjectContext) -> Iterator[Finding]:
        facts = project.facts_for(self)
        versioned = {name for fact in facts for name in fact.data["versioned"]}
        for fact in facts:
            for race in fact.data["races"]:
                if not versioned.intersection(race["models"]):
                    yield Finding.from_json(race["finding"])


def _versioned_models(ctx: FileContext) -> set[str]:
    """ORM classes mapped with `__mapper_args__ = {"version_id_col": ...}`."""
    found = set()
    for node in ctx.nodes(ast.ClassDef):
        assert isinstance(node, ast.ClassDef)
        for statement in node.body:
            if (
                isinstance(statement, ast.Assign)
                and any(
                    isinstance(t, ast.Name) and t.id == "__mapper_args__" for t in statement.targets
                )
                and "version_id_col" in ast.unparse(statement.value)
            ):
                found.add(node.name)
    return found


def _sql_races(ctx: FileContext, function: FunctionNode) -> Iterator[_Race]:
    ops = datastore_ops(ctx, function)
    reads = [op for op in ops if op.store == "sql" and not op.is_write]
    if not reads or _serialised(ctx, function, ops):
        return
    taint = _Taint(ctx, function, reads, _read_sources, orm_columns=True)
    for op in ops:
        if op.store != "sql" or not op.is_write or op.helper is not None:
            continue  # a helper's UPDATE binds the helper's parameters, not our values
        race = _racing_write(ctx, function, op, taint, ops)
        if race is not None:
            if not any(_inside_lock(ctx, read.node, op.node) for read in reads):
                yield race
            return  # one finding per function: the first write that loses updates


def _serialised(ctx: FileContext, function: FunctionNode, ops: list[DatastoreOp]) -> bool:
    """Row locks, serialisable isolation or an exclusive transaction anywhere in the function."""
    if any(op.statement is not None and op.statement.mentions(*_LOCKING_SQL) for op in ops):
        return True
    if any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "with_for_update"
        for node in ctx.walk(function)
    ):
        return True
    return _file_isolation(ctx)


def _file_isolation(ctx: FileContext) -> bool:
    """`isolation_level="SERIALIZABLE"` (or IMMEDIATE/EXCLUSIVE for sqlite3) set in this file."""
    return any(
        isinstance(node, ast.keyword)
        and node.arg == "isolation_level"
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        and _ISOLATION.search(node.value.value) is not None
        for node in ctx.nodes(ast.keyword)
    )


def _racing_write(
    ctx: FileContext, function: FunctionNode, op: DatastoreOp, taint: _Taint, ops: list[DatastoreOp]
) -> _Race | None:
    if op.operation == "setattr":
        return _attribute_race(ctx, function, op, taint, ops)
    if op.operation == "UPDATE" and op.statement is not None:
        return _sql_update_race(ctx, function, op, op.statement, taint)
    if op.operation == "UPDATE" and op.orm_statement is not None:
        return _orm_update_race(ctx, function, op, op.orm_statement, taint)
    return None


def _sql_update_race(
    ctx: FileContext,
    function: FunctionNode,
    op: DatastoreOp,
    statement: SqlStatement,
    taint: _Taint,
) -> _Race | None:
    assert isinstance(op.node, ast.Call)
    computed = []
    for assignment in statement.assignments:
        if assignment.atomic:
            continue
        slots = [p for p in statement.placeholders if assignment.start <= p.start < assignment.end]
        sources = set().union(*(taint.sources(_bound(ctx, op.node, statement, p)) for p in slots))
        if _overwrites(sources, statement.tables, assignment.column):
            computed.append(assignment.column)
    if not computed:
        return None
    where = statement.where
    if _guards_on(where, computed) and (
        statement.returning or _result_checked(ctx, function, op.node)
    ):
        return None
    check = (
        "the UPDATE's WHERE guard is never checked (rowcount)"
        if _guards_on(where, computed)
        else "nothing locks the row in between"
    )
    return _Race(
        op.node,
        f"{function.name}() reads {statement.tables[0]}.{computed[0]}{_read_at(taint, op)} and "
        f"writes back a value computed from it; {check}, so concurrent requests overwrite "
        "each other's updates (lost update)",
        (),
    )


def _guards_on(where: str, columns: list[str]) -> bool:
    """A compare-and-set WHERE: it tests a written column or a version column."""
    words = {w.lower() for w in re.findall(r"[A-Za-z_]\w*", where)}
    return any(c in words for c in columns) or any("version" in w for w in words)


def _bound(
    ctx: FileContext, call: ast.Call, statement: SqlStatement, slot: Placeholder
) -> ast.expr | None:
    """The argument a placeholder of `statement`, executed by `call`, is bound to."""
    kind, key = slot.key
    if kind == "expr":
        return statement.interpolations[int(key)]
    if kind == "num":  # asyncpg: execute(sql, $1, $2, ...)
        index = int(key)
        if len(call.args) > index and not _is_sequence(call.args[1]):
            return call.args[index]
        kind, key = "pos", index - 1
    params = call.args[1] if len(call.args) > 1 else _keyword(call, "parameters", "params")
    if params is not None and isinstance(params, ast.Name):
        params = ctx.values.assigned(params, call) or params
    if kind == "pos" and isinstance(params, ast.Tuple | ast.List):
        index = int(key)
        return params.elts[index] if index < len(params.elts) else None
    if kind == "name":
        if isinstance(params, ast.Dict):
            for dict_key, value in zip(params.keys, params.values, strict=True):
                if isinstance(dict_key, ast.Constant) and dict_key.value == key:
                    return value
        return _keyword(call, str(key))
    return None


def _is_sequence(node: ast.expr) -> bool:
    return isinstance(node, ast.Tuple | ast.List)


def _keyword(call: ast.Call, *names: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg in names), None)


def _result_checked(ctx: FileContext, function: FunctionNode, call: ast.Call) -> bool:
    """`cur.rowcount` is looked at, or the write's result is tested (`if result == "UPDATE 0"`)."""
    if any(isinstance(n, ast.Attribute) and n.attr == "rowcount" for n in ctx.walk(function)):
        return True
    parent = ctx.scopes.parent.get(call)
    if isinstance(parent, ast.Await):
        parent = ctx.scopes.parent.get(parent)
    if not isinstance(parent, ast.Assign):
        # `if (await conn.execute(...)) == "UPDATE 0":`
        return any(isinstance(a, ast.Compare) for a in ctx.scopes.ancestors(call))
    names = {n for t in parent.targets for n in _names(t)}
    return any(
        isinstance(test, ast.Name) and test.id in names
        for node in ctx.walk(function)
        if isinstance(node, ast.If | ast.Assert | ast.Compare)
        for test in ctx.walk(node)
    )


def _orm_update_race(
    ctx: FileContext, function: FunctionNode, op: DatastoreOp, statement: ast.Call, taint: _Taint
) -> _Race | None:
    """`update(Account).where(...).values(balance=<computed>)`."""
    values: dict[str, ast.expr] = {}
    wheres: list[ast.expr] = []
    returning = False
    node: ast.expr = statement
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "values":
            values.update({k.arg: k.value for k in node.keywords if k.arg})
        elif node.func.attr in ("where", "filter", "filter_by"):
            wheres.extend([*node.args, *(k.value for k in node.keywords)])
        elif node.func.attr == "returning":
            returning = True
        node = node.func.value
    computed = [c for c, v in values.items() if _overwrites(taint.sources(v), op.tables, c)]
    if not computed:
        return None
    tested = {n.attr.lower() for w in wheres for n in ctx.walk(w) if isinstance(n, ast.Attribute)}
    guarded = any(c.lower() in tested for c in computed) or any("version" in t for t in tested)
    if guarded and (returning or _result_checked(ctx, function, op.node)):  # type: ignore[arg-type]
        return None
    model = op.models[0] if op.models else "the row"
    return _Race(
        op.node,
        f"{function.name}() reads {model}.{computed[0]}{_read_at(taint, op)} and writes back a "
        "value computed from it with update(); nothing locks the row in between, so "
        "concurrent requests overwrite each other's updates (lost update)",
        op.models,
    )


def _attribute_race(
    ctx: FileContext, function: FunctionNode, op: DatastoreOp, taint: _Taint, ops: list[DatastoreOp]
) -> _Race | None:
    """`account.balance -= amount` (or `= account.balance - amount`) on an object just read."""
    node = op.node
    assert isinstance(node, ast.Assign | ast.AugAssign)
    target = node.targets[0] if isinstance(node, ast.Assign) else node.target
    assert isinstance(target, ast.Attribute)
    computed = isinstance(node, ast.AugAssign) or _overwrites(
        taint.sources(node.value), op.tables, target.attr
    )
    if not computed or not _committed_after(ctx, node, ops):
        return None
    model = op.models[0] if op.models else "the object"
    return _Race(
        node,
        f"{function.name}() reads {model}{_read_at(taint, op)} through the ORM and commits "
        f"{model}.{target.attr} computed from it without a row lock or version column; "
        "concurrent requests overwrite each other's updates (lost update)",
        op.models,
    )


def _read_at(taint: _Taint, write: DatastoreOp) -> str:
    """` (line 12)`: where the first read of the written table is."""
    tables = {_singular(t) for t in write.tables}
    line = next(
        (
            getattr(read.node, "lineno", None)
            for read in taint.reads
            if tables & {_singular(t) for t in read.tables}
        ),
        None,
    )
    return f" (line {line})" if line else ""


def _committed_after(ctx: FileContext, node: ast.AST, ops: list[DatastoreOp]) -> bool:
    """A commit/flush follows in the function, or a `with session.begin():` block commits."""
    if any(
        op.operation in ("commit", "flush") and op.node.lineno >= node.lineno  # type: ignore[attr-defined]
        for op in ops
    ):
        return True
    for ancestor in ctx.scopes.ancestors(node):
        if isinstance(ancestor, ast.With | ast.AsyncWith):
            for item in ancestor.items:
                expr = item.context_expr
                if (
                    isinstance(expr, ast.Call)
                    and isinstance(expr.func, ast.Attribute)
                    and expr.func.attr in ("begin", "begin_nested")
                ):
                    return True
    return False


# -- SP702 -----------------------------------------------------------------------------------------

_REDIS_RMW_READS = frozenset({"get", "getex", "hget", "hgetall", "hmget"})
_REDIS_OVERWRITES = {"set": 1, "getset": 1, "setex": 2, "psetex": 2, "hset": 1, "hmset": 1}
_REDIS_OPTIONS = frozenset({"ex", "px", "exat", "pxat", "nx", "xx", "keepttl", "get", "time"})


class RedisReadModifyWrite(Rule):
    id = "SP702"
    name = "redis-read-modify-write"
    category = "concurrency"
    severity = "error"
    summary = (
        "A redis value is read with GET/HGET, changed in Python and written back with SET/HSET "
        "outside WATCH/MULTI, where an atomic command or a script would do."
    )
    why = (
        "Redis runs each command atomically, but not a GET followed by a SET from the client: "
        "another client can write the key in between and its write is lost. Rate limiters let "
        "bursts through, carts drop items, stock counters oversell, and each replica you add "
        "makes it more likely."
    )
    bad = """\
count = int(r.get(key) or 0)
if count >= LIMIT:
    raise TooManyRequests()
r.set(key, count + 1, ex=60)
"""
    good = """\
pipe = r.pipeline()
pipe.incr(key)
pipe.expire(key, 60)
count, _ = pipe.execute()
if count > LIMIT:
    raise TooManyRequests()
"""
    defaults = (
        "redis-py's `pipeline()` batches commands but is not isolated unless you WATCH the keys "
        "first (or use `r.transaction(fn, *keys)`); plain GET/SET pairs are never atomic."
    )
    fix = (
        "use INCRBY/HINCRBY/DECRBY, a Lua script (`register_script`), or WATCH/MULTI via "
        "`r.transaction(fn, key)`"
    )

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        transaction_callbacks = _transaction_callbacks(ctx)
        for function in ctx.functions:
            if function.name in transaction_callbacks:
                continue
            race = _redis_race(ctx, function)
            if race is not None:
                yield ctx.finding(self, race.node, race.message)


def _transaction_callbacks(ctx: FileContext) -> set[str]:
    """Functions passed to `r.transaction(fn, key)`: redis-py WATCHes the keys around them."""
    return {
        node.args[0].id
        for node in ctx.nodes(ast.Call)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "transaction"
        and node.args
        and isinstance(node.args[0], ast.Name)
    }


def _redis_race(ctx: FileContext, function: FunctionNode) -> _Race | None:
    ops = [op for op in datastore_ops(ctx, function) if op.store == "redis" and not op.helper]
    reads = [op for op in ops if op.operation in _REDIS_RMW_READS]
    if not reads or _watched(ctx, function):
        return None
    by_label = {str(index): read for index, read in enumerate(reads)}
    labels = {id(read): {label} for label, read in by_label.items()}
    taint = _Taint(ctx, function, reads, lambda read: labels[id(read)])
    for op in ops:
        if op.operation not in _REDIS_OVERWRITES or op.conflict_ignored:
            continue
        call = op.node
        assert isinstance(call, ast.Call)
        key = _argument(call, 0, "name", "key")
        if key is None:
            continue
        sources = [
            read
            for value in _written_values(call, _REDIS_OVERWRITES[op.operation])
            for label in sorted(taint.sources(value), key=int)
            for read in [by_label[label]]
        ]
        matched = [r for r in sources if _same_key(ctx, function, _read_key(r), key)]
        if not matched:
            continue
        if any(_inside_lock(ctx, r.node, call) for r in matched):
            return None
        read = matched[0]
        return _Race(
            call,
            f"redis {op.operation.upper()} of {ast.unparse(key)} writes a value computed from "
            f"the {read.operation.upper()} on line {read.node.lineno}, outside WATCH/MULTI; a "  # type: ignore[attr-defined]
            "concurrent client's write in between is lost",
            (),
        )
    return None


def _watched(ctx: FileContext, function: FunctionNode) -> bool:
    """WATCH/MULTI on a redis connection in the function: an optimistic transaction."""
    for node in ctx.walk(function):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("watch", "multi")
            and store_kind(ctx, node.func.value, node) == "redis"
        ):
            return True
    return False


def _argument(call: ast.Call, index: int, *names: str) -> ast.expr | None:
    if len(call.args) > index:
        return call.args[index]
    return _keyword(call, *names)


def _read_key(read: DatastoreOp) -> ast.expr | None:
    assert isinstance(read.node, ast.Call)
    return _argument(read.node, 0, "name", "key")


def _written_values(call: ast.Call, first_value: int) -> list[ast.expr]:
    values = list(call.args[first_value:])
    values.extend(
        k.value
        for k in call.keywords
        if k.arg not in _REDIS_OPTIONS and k.arg not in ("name", "key")
    )
    return values


def _same_key(
    ctx: FileContext, function: FunctionNode, first: ast.expr | None, second: ast.expr
) -> bool:
    return first is not None and _key_text(ctx, function, first) == _key_text(ctx, function, second)


def _key_text(ctx: FileContext, function: FunctionNode, key: ast.expr) -> str:
    """A key expression as text, a local name assigned once replaced by its value."""
    if isinstance(key, ast.Name):
        values = [value for targets, value in _assignments(ctx, function) if targets == [key.id]]
        if len(values) == 1:
            return ast.unparse(values[0])
    return ast.unparse(key)


RULES: list[type[Rule]] = [UnlockedReadModifyWrite, RedisReadModifyWrite]
