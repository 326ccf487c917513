"""Rules of the `saga` category."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from stormproof.check.analysis import kit
from stormproof.check.analysis.handlers import request_path, request_target, routes_match
from stormproof.check.analysis.modules import (
    ExportedFunctions,
    function_key,
    function_ref,
    module_bindings,
)
from stormproof.check.analysis.scopes import FunctionNode
from stormproof.check.context import FileContext, FileFacts, ProjectContext
from stormproof.check.finding import Finding
from stormproof.check.rule import Rule

if TYPE_CHECKING:
    from stormproof.manifest.model import Endpoint, Saga, SagaStep


class SagaStepWithoutCompensation(Rule):
    id = "SP501"
    name = "saga-step-without-compensation"
    category = "saga"
    severity = "error"
    summary = "A saga step in stormproof.yaml with no compensation that is not marked pivot."
    why = (
        "A saga replaces one transaction with a sequence of local steps; when a later step "
        "fails, the steps already done are undone by their compensations, in reverse order. "
        "A step without a compensation cannot be undone: a failure after it leaves the "
        "system half-changed (a seat held, a card charged) with no way back. Steps that truly "
        "cannot be undone must be declared `pivot: true`, so everyone can see the point of "
        "no return and order the steps around it."
    )
    bad = """\
sagas:
  book-trip:
    coordinator: booking
    steps:
      - {service: payments, action: "POST /charges", compensation: "POST /refunds"}
      - {service: flights, action: "POST /reservations"}
"""
    good = """\
sagas:
  book-trip:
    coordinator: booking
    steps:
      - {service: payments, action: "POST /charges", compensation: "POST /refunds"}
      - {service: flights, action: "POST /reservations",
         compensation: "DELETE /reservations/{id}"}
"""
    defaults = "A step has no compensation unless `compensation:` names one (`METHOD /path`)."
    fix = (
        'add `compensation: "METHOD /path"` (the endpoint that undoes the action), or mark the '
        "step `pivot: true` if nothing can undo it"
    )

    def check_project(self, project: ProjectContext) -> Iterator[Finding]:
        if project.manifest is None:
            return
        for saga in project.manifest.sagas.values():
            for index, step in enumerate(saga.steps):
                if step.compensation is None and not step.pivot:
                    yield project.manifest_finding(
                        self,
                        ("sagas", saga.name, "steps", index),
                        f"step {index + 1} of saga '{saga.name}' ({step.service} "
                        f"{step.action}) has no compensation and is not marked pivot: when a "
                        f"later step fails, {step.action} on {step.service} cannot be undone",
                        service=saga.coordinator,
                    )


class SagaFailureWithoutCompensation(Rule):
    id = "SP502"
    name = "saga-failure-without-compensation"
    category = "saga"
    severity = "error"
    summary = (
        "Coordinator code where a later saga step can fail without the earlier steps being "
        "compensated."
    )
    why = (
        "The coordinator performs the steps one after another. When a later step raises or "
        "answers with an error, the earlier steps have already happened: unless the failure "
        "path calls their compensations, the customer stays charged for a trip that was "
        "never booked, or a seat stays held forever. Each later step needs a failure path "
        "(an except or finally, and every status check that gives up) that undoes every "
        "completed step."
    )
    bad = """\
def book_trip(trip: Trip) -> dict:
    charge = client.post(f"{PAYMENTS_URL}/charges", json=trip.payment())
    charge.raise_for_status()
    seat = client.post(f"{FLIGHTS_URL}/reservations", json=trip.flight())
    seat.raise_for_status()
    return {"charge": charge.json()["id"], "seat": seat.json()["id"]}
"""
    good = """\
def book_trip(trip: Trip) -> dict:
    charge = client.post(f"{PAYMENTS_URL}/charges", json=trip.payment())
    charge.raise_for_status()
    charge_id = charge.json()["id"]
    try:
        seat = client.post(f"{FLIGHTS_URL}/reservations", json=trip.flight())
        seat.raise_for_status()
    except httpx.HTTPError:
        client.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id})
        raise
    return {"charge": charge_id, "seat": seat.json()["id"]}
