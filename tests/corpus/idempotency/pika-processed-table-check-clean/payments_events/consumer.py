"""RabbitMQ consumer that records each message id in the same transaction as the effect."""

import json
import os

import pika
import psycopg2

conn = psycopg2.connect(os.environ["PAYMENTS_DSN"])


def on_refund_requested(channel, method, properties, body: bytes) -> None:
    request = json.loads(body)
    with conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO processed_messages (message_id) VALUES (%s) ON CONFLICT DO NOTHING",
            (properties.message_id,),
        )
        if cur.rowcount == 0:
            channel.basic_ack(delivery_tag=method.delivery_tag)
            return
        cur.execute(
            "INSERT INTO refunds (charge_id, amount_cents) VALUES (%s, %s)",
            (request["charge_id"], request["amount_cents"]),
        )
    channel.basic_ack(delivery_tag=method.delivery_tag)


def main() -> None:
    connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
    channel = connection.channel()
    channel.basic_consume(queue="refunds.requested", on_message_callback=on_refund_requested)
    channel.start_consuming()


if __name__ == "__main__":
    main()
