"""The effects code applies, the guards that make a replay harmless, and idempotency-key reads.

Effects are what a replayed request or message repeats: INSERTs, UPDATEs that add to a
column, ORM `add`, redis counters and appends, MongoDB inserts and `$inc` updates,
POST/PATCH calls to other services that carry no idempotency key. Writes that are
idempotent by construction (DELETE, absolute UPDATE/SET, upserts) are not effects. SQL
text is read with `datastores.sql_statement`.

Writes are every change to data, repeated by a replay or not: the effects, and every
write `datastores.datastore_writes` finds (SQL INSERT/UPDATE/DELETE, ORM add, delete,
attribute writes and commits, redis and MongoDB writes) but those that change nothing
when repeated by construction of the statement (INSERT OR IGNORE, SET NX), and
PUT/DELETE calls that carry no idempotency key.

A guard makes a replay harmless: an upsert, `SET NX`, a rowcount or membership check, a
lookup of the key in a processed-ids store, a unique-constraint violation caught, a lookup
that returns what the first request stored.

`EffectScan` answers for a list of roots (functions, or the statements of a loop body),
following calls into this module's functions a few levels deep (`reach`); calls into
other modules are returned as references (`external_calls`, see `modules.function_ref`),
and `summaries` exports, per function, what a rule's project pass needs to follow them.

    effect_scan(ctx) -> EffectScan
    EffectScan.effects(roots) / direct_effects(statements) -> list[Effect]
    EffectScan.writes(functions) -> list[Effect]
    EffectScan.guarded(roots) / reads_key(roots) -> bool
    EffectScan.external_calls(roots) -> list[str]
    EffectScan.callees(root) -> list[FunctionNode]
    EffectScan.summaries(writes=) -> {function_key: {"effect", "write", "guarded", "key", "calls"}}
"""

from __future__ import annotations

import ast
import re
import weakref
from dataclasses import dataclass

from stormproof.check.analysis.datastores import (
    DatastoreOp,
    datastore_writes,
    local_callee,
    sql_statement,
)
from stormproof.check.analysis.idempotency_keys import (
    KEY_HEADERS,
    carries_idempotency_key,
    is_key_field,
)
from stormproof.check.analysis.modules import function_key, function_ref
from stormproof.check.analysis.remote_calls import RemoteCall
from stormproof.check.analysis.scopes import FUNCTION_TYPES, FunctionNode
from stormproof.check.analysis.sql import SqlStatement
from stormproof.check.analysis.syntax import callee_name, is_self, terminal_name, true_keyword
from stormproof.check.context import FileContext

_MAX_CALL_DEPTH = 3
_EXECUTE_METHODS = frozenset(
    {"execute", "executemany", "executescript", "exec_driver_sql", "fetchval", "fetchrow", "fetch"}
)
_ACCUMULATING_REDIS = frozenset(
    {
        "incr",
        "incrby",
        "incrbyfloat",
        "decr",
        "decrby",
        "hincrby",
        "hincrbyfloat",
        "zincrby",
        "lpush",
        "rpush",
        "lpushx",
        "rpushx",
        "linsert",
        "xadd",
        "append",
    }
)
# Reads that fetch one stored record.
_LOOKUPS = frozenset(
    {
        "first",
        "one_or_none",
        "scalar_one_or_none",
        "scalar",
        "fetchone",
        "fetchrow",
        "fetchval",
        "get",
        "find_one",
    }
)
_MONGO_INSERTS = frozenset({"insert_one", "insert_many"})
_MONGO_UPDATES = frozenset({"update_one", "update_many", "find_one_and_update"})
_REDIS_CHECKS = frozenset({"exists", "sismember", "sadd", "setnx", "hsetnx", "hexists"})
_ORM_CREATES = frozenset({"add", "add_all"})
_SESSION_NAMES = re.compile(r"(^|_)(session|db|sess)$", re.IGNORECASE)
_DEDUP_WORDS = re.compile(r"processed|duplicate|dedup|seen|idempot|already|inbox", re.IGNORECASE)
_UPSERT_SQL = re.compile(
    r"\bOR\s+(IGNORE|REPLACE)\b|\bON\s+CONFLICT\b|\bON\s+DUPLICATE\s+KEY\b", re.IGNORECASE
)
_UNIQUE_VIOLATIONS = re.compile(r"IntegrityError|UniqueViolation|DuplicateKey", re.IGNORECASE)
_UPSERT_METHODS = frozenset(
    {"on_conflict_do_nothing", "on_conflict_do_update", "on_duplicate_key_update", "prefix_with"}
)
_NON_IDEMPOTENT_REMOTE = frozenset({"POST", "PATCH"})
_IDEMPOTENCY_WORD = "idempot"
# The nodes `_mentions_key` can say yes to.
_KEY_CARRIERS = (ast.Constant, ast.Name, ast.Attribute, ast.arg)


