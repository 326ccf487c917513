import os
from typing import Any

import boto3
import redis
import stripe

s3 = boto3.client("s3", endpoint_url=os.environ.get("S3_ENDPOINT"))
queue = redis.Redis(host=os.environ.get("REDIS_HOST", "redis"), socket_timeout=2)
stripe.api_key = os.environ.get("STRIPE_KEY", "")

BUCKET = os.environ.get("UPLOADS_BUCKET", "uploads")


def store(key: str, data: bytes) -> str:
    s3.put_object(Bucket=BUCKET, Key=key, Body=data)
    queue.lpush("uploads:new", key)
    return f"s3://{BUCKET}/{key}"


def fetch(key: str) -> bytes:
    obj = s3.get_object(Bucket=BUCKET, Key=key)
    return obj["Body"].read()


def remove(key: str) -> None:
    s3.delete_object(Bucket=BUCKET, Key=key)
    queue.delete(f"upload:{key}:meta")


def charge(customer: str, amount_cents: int) -> Any:
    return stripe.PaymentIntent.create(customer=customer, amount=amount_cents, currency="eur")


def options(metadata: dict[str, str]) -> dict[str, str]:
    return {"region": metadata.get("region", "eu-west-1"), "acl": metadata.get("acl", "private")}
