"""RabbitMQ consumer class that decrements stock for every order event."""

import json
import logging
import os

import pika
import psycopg2

logger = logging.getLogger(__name__)


class OrderEventConsumer:
    def __init__(self) -> None:
        params = pika.URLParameters(os.getenv("RABBITMQ_URL", "amqp://guest:guest@rabbitmq:5672/"))
        self.connection = pika.BlockingConnection(params)
        self.channel = self.connection.channel()
        self.channel.queue_declare(queue="order.created", durable=True)
        self.db = psycopg2.connect(os.environ["INVENTORY_DSN"])

    def on_order_created(self, ch, method, properties, body: bytes) -> None:  # expect: SP402
        event = json.loads(body)
        with self.db, self.db.cursor() as cur:
            for line in event["lines"]:
                cur.execute(
                    "UPDATE stock SET quantity = quantity - %s WHERE sku = %s",
                    (line["qty"], line["sku"]),
                )
        ch.basic_ack(delivery_tag=method.delivery_tag)
        logger.info("stock updated for order %s", event["order_id"])

    def start(self) -> None:
        self.channel.basic_qos(prefetch_count=1)
        self.channel.basic_consume(queue="order.created", on_message_callback=self.on_order_created)
        self.channel.start_consuming()


if __name__ == "__main__":
    OrderEventConsumer().start()
