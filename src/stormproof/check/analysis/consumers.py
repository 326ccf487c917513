"""At-least-once message consumers: the code that runs once per delivered message.

Recognised: kafka-python and aiokafka `for msg in consumer:` loops, loops around
confluent-kafka `poll()`/`consume()`, boto3 SQS `receive_message()` and redis
`xreadgroup()`, pika `basic_consume(on_message_callback=fn)` callbacks (not with
`auto_ack=True`), aio-pika `queue.iterator()` loops, `queue.consume(fn)` callbacks and
functions that `async with message.process():`, and celery tasks that are redelivered
or retried (`acks_late=True`, `autoretry_for=...`, `raise self.retry(...)`). Consumers
that acknowledge before processing (pika `auto_ack`, aio-pika `no_ack`, plain celery
tasks) deliver at most once and are left out.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from stormproof.check.analysis.effects import Effect, EffectScan
from stormproof.check.analysis.scopes import FUNCTION_TYPES, FunctionNode
from stormproof.check.analysis.syntax import is_method_call, keyword, true_keyword
from stormproof.check.context import FileContext

_KAFKA_CONSUMERS = {
    "kafka.KafkaConsumer": "kafka",
    "kafka.consumer.KafkaConsumer": "kafka",
    "aiokafka.AIOKafkaConsumer": "aiokafka",
    "aiokafka.consumer.AIOKafkaConsumer": "aiokafka",
}
_POLLING_CLIENTS = {"confluent_kafka.Consumer": "confluent-kafka", "kafka.KafkaConsumer": "kafka"}
# Receive calls that need no client type to be recognised: (method, module imported).
_RECEIVE_CALLS = {
    "receive_message": ("boto3", "SQS"),
    "receive_messages": ("boto3", "SQS"),
    "xreadgroup": ("redis", "redis streams"),
}
# A file that imports none of these has no consumer.
MESSAGING_MODULES = (
    "kafka",
    "aiokafka",
    "confluent_kafka",
    "pika",
    "aio_pika",
    "celery",
    "boto3",
    "aioboto3",
    "redis",
)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
Loop = ast.For | ast.AsyncFor | ast.While


@dataclass(frozen=True, slots=True)
class Consumer:
    """Code run once per message: a receive loop, or a handler function."""

    kind: str  # kafka | aiokafka | confluent-kafka | SQS | redis streams | pika | aio-pika | celery
    node: Loop | FunctionNode

    @property
    def is_loop(self) -> bool:
        return isinstance(self.node, _LOOPS)


def message_consumers(ctx: FileContext) -> list[Consumer]:
    """Every at-least-once consumer in the file (a function appears once)."""
    if not any(ctx.imports.imports(module) for module in MESSAGING_MODULES):
        return []
    found: dict[int, Consumer] = {}
    finder = _Finder(ctx)
    for node in ctx.nodes(ast.For, ast.AsyncFor, ast.Call, *FUNCTION_TYPES):
        for consumer in finder.consumers_at(node):
            found.setdefault(id(consumer.node), consumer)
    return sorted(found.values(), key=lambda c: (c.node.lineno, c.node.col_offset))


def consumer_roots(consumer: Consumer) -> list[ast.AST]:
    """What runs per message: the loop's body, or the handler function."""
    node = consumer.node
    return list(node.body) if isinstance(node, _LOOPS) else [node]


def unguarded_effects(scan: EffectScan, consumer: Consumer) -> list[tuple[ast.AST, Effect]]:
    """(where to report, the effect) for a consumer that applies effects with no dedup.

    Effects written in a loop's own body are reported at the loop; effects inside a
    function the loop hands the message to, at that function's `def`.
    """
    node = consumer.node
    if scan.guarded(consumer_roots(consumer)):
        return []
    if not consumer.is_loop:
        effects = scan.effects([node])
        return [(node, effects[0])] if effects else []
    direct = scan.direct_effects(node.body)
    if direct:
        return [(node, direct[0])]
    sites: list[tuple[ast.AST, Effect]] = []
    for callee in {id(f): f for s in node.body for f in scan.callees(s)}.values():
        effects = scan.effects([callee])
        if effects:
            sites.append((callee, effects[0]))
    return sites


