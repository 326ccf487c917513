"""Polls the fulfilment queue and asks the warehouse to pick each order."""

import json
import os

import boto3
import httpx

QUEUE_URL = os.environ["FULFILMENT_QUEUE_URL"]
WAREHOUSE_URL = os.environ["WAREHOUSE_URL"]

sqs = boto3.client("sqs", region_name=os.environ.get("AWS_REGION", "eu-west-1"))
http = httpx.Client(timeout=10.0)


def poll_forever() -> None:
    while True:  # expect: SP402
        resp = sqs.receive_message(QueueUrl=QUEUE_URL, MaxNumberOfMessages=10, WaitTimeSeconds=20)
        for msg in resp.get("Messages", []):
            order = json.loads(msg["Body"])
            pick = http.post(f"{WAREHOUSE_URL}/picks", json={"order_id": order["id"], "lines": order["lines"]})
            pick.raise_for_status()
            sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=msg["ReceiptHandle"])


if __name__ == "__main__":
    poll_forever()
