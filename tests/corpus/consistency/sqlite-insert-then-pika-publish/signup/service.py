"""User signup: store the user, then tell the mailer over RabbitMQ."""

import json
import sqlite3
import uuid

import pika


class SignupService:
    def __init__(self, db_path: str, amqp_url: str) -> None:
        self.db = sqlite3.connect(db_path, check_same_thread=False)
        self.connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
        self.channel = self.connection.channel()
        self.channel.queue_declare(queue="welcome-emails", durable=True)

    def register(self, email: str, name: str) -> str:
        user_id = str(uuid.uuid4())
        with self.db:
            self.db.execute(
                "INSERT INTO users (id, email, name) VALUES (?, ?, ?)", (user_id, email, name)
            )
        self.channel.basic_publish(  # expect: SP902
            exchange="",
            routing_key="welcome-emails",
            body=json.dumps({"user_id": user_id, "email": email}),
            properties=pika.BasicProperties(delivery_mode=2),
        )
        return user_id

    def find(self, email: str) -> str | None:
        row = self.db.execute("SELECT id FROM users WHERE email = ?", (email,)).fetchone()
        return row[0] if row else None