"""
    defaults = (
        "Python runs the next line only if the previous one succeeded; nothing undoes the "
        "earlier calls of a function that raises. Step calls are unsafe calls from the "
        "coordinator's code to a step's service with the step's method (and path, when the "
        "URL can be read), directly or through a function of the coordinator's code (in any "
        "of its modules) that makes one."
    )
    fix = (
        "put the later step in try/except (and handle its error statuses), and on failure call "
        "the compensation of every completed step, in reverse order, before re-raising"
    )

    def collect(self, ctx: FileContext) -> dict[str, Any] | None:
        kit_steps = list(self._kit_steps(ctx)) if ctx.imports.imports(kit.LIBRARY) else []
        manifest = ctx.manifest
        if (
            manifest is None
            or ctx.service is None
            or not any(s.coordinator == ctx.service_name for s in manifest.sagas.values())
        ):
            return {"kit_steps": kit_steps} if kit_steps else None
        code = _CoordinatorCode(ctx)
        skeletons = []
        for function in ctx.functions:
            skeleton = code.skeleton(function)
            if skeleton is not None:
                skeletons.append(skeleton)
        return {
            "functions": code.summaries(),
            "bindings": module_bindings(ctx),
            "skeletons": skeletons,
            "kit_steps": kit_steps,
        }

    def _kit_steps(self, ctx: FileContext) -> Iterator[dict[str, Any]]:
        """A stormproof.kit `Step` that neither names a compensation nor says `None`: the
        orchestrator could not undo it (the kit refuses it when the saga is built)."""
        for node in ctx.nodes(ast.Call):
            assert isinstance(node, ast.Call)
            if kit.step_without_compensation(node, ctx.qualname(node.func)):
                message = (
                    "this stormproof.kit Step has no compensation: pass compensation=<undo> "
                    "so that the orchestrator can undo it when a later step fails, or "
                    "compensation=None to say that there is nothing to undo"
                )
                yield ctx.finding(self, node, message).to_json()

    def check_project(self, project: ProjectContext) -> Iterator[Finding]:
        for fact in project.facts_for(self):
            for step in fact.data.get("kit_steps", ()):
                yield Finding.from_json(step)
        manifest = project.manifest
        if manifest is None:
            return
        by_service: dict[str | None, list[FileFacts]] = {}
        for fact in project.facts_for(self):
            by_service.setdefault(fact.service, []).append(fact)
        for saga in manifest.sagas.values():
            facts = by_service.get(saga.coordinator, [])
            steps = _StepMatcher(saga, facts)
            for fact in facts:
                for skeleton in fact.data.get("skeletons", ()):
                    problem = steps.first_uncompensated(skeleton)
                    if problem is not None:
                        yield _finding(saga, problem)


# -- the coordinator's code, seen from one file -------------------------------------------------
#
# A call is described by a reference: {"remote": [target, method, path, label]} for a request,
# {"fn": ref, "undo": bool} for a call to a function (of this or another module: resolved
# in the project pass against the exported summaries), {"any": true} for a call that could
# be anything (`undo()` over a list of compensations).

_UNDO_WORDS = re.compile(
    r"refund|cancel|compensat|rollback|undo|release|revert|void|unreserve", re.IGNORECASE
)
_STATUS_ATTRIBUTES = frozenset(
    {"status_code", "status", "ok", "is_success", "is_error", "is_client_error", "is_server_error"}
)
_FAILURE_FLAGS = frozenset({"is_error", "is_client_error", "is_server_error"})
_SUCCESS_FLAGS = frozenset({"ok", "is_success"})
_MAX_CALL_DEPTH = 3
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CallRef = dict[str, Any]


class _CoordinatorCode:
    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.remote = {c.node: c for c in ctx.remote_calls}
        self._calls: dict[FunctionNode, list[ast.Call]] = {}
        self._ref_of: dict[ast.Call, CallRef | None] = {}

    def summaries(self) -> dict[str, dict[str, list]]:
        """Per function: the requests and calls it makes on its normal path, and anywhere."""
        found = {}
        for function in self.ctx.functions:
            calls = self._own_calls(function)
            normal = self._refs(n for n in calls if not _on_failure_path(self.ctx, n, function))
            anywhere = self._refs(calls)
            summary = {
                "steps": [r["remote"] for r in normal if "remote" in r],
                "calls": [r["fn"] for r in normal if "fn" in r],
                "comps": [r["remote"] for r in anywhere if "remote" in r],
                "all_calls": [r["fn"] for r in anywhere if "fn" in r],
                # A data-driven request (`client.request(step.method, step.undo_url)`) or a
                # dynamic call could be any compensation.
                "dynamic": any(self._undetermined(n) or _is_dynamic(n) for n in calls),
            }
            if any(summary.values()):
                found[function_key(self.ctx, function)] = summary
        return found

    def _own_calls(self, function: FunctionNode) -> list[ast.Call]:
        """The calls `function` itself runs (not those of functions or lambdas inside it)."""
        found = self._calls.get(function)
        if found is None:
            found = self._calls[function] = [
                n for n in self.ctx.run_nodes(function.body) if isinstance(n, ast.Call)
            ]
        return found

    def skeleton(self, function: FunctionNode) -> dict[str, Any] | None:
        """What the project pass needs to judge `function`: its calls and failure paths."""
        steps = []
        for node in self._own_calls(function):
            if _on_failure_path(self.ctx, node, function):
                continue
            ref = self._ref(node)
            if ref is not None and "any" not in ref:
                steps.append((node, ref))
        if len(steps) < 2:
            return None
        steps.sort(key=lambda step: (step[0].lineno, step[0].col_offset))
        tries = [n for n in self.ctx.run_nodes(function.body) if isinstance(n, ast.Try)]
        sites = [
            {
                "at": self.ctx.finding(SagaFailureWithoutCompensation, node, "").to_json(),
                "ref": ref,
                "tries": self._enclosing(node, function, tries),
                "checks": self._response_checks(node, function, tries),
            }
            for node, ref in steps
        ]
        blocks = [
            self._block([*(h for x in t.handlers for h in x.body), *t.finalbody]) for t in tries
        ]
        return {"sites": sites, "tries": blocks}

    def _refs(self, calls: Iterable[ast.Call]) -> list[CallRef]:
        return [r for r in map(self._ref, calls) if r is not None]

    def _ref(self, node: ast.Call) -> CallRef | None:
        if node not in self._ref_of:
            self._ref_of[node] = self._describe(node)
        return self._ref_of[node]

    def _describe(self, node: ast.Call) -> CallRef | None:
        remote = self.remote.get(node)
        if remote is not None:
            target = request_target(self.ctx, remote)
            if target is not None and remote.method is not None:
                path = request_path(self.ctx, remote)
                return {"remote": [target, remote.method, path, f"{remote.api} to {target}"]}
            if remote.direct:
                return None
            # A wrapper whose argument does not name the target (an id, a payload): its
            # own request, seen through its summary, may.
        if _is_dynamic(node):
            return {"any": True}
        ref = function_ref(self.ctx, node)
        if ref is not None:
            return {"fn": ref, "undo": _names_an_undo(node)}
        return {"any": True} if _names_an_undo(node) else None

    def _block(self, statements: list[ast.stmt]) -> list[CallRef]:
        loop_names = {
            n.id
            for s in statements
            for loop in self.ctx.walk(s)
            if isinstance(loop, ast.For | ast.AsyncFor)
            for n in self.ctx.walk(loop.target)
            if isinstance(n, ast.Name)
        }
        refs = []
        for node in self.ctx.run_nodes(statements):
            if isinstance(node, ast.Call):
                func = node.func
                if (isinstance(func, ast.Name) and func.id in loop_names) or self._undetermined(
                    node
                ):
                    refs.append({"any": True})
                else:
                    ref = self._ref(node)
                    if ref is not None:
                        refs.append(ref)
        return refs

    def _undetermined(self, node: ast.Call) -> bool:
        """A request that may change something (not GET) to a target nobody can name."""
        remote = self.remote.get(node)
        return (
            remote is not None
            and remote.direct
            and remote.method not in _SAFE_METHODS
            and request_target(self.ctx, remote) is None
        )

    def _enclosing(self, node: ast.AST, function: FunctionNode, tries: list[ast.Try]) -> list[int]:
        """The tries (by index) whose body holds `node`."""
        found = []
        child = node
        for ancestor in self.ctx.scopes.ancestors(node):
            if ancestor is function:
                break
            if isinstance(ancestor, ast.Try) and child in ancestor.body:
                found.append(tries.index(ancestor))
            child = ancestor
        return found

    def _response_checks(
        self, call: ast.Call, function: FunctionNode, tries: list[ast.Try]
    ) -> list[dict[str, Any]]:
        """Later ways the call's response fails: `r.raise_for_status()`, `if not r.ok: return`."""
        response = _bound_name(self.ctx, call)
        if response is None or call not in self.remote:
            return []
        checks = []
        for node in self.ctx.run_nodes(function.body):
            if getattr(node, "lineno", 0) <= call.lineno:
                continue
            if _is_method_on(node, response, "raise_for_status"):
                checks.append({"tries": self._enclosing(node, function, tries), "block": None})
            elif isinstance(node, ast.If) and _reads_status(node.test, response):
                branch = _failure_branch(node.test, node)
                if _leaves(branch):
                    raises = any(isinstance(n, ast.Raise) for s in branch for n in self.ctx.walk(s))
                    checks.append(
                        {
                            "tries": self._enclosing(node, function, tries) if raises else [],
                            "block": self._block(branch),
                        }
                    )
        return checks


