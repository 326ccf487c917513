"""Analytics sink: auto_ack means at-most-once delivery, so a message never arrives twice."""

import json
import sqlite3

import pika

db = sqlite3.connect("analytics.db")


def on_event(ch, method, properties, body: bytes) -> None:
    event = json.loads(body)
    db.execute("INSERT INTO page_views (path, user_id) VALUES (?, ?)", (event["path"], event["user"]))
    db.commit()


connection = pika.BlockingConnection(pika.ConnectionParameters(host="rabbitmq"))
channel = connection.channel()
channel.queue_declare(queue="page-views")
channel.basic_consume(queue="page-views", on_message_callback=on_event, auto_ack=True)
channel.start_consuming()