@dataclass(frozen=True, slots=True)
class Effect:
    """A write: one that a replay repeats (an effect), or any change to data (a write)."""

    node: ast.AST
    label: str  # "INSERT INTO charges", "session.add(...)", "redis DECR", "httpx.post to payments"


def effect_scan(ctx: FileContext) -> EffectScan:
    """The file's `EffectScan`, shared by the rules that ask about it."""
    found = _SCANS.get(ctx)
    if found is None:
        found = _SCANS[ctx] = EffectScan(ctx)
    return found


@dataclass(slots=True)
class _Facts:
    """What one function (or statement) does by itself, found in one walk over it."""

    effects: list[Effect]
    remote_writes: list[Effect]  # PUT/DELETE requests with no key: writes, not effects
    guarded: bool
    key: bool
    refs: set[str]  # calls to functions of other modules (see `function_ref`)
    callees: list[FunctionNode]  # calls to functions of this module


class EffectScan:
    """Effects, guards and key reads of functions, following calls within the file."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self._calls_by_node = {c.node: c for c in ctx.remote_calls}
        self._facts: dict[ast.AST, _Facts] = {}
        self._writes: dict[ast.AST, list[Effect]] = {}
        self._summaries: dict[bool, dict[str, dict[str, object]]] = {}

    # -- what runs ---------------------------------------------------------------------------

    def facts(self, root: ast.AST) -> _Facts:
        """What `root` does by itself (its nested functions included, its callees not)."""
        found = self._facts.get(root)
        if found is not None:
            return found
        nodes = self.ctx.walk(root)
        found = _Facts([], [], False, False, set(), [])
        commits: bool | None = None  # whether `root` commits, once an augmented write asks
        for node in nodes:
            effect: Effect | None = None
            if isinstance(node, ast.Call):
                request = self._calls_by_node.get(node)
                if request is not None:
                    self._note_request(request, found)
                else:
                    effect = self._call_effect(node)
                found.guarded = found.guarded or self._call_guard(node)
                self._note_call(node, found)
            elif isinstance(node, ast.AugAssign):
                if commits is None:
                    commits = any(
                        isinstance(n, ast.Call) and callee_name(n) in ("commit", "flush")
                        for n in nodes
                    )
                effect = _augmented_write(node) if commits else None
            elif isinstance(node, ast.If | ast.ExceptHandler):
                found.guarded = found.guarded or self._branch_guard(node)
            elif isinstance(node, _KEY_CARRIERS):
                found.key = found.key or _mentions_key(node)
            if effect is not None:
                found.effects.append(effect)
        self._facts[root] = found
        return found

    def _note_call(self, call: ast.Call, found: _Facts) -> None:
        callee = local_callee(self.ctx, call)
        if callee is not None:
            found.callees.append(callee)
        elif call not in self._calls_by_node:
            ref = function_ref(self.ctx, call)
            if ref is not None:
                found.refs.add(ref)

    def reach(self, roots: list[ast.AST]) -> list[ast.AST]:
        """`roots` and the same-module functions they call, a few calls deep."""
        seen: dict[ast.AST, None] = {}
        frontier = list(roots)
        for _ in range(_MAX_CALL_DEPTH + 1):
            following: list[ast.AST] = []
            for root in frontier:
                if root not in seen:
                    seen[root] = None
                    following.extend(self.facts(root).callees)
            frontier = following
        return list(seen)

    def callees(self, root: ast.AST) -> list[FunctionNode]:
        """Functions of this module (or methods of its classes) that `root` calls."""
        return self.facts(root).callees

    # -- effects -----------------------------------------------------------------------------

    def effects(self, roots: list[ast.AST]) -> list[Effect]:
        """The effects of `roots` and of the functions they call, in that order."""
        return [e for root in self.reach(roots) for e in self.facts(root).effects]

    def direct_effects(self, statements: list[ast.stmt]) -> list[Effect]:
        """Effects written in `statements` themselves (no calls followed)."""
        return [e for statement in statements for e in self.facts(statement).effects]

    def _note_request(self, request: RemoteCall, found: _Facts) -> None:
        """An unsafe request is a write unless it carries an idempotency key (then it is
        deduplicated downstream); a POST or PATCH is an effect too."""
        if not request.unsafe or carries_idempotency_key(self.ctx, request):
            return
        write = Effect(request.node, request.describe())
        if request.method in _NON_IDEMPOTENT_REMOTE:
            found.effects.append(write)
        else:
            found.remote_writes.append(write)

    def _call_effect(self, node: ast.Call) -> Effect | None:
        """The effect of a call that is not a request."""
        func = node.func
        if not isinstance(func, ast.Attribute):
            return None
        if func.attr in _EXECUTE_METHODS and node.args:
            return self._sql_effect(node)
        if func.attr in _ORM_CREATES and self._is_session(func.value, node):
            return Effect(node, f"{ast.unparse(func.value)}.{func.attr}(...)")
        if func.attr in _ACCUMULATING_REDIS and self._is_redis(func.value, node):
            return Effect(node, f"redis {func.attr.upper()}")
        if func.attr in _MONGO_INSERTS or (func.attr in _MONGO_UPDATES and self._increments(node)):
            return Effect(node, f"{ast.unparse(func.value)}.{func.attr}(...)")
        return None

    def writes(self, functions: list[FunctionNode]) -> list[Effect]:
        """Every write of `functions` and of the functions they call (see the module
        docstring), effects first."""
        roots = self.reach(list(functions))
        effects = [e for root in roots for e in self.facts(root).effects]
        return effects + [w for root in roots for w in self._other_writes(root)]

    def _other_writes(self, root: ast.AST) -> list[Effect]:
        """The writes of `root` (and the functions nested in it) that are not effects."""
        found = self._writes.get(root)
        if found is None:
            effects = {id(e.node) for e in self.facts(root).effects}
            ops = [
                op
                for function in self.ctx.walk(root)
                if isinstance(function, FUNCTION_TYPES)
                for op in datastore_writes(self.ctx, function)
                # A local helper's writes are found in the helper, which `reach` follows.
                if op.helper is None and not op.conflict_ignored and id(op.node) not in effects
            ]
            # A commit says that something was written; name what was, where that is known.
            ops.sort(key=lambda op: op.operation in ("commit", "flush"))
            found = [Effect(op.node, _write_label(op)) for op in ops]
            found += self.facts(root).remote_writes
            self._writes[root] = found
        return found

    def _sql_effect(self, call: ast.Call) -> Effect | None:
        statement = sql_statement(self.ctx, call.args[0], call)
        if statement is None:
            query = call.args[0]
            if isinstance(query, ast.Name):  # query = table.insert().values(...)
                query = self.ctx.values.assigned(query, call) or query
            return Effect(call, "an INSERT") if self._core_insert(query) else None
        table = statement.tables[0] if statement.tables else "?"
        if statement.verb == "INSERT" and not _is_upsert(statement):
            return Effect(call, f"INSERT INTO {table}")
        if statement.verb == "UPDATE" and (
            any(a.atomic for a in statement.assignments)
            or self._computed_parameter(call.args[1:], call)
        ):
            return Effect(call, f"UPDATE {table} (adds to a column)")
        return None

    def _computed_parameter(self, params: list[ast.expr], at: ast.AST) -> bool:
        """A parameter computed by `+`/`-` from values in hand (`balance - amount`).

        Sums that involve a call (`datetime.now() + ttl`) compute a new value, not a
        changed one, and do not count.
        """
        for param in params:
            for name in self.ctx.walk(param):
                if not isinstance(name, ast.Name):
                    continue
                value = self.ctx.values.assigned(name, at)
                if (
                    isinstance(value, ast.BinOp)
                    and isinstance(value.op, ast.Add | ast.Sub)
                    and not any(self._from_call(side, at) for side in (value.left, value.right))
                ):
                    return True
        return False

    def _from_call(self, expr: ast.expr, at: ast.AST) -> bool:
        if isinstance(expr, ast.Name):
            assigned = self.ctx.values.assigned(expr, at)
            expr = assigned if assigned is not None else expr
        return isinstance(expr, ast.Call | ast.Await)

    def _core_insert(self, statement: ast.expr) -> bool:
        """A SQLAlchemy Core `insert(table)…` / `table.insert()…` with no conflict clause."""
        calls = [n for n in self.ctx.walk(statement) if isinstance(n, ast.Call)]
        if any(callee_name(c) in _UPSERT_METHODS for c in calls):
            return False
        return any(
            callee_name(c) == "insert"
            and (self.ctx.qualname(c.func) or "sqlalchemy").startswith(("sqlalchemy", "sqlmodel"))
            for c in calls
        )

    def _increments(self, call: ast.Call) -> bool:
        """A MongoDB update whose document uses `$inc` (or `$push`): it adds on every replay."""
        return any(
            isinstance(n, ast.Constant) and n.value in ("$inc", "$push")
            for arg in call.args[1:2]
            for n in self.ctx.walk(arg)
        )

    def _is_session(self, expr: ast.expr, at: ast.AST) -> bool:
        instance = self.ctx.instances.resolve(expr, at)
        if instance is not None and "Session" in instance.qualname:
            return True
        return bool(_SESSION_NAMES.search(terminal_name(expr)))

    def _is_redis(self, expr: ast.expr, at: ast.AST) -> bool:
        instance = self.ctx.instances.resolve(expr, at)
        if instance is not None:
            return "redis" in instance.qualname.lower()
        return "redis" in terminal_name(expr).lower()

    # -- guards --------------------------------------------------------------------------------

    def guarded(self, roots: list[ast.AST]) -> bool:
        """Whether a replay is made harmless: an upsert, SET NX, a rowcount or dedup check."""
        return any(self.facts(root).guarded for root in self.reach(roots))

    def _branch_guard(self, node: ast.If | ast.ExceptHandler) -> bool:
        if isinstance(node, ast.If):
            return self._checks_before_acting(node)
        # `except IntegrityError:` around an insert: a unique constraint dedups.
        return node.type is not None and bool(_UNIQUE_VIOLATIONS.search(ast.unparse(node.type)))

    def _call_guard(self, node: ast.Call) -> bool:
        func = node.func
        if not isinstance(func, ast.Attribute):
            return False
        if func.attr in _UPSERT_METHODS:
            return True
        if func.attr in ("set", "setnx", "hsetnx") and (
            func.attr != "set" or true_keyword(node, "nx")
        ):
            return True
        if func.attr in _EXECUTE_METHODS and node.args:
            statement = sql_statement(self.ctx, node.args[0], node)
            return statement is not None and _is_guard_sql(statement)
        return False

    def _checks_before_acting(self, branch: ast.If) -> bool:
        """`if cur.rowcount == 0: return`, `if msg_id in seen: continue`, `if already_done(…)`."""
        leaves = self._leaves(branch.body)
        for node in self.ctx.walk(branch.test):
            if isinstance(node, ast.Attribute) and node.attr == "rowcount" and leaves:
                return True
            if isinstance(node, ast.Compare) and leaves and _is_membership(node):
                return True
            if isinstance(node, ast.Call):
                name = callee_name(node)
                if name in _REDIS_CHECKS or _DEDUP_WORDS.search(ast.unparse(node.func)):
                    return True
        return self._returns_existing(branch)

    def _returns_existing(self, branch: ast.If) -> bool:
        """`existing = db.query(…).first()` then `if existing: return existing`: a repeat
        finds what the first request stored (not `if row is None: raise`, which checks
        that a resource exists)."""
        test = branch.test
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            if not (isinstance(test.ops[0], ast.IsNot) and _is_none(test.comparators[0])):
                return False
            test = test.left
        if not isinstance(test, ast.Name) or not any(
            isinstance(n, ast.Return | ast.Continue) for s in branch.body for n in self.ctx.walk(s)
        ):
            return False
        value = self.ctx.values.assigned(test, branch)
        return value is not None and any(
            isinstance(n, ast.Call) and callee_name(n) in _LOOKUPS for n in self.ctx.walk(value)
        )

    def _leaves(self, statements: list[ast.stmt]) -> bool:
        return any(
            isinstance(n, ast.Return | ast.Raise | ast.Continue | ast.Break)
            for s in statements
            for n in self.ctx.walk(s)
        )

    # -- idempotency keys -----------------------------------------------------------------------

    def reads_key(self, roots: list[ast.AST]) -> bool:
        """Whether the code reads an idempotency key: a header, a parameter or a body field."""
        return any(self.facts(root).key for root in self.reach(roots))

    # -- other modules ---------------------------------------------------------------------------

    def external_calls(self, roots: list[ast.AST]) -> list[str]:
        """References (see `function_ref`) to this project's functions in other modules."""
        return sorted({ref for root in self.reach(roots) for ref in self.facts(root).refs})

    def summaries(self, *, writes: bool) -> dict[str, dict[str, object]]:
        """Per function of the file (by `function_key`): its first effect, its first write
        (with `writes`; None without), whether it guards or reads a key, and its calls into
        other modules."""
        found = self._summaries.get(writes)
        if found is None:
            found = self._summaries[writes] = self._summarise(writes)
        return found

    def _summarise(self, writes: bool) -> dict[str, dict[str, object]]:
        found: dict[str, dict[str, object]] = {}
        for function in self.ctx.functions:
            facts = [self.facts(root) for root in self.reach([function])]
            effect = next((e.label for f in facts for e in f.effects), None)
            write = next((w.label for w in self.writes([function])), None) if writes else None
            summary = {
                "effect": effect,
                "write": write,
                "guarded": any(f.guarded for f in facts),
                "key": any(f.key for f in facts),
                "calls": sorted({ref for f in facts for ref in f.refs}),
            }
            if any(summary.values()):
                found[function_key(self.ctx, function)] = summary
        return found


