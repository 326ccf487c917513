"""SQS poller writing shipments with ON CONFLICT DO NOTHING on the message id."""

import json
import os

import boto3
import psycopg

sqs = boto3.client("sqs")
QUEUE_URL = os.environ["QUEUE_URL"]


def main() -> None:
    with psycopg.connect(os.environ["FULFILMENT_DSN"], autocommit=True) as conn:
        while True:
            resp = sqs.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=20)
            for msg in resp.get("Messages", []):
                order = json.loads(msg["Body"])
                conn.execute(
                    "INSERT INTO shipments (message_id, order_id) VALUES (%s, %s) "
                    "ON CONFLICT (message_id) DO NOTHING",
                    (msg["MessageId"], order["id"]),
                )
                sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=msg["ReceiptHandle"])


if __name__ == "__main__":
    main()
