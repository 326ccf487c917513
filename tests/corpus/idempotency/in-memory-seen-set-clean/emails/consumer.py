"""Email consumer with an in-process seen-set keyed on the message id."""

import json
from collections import deque

import pika
import requests

seen_ids: set[str] = set()
order: deque[str] = deque(maxlen=10_000)


def handle(ch, method, props, body: bytes) -> None:
    if props.message_id in seen_ids:
        ch.basic_ack(method.delivery_tag)
        return
    msg = json.loads(body)
    requests.post("https://mail.example.com/send", json=msg, timeout=10).raise_for_status()
    seen_ids.add(props.message_id)
    order.append(props.message_id)
    ch.basic_ack(method.delivery_tag)


conn = pika.BlockingConnection(pika.ConnectionParameters("rabbitmq"))
ch = conn.channel()
ch.basic_consume("emails", on_message_callback=handle)
ch.start_consuming()
