"""Kafka worker: dispatches each event to its handler module."""

import json
import logging

from kafka import KafkaConsumer

from orders_worker.handlers import handle_order_cancelled, handle_order_paid

log = logging.getLogger("orders-worker")
HANDLERS = {"order.cancelled": handle_order_cancelled}


def run() -> None:
    consumer = KafkaConsumer("orders", bootstrap_servers="kafka:9092", group_id="orders-worker")
    for message in consumer:  # expect: SP402
        event = json.loads(message.value)
        if event["type"] == "order.paid":
            handle_order_paid(event)
        elif event["type"] in HANDLERS:
            HANDLERS[event["type"]](event)
        else:
            log.info("ignoring %s", event["type"])


if __name__ == "__main__":
    run()
