"""Awards loyalty points for paid orders (confluent-kafka)."""

import json
import os
import sqlite3

from confluent_kafka import Consumer, KafkaException

conf = {
    "bootstrap.servers": os.getenv("KAFKA_BROKERS", "kafka:9092"),
    "group.id": "loyalty",
    "enable.auto.commit": False,
    "auto.offset.reset": "earliest",
}


def run() -> None:
    consumer = Consumer(conf)
    consumer.subscribe(["payments.captured"])
    db = sqlite3.connect(os.environ["LOYALTY_DB"])
    try:
        while True:  # expect: SP402
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                raise KafkaException(msg.error())
            payment = json.loads(msg.value())
            db.execute(
                "UPDATE accounts SET points = points + ? WHERE user_id = ?",
                (payment["amount_cents"] // 100, payment["user_id"]),
            )
            db.commit()
            consumer.commit(message=msg, asynchronous=False)
    finally:
        consumer.close()


if __name__ == "__main__":
    run()