def _on_failure_path(ctx: FileContext, node: ast.AST, function: FunctionNode) -> bool:
    """Inside an `except` or `finally` of `function`: compensation code, not a step."""
    child = node
    for ancestor in ctx.scopes.ancestors(node):
        if ancestor is function:
            return False
        if isinstance(ancestor, ast.ExceptHandler):
            return True
        if isinstance(ancestor, ast.Try) and child in ancestor.finalbody:
            return True
        child = ancestor
    return False


# -- judging a coordinator function against one saga --------------------------------------------


@dataclass(frozen=True, slots=True)
class _Problem:
    at: dict[str, Any]
    label: str
    step: int
    uncompensated: list[int]


class _StepMatcher:
    """Which calls are the saga's steps and compensations, across the coordinator's files."""

    def __init__(self, saga: Saga, facts: list[FileFacts]) -> None:
        self.saga = saga
        self.code = ExportedFunctions(fact.data for fact in facts)

    def first_uncompensated(self, skeleton: dict[str, Any]) -> _Problem | None:
        calls = []
        for site in skeleton["sites"]:
            step = self._step(site["ref"])
            if step is not None:
                calls.append((site, *step))
        if len({step for _, step, _ in calls}) < 2:
            return None
        done: list[int] = []
        for site, step, label in calls:
            earlier = [s for s in done if s != step and self.saga.steps[s].compensation_endpoint]
            missing = [s for s in earlier if not self._covered(skeleton, site, s)]
            if missing:
                return _Problem(site["at"], label, step, missing)
            if step not in done:
                done.append(step)
        return None

    def _step(self, ref: CallRef) -> tuple[int, str] | None:
        """(step index, label) when the call performs exactly one step's action."""
        if "remote" in ref:
            index = self._matching_step(ref["remote"])
            return (index, ref["remote"][3]) if index is not None else None
        if "fn" not in ref:
            return None
        found = [
            (index, request[3])
            for _, summary in self.code.reachable([ref["fn"]], _normal_calls, _MAX_CALL_DEPTH + 1)
            for request in summary["steps"]
            if (index := self._matching_step(request)) is not None
        ]
        if len(found) != 1:
            return None
        index, label = found[0]
        return index, f"{ref['fn'].rsplit('.', 1)[-1]}() ({label})"

    def _matching_step(self, request: list) -> int | None:
        for index, step in enumerate(self.saga.steps):
            if _reaches(request, step.service, step.endpoint):
                return index
        return None

    def _covered(self, skeleton: dict[str, Any], site: dict[str, Any], earlier: int) -> bool:
        """Whether every failure of the call at `site` compensates step `earlier`."""
        step = self.saga.steps[earlier]
        tries = skeleton["tries"]

        def in_compensating_try(indexes: list[int]) -> bool:
            return any(self._compensates(tries[i], step) for i in indexes)

        if not in_compensating_try(site["tries"]):
            return False
        for check in site["checks"]:
            block = check["block"]
            handled = block is not None and self._compensates(block, step)
            if not handled and not in_compensating_try(check["tries"]):
                return False
        return True

    def _compensates(self, block: list[CallRef], step: SagaStep) -> bool:
        endpoint = step.compensation_endpoint
        if endpoint is None:
            return True
        for ref in block:
            if "any" in ref:
                return True
            if "remote" in ref and _reaches(ref["remote"], step.service, endpoint):
                return True
            if "fn" in ref:
                key = self.code.resolve(ref["fn"])
                if key is None and ref["undo"]:
                    return True
                if key is not None and self._function_compensates(ref["fn"], step):
                    return True
        return False

    def _function_compensates(self, ref: str, step: SagaStep) -> bool:
        """Whether the function `ref` names (or one it calls, anywhere) can undo `step`."""
        endpoint = step.compensation_endpoint
        for _, summary in self.code.reachable([ref], _all_calls, _MAX_CALL_DEPTH + 1):
            if summary["dynamic"]:
                return True
            if endpoint and any(_reaches(r, step.service, endpoint) for r in summary["comps"]):
                return True
        return False


