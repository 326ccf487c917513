"""RabbitMQ consumer: sends the confirmation e-mail for each booking."""

import json
import os

import pika
import requests

MAIL_API = os.environ.get("MAIL_API", "https://mail.example.com/v1")


def on_message(channel, method, properties, body: bytes) -> None:  # expect: SP402
    booking = json.loads(body)
    resp = requests.post(
        f"{MAIL_API}/messages",
        json={"to": booking["email"], "template": "booking-confirmed", "vars": booking},
        timeout=10,
    )
    resp.raise_for_status()
    channel.basic_ack(delivery_tag=method.delivery_tag)


def main() -> None:
    params = pika.URLParameters(os.environ.get("AMQP_URL", "amqp://guest:guest@rabbitmq:5672/"))
    connection = pika.BlockingConnection(params)
    channel = connection.channel()
    channel.queue_declare(queue="bookings.confirmed", durable=True)
    channel.basic_qos(prefetch_count=10)
    channel.basic_consume(queue="bookings.confirmed", on_message_callback=on_message)
    channel.start_consuming()


if __name__ == "__main__":
    main()
