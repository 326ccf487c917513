import json
import uuid

import pika
import psycopg2


class PaymentHandler:
    def __init__(self, dsn: str, amqp_url: str) -> None:
        self.conn = psycopg2.connect(dsn)
        self.channel = pika.BlockingConnection(pika.URLParameters(amqp_url)).channel()

    def _save(self, order_id: str, amount: int) -> str:
        payment_id = str(uuid.uuid4())
        with self.conn, self.conn.cursor() as cur:
            cur.execute(
                "INSERT INTO payments (id, order_id, amount) VALUES (%s, %s, %s)",
                (payment_id, order_id, amount),
            )
        return payment_id

    def _find(self, order_id: str) -> str | None:
        with self.conn.cursor() as cur:
            cur.execute("SELECT id FROM payments WHERE order_id = %s", (order_id,))
            row = cur.fetchone()
        return row[0] if row else None

    def capture(self, order_id: str, amount: int) -> str:
        payment_id = self._save(order_id, amount)
        self.channel.basic_publish(  # expect: SP902
            exchange="payments",
            routing_key="payment.captured",
            body=json.dumps({"payment_id": payment_id, "order_id": order_id}),
        )
        return payment_id

    def replay(self, order_id: str) -> None:
        payment_id = self._find(order_id)
        if payment_id:
            self.channel.basic_publish(
                exchange="payments",
                routing_key="payment.captured",
                body=json.dumps({"payment_id": payment_id, "order_id": order_id}),
            )