def _normal_calls(summary: dict[str, list]) -> list[str]:
    """The calls a function makes on its normal path (not in except/finally)."""
    return summary["calls"]


def _all_calls(summary: dict[str, list]) -> list[str]:
    return summary["all_calls"]


def _reaches(request: list, service: str, endpoint: Endpoint) -> bool:
    target, method, path = request[0], request[1], request[2]
    return (
        target == service
        and method == endpoint.method
        and (path is None or routes_match(path, endpoint.route))
    )


def _bound_name(ctx: FileContext, call: ast.Call) -> str | None:
    """The name the call's response is bound to: `r = call`, `r = await call`, `with call as r`."""
    parent = ctx.scopes.parent.get(call)
    if isinstance(parent, ast.Await):
        parent = ctx.scopes.parent.get(parent)
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
        target = parent.targets[0]
        return target.id if isinstance(target, ast.Name) else None
    if isinstance(parent, ast.withitem) and isinstance(parent.optional_vars, ast.Name):
        return parent.optional_vars.id
    return None


def _is_method_on(node: ast.AST, name: str, method: str) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == method
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == name
    )


def _reads_status(test: ast.expr, name: str) -> bool:
    return any(
        isinstance(n, ast.Attribute)
        and n.attr in _STATUS_ATTRIBUTES
        and isinstance(n.value, ast.Name)
        and n.value.id == name
        for n in ast.walk(test)
    )


