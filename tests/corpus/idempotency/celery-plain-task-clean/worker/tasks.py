"""Celery tasks with the default early ack: a task runs at most once."""

import os

import redis
from celery import Celery

app = Celery("worker", broker=os.environ.get("BROKER_URL", "redis://redis:6379/1"))
r = redis.Redis(host="redis", port=6379, db=2)


@app.task
def count_signup(day: str) -> None:
    r.hincrby("signups", day, 1)


@app.task(bind=True, max_retries=3, ignore_result=True)
def bump_views(self, article_id: int) -> None:
    r.incr(f"views:{article_id}")
