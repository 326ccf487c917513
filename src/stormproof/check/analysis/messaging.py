"""Broker publishes: where a function hands a message to Kafka, RabbitMQ, Redis, Celery or AWS.

Recognised: kafka-python and aiokafka producers (`send`, `send_and_wait`), confluent_kafka
(`produce`), pika (`basic_publish`), aio_pika (`exchange.publish(Message(...))`), redis
(`publish`, `xadd`), Celery (`task.delay`, `task.apply_async`, `app.send_task`), boto3 /
aioboto3 SNS (`publish`) and SQS (`send_message`, `send_message_batch`), Google Pub/Sub,
NATS and kombu producers.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from stormproof.check.analysis.datastores import local_callee, own_nodes, store_library
from stormproof.check.analysis.scopes import FUNCTION_TYPES, FunctionNode

if TYPE_CHECKING:
    from stormproof.check.context import FileContext

# Producer class (as imported) → (broker, its publishing methods).
_PRODUCERS: dict[str, tuple[str, frozenset[str]]] = {
    "kafka.KafkaProducer": ("kafka", frozenset({"send"})),
    "kafka.producer.KafkaProducer": ("kafka", frozenset({"send"})),
    "aiokafka.AIOKafkaProducer": ("kafka", frozenset({"send", "send_and_wait", "send_batch"})),
    "confluent_kafka.Producer": ("kafka", frozenset({"produce"})),
    "confluent_kafka.SerializingProducer": ("kafka", frozenset({"produce"})),
    "google.cloud.pubsub_v1.PublisherClient": ("pubsub", frozenset({"publish"})),
    "google.cloud.pubsub.PublisherClient": ("pubsub", frozenset({"publish"})),
    "nats.connect": ("nats", frozenset({"publish"})),
    "kombu.Producer": ("amqp", frozenset({"publish"})),
}
_REDIS_PUBLISH = frozenset({"publish", "xadd", "spublish"})
# A producer imported from the project's own module (`from app.events import producer`).
_PRODUCER_METHODS = frozenset({"send", "send_and_wait", "produce"})
_CELERY_METHODS = frozenset({"delay", "apply_async"})
_CELERY_DECORATORS = frozenset({"task", "shared_task"})
# AWS SDK calls, recognised by their required keyword (the client is often built elsewhere).
_AWS_CALLS = {
    "publish": ("sns", frozenset({"TopicArn", "TargetArn", "PhoneNumber"})),
    "publish_batch": ("sns", frozenset({"TopicArn"})),
    "send_message": ("sqs", frozenset({"QueueUrl"})),
    "send_message_batch": ("sqs", frozenset({"QueueUrl"})),
}


@dataclass(frozen=True, slots=True)
class Publish:
    """One message handed to a broker."""

    node: ast.Call
    broker: str  # kafka | rabbitmq | redis | celery | sns | sqs | pubsub | nats | amqp
    api: str  # e.g. "KafkaProducer.send", "channel.basic_publish", "send_receipt.delay"


def publishes(ctx: FileContext, function: FunctionNode | None = None) -> list[Publish]:
    """The broker publishes in the file (or made by `function` itself), in source order.

    A call to a function or method of the same module that publishes (one level of
    wrapper: `await publish_event(...)`, `self._emit(...)`) counts as a publish too.
    """
    nodes = own_nodes(ctx, function) if function is not None else ctx.nodes()
    tasks = _celery_tasks(ctx)
    found = []
    for node in nodes:
        if not isinstance(node, ast.Call):
            continue
        publish = _publish(ctx, node, tasks) or _wrapped_publish(ctx, node, tasks)
        if publish is not None:
            found.append(publish)
    found.sort(key=lambda p: (p.node.lineno, p.node.col_offset))
    return found


def _direct_publishes(ctx: FileContext, function: FunctionNode, tasks: set[str]) -> list[Publish]:
    return [
        publish
        for node in own_nodes(ctx, function)
        if isinstance(node, ast.Call)
        for publish in [_publish(ctx, node, tasks)]
        if publish is not None
    ]


def _wrapped_publish(ctx: FileContext, call: ast.Call, tasks: set[str]) -> Publish | None:
    callee = local_callee(ctx, call)
    if callee is None or callee is ctx.scopes.function(call):
        return None
    inner = _direct_publishes(ctx, callee, tasks)
    if not inner:
        return None
    return Publish(call, inner[0].broker, f"{callee.name} ({inner[0].api})")


def _publish(ctx: FileContext, call: ast.Call, tasks: set[str]) -> Publish | None:
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    method, receiver = func.attr, func.value
    instance = ctx.instances.resolve(receiver, call)
    if instance is not None:
        known = _PRODUCERS.get(instance.qualname)
        if known is not None and method in known[1]:
            short = instance.qualname.rsplit(".", 1)[-1]
            return Publish(call, known[0], f"{short}.{method}")
    if method in _REDIS_PUBLISH and store_library(ctx, receiver, call) == "redis":
        return Publish(call, "redis", f"redis.{method}")
    if method == "basic_publish":  # pika's, and nothing else's
        return Publish(call, "rabbitmq", "pika basic_publish")
    if method == "send_task":  # Celery's app.send_task("name", args=...)
        return Publish(call, "celery", f"{ast.unparse(receiver)}.send_task")
    if method in _PRODUCER_METHODS and instance is None and _named_producer(receiver):
        return Publish(call, "kafka", f"{ast.unparse(receiver)}.{method}")
    if method == "publish" and ctx.imports.imports("aio_pika") and _is_aio_pika_publish(ctx, call):
        return Publish(call, "rabbitmq", "aio_pika exchange.publish")
    if method in _CELERY_METHODS and _is_task(ctx, receiver, tasks):
        return Publish(call, "celery", f"{ast.unparse(receiver)}.{method}")
    aws = _AWS_CALLS.get(method)
    if aws is not None and any(k.arg in aws[1] for k in call.keywords):
        return Publish(call, aws[0], f"{aws[0]}.{method}")
    return None


def _named_producer(receiver: ast.expr) -> bool:
    name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
    return "producer" in name.lower()


def _is_aio_pika_publish(ctx: FileContext, call: ast.Call) -> bool:
    message = call.args[0] if call.args else None
    built_message = isinstance(message, ast.Call) and (ctx.qualname(message.func) or "").endswith(
        "Message"
    )
    return built_message or any(k.arg == "routing_key" for k in call.keywords)


def _is_task(ctx: FileContext, receiver: ast.expr, tasks: set[str]) -> bool:
    """A Celery task: decorated with `@app.task`/`@shared_task` here, or imported by name."""
    if not isinstance(receiver, ast.Name):
        return False
    if receiver.id in tasks:
        return True
    qualname = ctx.imports.names.get(receiver.id)
    # `from shop.tasks import send_receipt`: a project function, not a library one.
    return qualname is not None and "." in qualname and not _is_library_name(qualname)


def _is_library_name(qualname: str) -> bool:
    top = qualname.lstrip(".").split(".", 1)[0]
    return top in {"asyncio", "time", "functools", "threading", "dask", "celery", "typing"}


def _celery_tasks(ctx: FileContext) -> set[str]:
    tasks = set()
    for node in ctx.nodes():
        if isinstance(node, FUNCTION_TYPES) and any(
            _decorator_name(d) in _CELERY_DECORATORS for d in node.decorator_list
        ):
            tasks.add(node.name)
    return tasks


def _decorator_name(decorator: ast.expr) -> str:
    if isinstance(decorator, ast.Call):
        decorator = decorator.func
    if isinstance(decorator, ast.Attribute):
        return decorator.attr
    return decorator.id if isinstance(decorator, ast.Name) else ""


__all__ = ["Publish", "publishes"]