def _failure_branch(test: ast.expr, branch: ast.If) -> list[ast.stmt]:
    """The statements that run when the status check says the call failed."""
    return branch.body if _says_failed(test) else branch.orelse


def _says_failed(test: ast.expr) -> bool:
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return not _says_failed(test.operand)
    if isinstance(test, ast.BoolOp):
        return any(_says_failed(v) for v in test.values)
    if isinstance(test, ast.Attribute):
        return test.attr in _FAILURE_FLAGS or test.attr not in _SUCCESS_FLAGS
    if isinstance(test, ast.Compare):
        return any(isinstance(op, ast.NotEq | ast.Gt | ast.GtE | ast.NotIn) for op in test.ops)
    return False


def _leaves(statements: list[ast.stmt]) -> bool:
    return any(isinstance(n, ast.Return | ast.Raise) for s in statements for n in ast.walk(s))


def _is_dynamic(call: ast.Call) -> bool:
    """`steps[i].compensate()`, `make_undo()()`: a call whose target cannot be named."""
    return isinstance(call.func, ast.Subscript | ast.Call)


def _names_an_undo(call: ast.Call) -> bool:
    """A call to code this file cannot see, whose name says it undoes something."""
    func = call.func
    if isinstance(func, ast.Name):
        return bool(_UNDO_WORDS.search(func.id))
    # `session.rollback()` undoes a database transaction, not a saga step.
    return (
        isinstance(func, ast.Attribute)
        and func.attr != "rollback"
        and bool(_UNDO_WORDS.search(func.attr))
    )


def _finding(saga: Saga, problem: _Problem) -> Finding:
    step = saga.steps[problem.step]
    earlier = ", ".join(
        f"step {i + 1} ({saga.steps[i].service} {saga.steps[i].action}; undo: "
        f"{saga.steps[i].compensation})"
        for i in problem.uncompensated
    )
    message = (
        f"{problem.label} is step {problem.step + 1} ({step.service} {step.action}) of saga "
        f"'{saga.name}'; when it fails, nothing compensates {earlier}, so the saga stops "
        "half-done with the earlier effects left in place"
    )
    return replace(Finding.from_json(problem.at), message=message)


RULES: list[type[Rule]] = [SagaStepWithoutCompensation, SagaFailureWithoutCompensation]