_SCANS: weakref.WeakKeyDictionary[FileContext, EffectScan] = weakref.WeakKeyDictionary()


def _augmented_write(node: ast.AugAssign) -> Effect | None:
    """`account.balance -= amount` (in code that commits): a replay takes it off again."""
    if isinstance(node.target, ast.Attribute) and isinstance(node.op, ast.Add | ast.Sub):
        sign = "+" if isinstance(node.op, ast.Add) else "-"
        return Effect(node, f"`{ast.unparse(node.target)} {sign}=` then commit")
    return None


def _write_label(op: DatastoreOp) -> str:
    """`UPDATE orders`, `DELETE FROM holds`, `db.commit()`, `a write to hold.status`."""
    receiver = ast.unparse(op.receiver) if op.receiver is not None else op.library
    table = op.tables[0] if op.tables else "?"
    if op.store == "redis":
        return f"redis {op.operation.upper()}"
    if op.store == "mongo":
        return f"{receiver}.{op.operation}(...)"
    if op.operation == "setattr":
        return f"a write to {receiver}.{op.columns[0]}"
    if op.operation in ("commit", "flush"):
        return f"{receiver}.{op.operation}()"
    if op.operation in ("add", "delete", "merge"):
        return f"{receiver}.{op.operation}(...)"
    if op.operation == "INSERT":
        return f"INSERT INTO {table}"
    if op.operation == "DELETE":
        return f"DELETE FROM {table}"
    return f"{op.operation} {table}"


