"""SQS poller: a redis marker per message id, checked before the receipt is stored."""

import json
import os
import sqlite3

import boto3
import redis

sqs = boto3.client("sqs")
markers = redis.Redis.from_url(os.environ["REDIS_URL"])
db = sqlite3.connect("receipts.db")
QUEUE_URL = os.environ["RECEIPTS_QUEUE_URL"]


def handle(message: dict) -> None:
    message_id = message["MessageId"]
    if markers.exists(f"receipt-done:{message_id}"):
        return
    receipt = json.loads(message["Body"])
    db.execute("INSERT INTO receipts (order_id, total) VALUES (?, ?)", (receipt["order_id"], receipt["total"]))
    db.commit()
    markers.set(f"receipt-done:{message_id}", 1, ex=14 * 86400)


def main() -> None:
    while True:
        batch = sqs.receive_message(QueueUrl=QUEUE_URL, MaxNumberOfMessages=10, WaitTimeSeconds=20)
        for message in batch.get("Messages", []):
            handle(message)
            sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=message["ReceiptHandle"])


if __name__ == "__main__":
    main()