class _Finder:
    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.functions = {f.name: f for f in ctx.functions}

    def consumers_at(self, node: ast.AST) -> list[Consumer]:
        if isinstance(node, ast.For | ast.AsyncFor):
            kind = self._iterated_consumer(node)
            if kind is not None:
                return [Consumer(kind, node)]
        if isinstance(node, ast.Call):
            return self._from_call(node)
        if isinstance(node, FUNCTION_TYPES):
            kind = self._handler_kind(node)
            if kind is not None:
                return [Consumer(kind, node)]
        return []

    # -- loops -------------------------------------------------------------------------------

    def _iterated_consumer(self, loop: ast.For | ast.AsyncFor) -> str | None:
        iterated = loop.iter
        instance = self.ctx.instances.resolve(iterated, loop)
        if instance is not None and instance.qualname in _KAFKA_CONSUMERS:
            return _KAFKA_CONSUMERS[instance.qualname]
        if self._is_queue_iterator(iterated, loop):
            return "aio-pika"
        return None

    def _is_queue_iterator(self, iterated: ast.expr, loop: ast.AST) -> bool:
        """`queue.iterator()` itself, or the name an `async with queue.iterator() as it` binds."""
        if not self.ctx.imports.imports("aio_pika"):
            return False
        if is_method_call(iterated, "iterator"):
            return True
        if not isinstance(iterated, ast.Name):
            return False
        for ancestor in self.ctx.scopes.ancestors(loop):
            if isinstance(ancestor, ast.With | ast.AsyncWith):
                for item in ancestor.items:
                    bound = item.optional_vars
                    if (
                        isinstance(bound, ast.Name)
                        and bound.id == iterated.id
                        and is_method_call(item.context_expr, "iterator")
                    ):
                        return True
        return False

    def _receive_loop(self, call: ast.Call) -> Consumer | None:
        """The innermost loop around a `poll()`/`receive_message()`/`xreadgroup()` call."""
        func = call.func
        if not isinstance(func, ast.Attribute):
            return None
        kind = None
        if func.attr in _RECEIVE_CALLS:
            module, label = _RECEIVE_CALLS[func.attr]
            kind = label if self.ctx.imports.imports(module) else None
        elif func.attr in ("poll", "consume"):
            instance = self.ctx.instances.resolve(func.value, call)
            kind = _POLLING_CLIENTS.get(instance.qualname) if instance is not None else None
        if kind is None:
            return None
        child: ast.AST = call
        for ancestor in self.ctx.scopes.ancestors(call):
            if isinstance(ancestor, FUNCTION_TYPES):
                return None
            # `for m in sqs.receive_message(...)["Messages"]` receives once: not its loop.
            iterated = isinstance(ancestor, ast.For | ast.AsyncFor) and child is ancestor.iter
            if isinstance(ancestor, _LOOPS) and not iterated:
                return Consumer(kind, ancestor)
            child = ancestor
        return None

    # -- callbacks and tasks ---------------------------------------------------------------------

    def _from_call(self, call: ast.Call) -> list[Consumer]:
        loop = self._receive_loop(call)
        if loop is not None:
            return [loop]
        func = call.func
        if not isinstance(func, ast.Attribute):
            return []
        callback: ast.expr | None = None
        if func.attr == "basic_consume" and self.ctx.imports.imports("pika"):
            if true_keyword(call, "auto_ack"):
                return []
            callback = keyword(call, "on_message_callback") or (
                call.args[1] if len(call.args) > 1 else None
            )
            kind = "pika"
        elif func.attr == "consume" and self.ctx.imports.imports("aio_pika"):
            if true_keyword(call, "no_ack"):
                return []
            callback = call.args[0] if call.args else keyword(call, "callback")
            kind = "aio-pika"
        function = self._function(callback, call)
        return [Consumer(kind, function)] if function is not None else []

    def _function(self, expr: ast.expr | None, at: ast.AST) -> FunctionNode | None:
        """The function a callback names: `fn`, `self.on_message`, `functools.partial(fn, …)`."""
        if isinstance(expr, ast.Call) and expr.args:
            expr = expr.args[0]
        if isinstance(expr, ast.Name):
            return self.functions.get(expr.id)
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
            owner = self.ctx.scopes.cls(at) if expr.value.id in ("self", "cls") else None
            for item in owner.body if owner is not None else []:
                if isinstance(item, FUNCTION_TYPES) and item.name == expr.attr:
                    return item
        return None

    def _handler_kind(self, function: FunctionNode) -> str | None:
        if self.ctx.imports.imports("celery") and self._redelivered_task(function):
            return "celery"
        if self.ctx.imports.imports("aio_pika") and self._processes_parameter(function):
            return "aio-pika"
        return None

    def _redelivered_task(self, function: FunctionNode) -> bool:
        for decorator in function.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            if name not in ("task", "shared_task"):
                continue
            if isinstance(decorator, ast.Call) and (
                true_keyword(decorator, "acks_late") or keyword(decorator, "autoretry_for")
            ):
                return True
            return self._retries_itself(function)
        return False

    def _retries_itself(self, function: FunctionNode) -> bool:
        """A bound task that calls `self.retry(...)`."""
        params = function.args.args
        if not params:
            return False
        bound = params[0].arg
        return any(
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "retry"
            and isinstance(n.func.value, ast.Name)
            and n.func.value.id == bound
            for n in self.ctx.walk(function)
        )

    def _processes_parameter(self, function: FunctionNode) -> bool:
        """`async with message.process():` on one of the function's parameters."""
        params = {a.arg for a in function.args.args}
        for node in self.ctx.walk(function):
            if isinstance(node, ast.With | ast.AsyncWith):
                for item in node.items:
                    expr = item.context_expr
                    if (
                        is_method_call(expr, "process")
                        and isinstance(expr.func.value, ast.Name)  # type: ignore[attr-defined]
                        and expr.func.value.id in params  # type: ignore[attr-defined]
                    ):
                        return True
        return False
