"""SQS consumer with an inbox table: the message id is claimed before any work."""

import json
import os

import boto3
import psycopg

sqs = boto3.client("sqs")
QUEUE_URL = os.environ["BILLING_QUEUE_URL"]


def process(conn: psycopg.Connection, message: dict) -> None:
    claimed = conn.execute(
        "INSERT INTO inbox (message_id) VALUES (%s) ON CONFLICT (message_id) DO NOTHING",
        (message["MessageId"],),
    )
    if claimed.rowcount == 0:
        return
    invoice = json.loads(message["Body"])
    conn.execute(
        "INSERT INTO invoices (order_id, total) VALUES (%s, %s)",
        (invoice["order_id"], invoice["total"]),
    )


def main() -> None:
    with psycopg.connect(os.environ["BILLING_DSN"]) as conn:
        while True:
            batch = sqs.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=20)
            for message in batch.get("Messages", []):
                with conn.transaction():
                    process(conn, message)
                sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=message["ReceiptHandle"])


if __name__ == "__main__":
    main()
