"""Kafka worker: hands each event to the handlers module."""

import json

from kafka import KafkaConsumer

from orders_worker import handlers


def run() -> None:
    consumer = KafkaConsumer("orders", bootstrap_servers="kafka:9092", group_id="orders-worker")
    for message in consumer:
        event = json.loads(message.value)
        if event["type"] == "order.paid":
            handlers.handle_order_paid(event)


if __name__ == "__main__":
    run()