def _is_upsert(statement: SqlStatement) -> bool:
    """INSERT OR IGNORE/REPLACE, ON CONFLICT, ON DUPLICATE KEY, REPLACE/MERGE/UPSERT."""
    if statement.verb in ("REPLACE", "MERGE", "UPSERT"):
        return True
    return statement.verb == "INSERT" and bool(_UPSERT_SQL.search(statement.text))


def _is_guard_sql(statement: SqlStatement) -> bool:
    """An upsert, or a lookup in a processed-ids (inbox, dedup…) table."""
    if _is_upsert(statement):
        return True
    return statement.verb == "SELECT" and bool(_DEDUP_WORDS.search(statement.text))


def _mentions_key(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value.lower()
        return _IDEMPOTENCY_WORD in text or text in KEY_HEADERS or is_key_field(text)
    if isinstance(node, ast.Name):
        return _IDEMPOTENCY_WORD in node.id.lower()
    if isinstance(node, ast.Attribute):
        return _IDEMPOTENCY_WORD in node.attr.lower() or (
            is_key_field(node.attr) and not is_self(node.value)
        )
    if isinstance(node, ast.arg):
        name = node.arg.lower()
        # `x_request_id: str = Header(None)` reads the X-Request-ID header.
        return (
            _IDEMPOTENCY_WORD in name or is_key_field(name) or name.replace("_", "-") in KEY_HEADERS
        )
    return False


def _is_membership(compare: ast.Compare) -> bool:
    """`x in processed_ids` (not `"k" in payload` nor `x in ("a", "b")`)."""
    if not any(isinstance(op, ast.In | ast.NotIn) for op in compare.ops):
        return False
    literal = ast.Constant | ast.Tuple | ast.List | ast.Set | ast.Dict
    return not isinstance(compare.left, ast.Constant) and not any(
        isinstance(c, literal) for c in compare.comparators
    )


def _is_none(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None
