"""SQS worker: marks the job done, then deletes the message (acknowledging, not publishing)."""

import json
import os

import boto3
import psycopg2

sqs = boto3.client("sqs", region_name=os.getenv("AWS_REGION", "eu-west-1"))
QUEUE_URL = os.environ["JOBS_QUEUE_URL"]
conn = psycopg2.connect(os.environ["JOBS_DSN"])


def handle(message: dict) -> None:
    body = json.loads(message["Body"])
    with conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO processed (message_id) VALUES (%s) ON CONFLICT DO NOTHING",
            (message["MessageId"],),
        )
        cur.execute("UPDATE jobs SET status = 'done' WHERE id = %s", (body["job_id"],))
    sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=message["ReceiptHandle"])
    sqs.change_message_visibility(QueueUrl=QUEUE_URL, ReceiptHandle="", VisibilityTimeout=0)


def poll() -> None:
    while True:
        resp = sqs.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=20, MaxNumberOfMessages=10)
        for message in resp.get("Messages", []):
            handle(message)
