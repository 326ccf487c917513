"""Events are queued on the session and published by an after_commit listener."""

import json
import os

from kafka import KafkaProducer
from sqlalchemy import event
from sqlalchemy.orm import Session

producer = KafkaProducer(bootstrap_servers=os.environ["KAFKA_BOOTSTRAP"])


def record(session: Session, topic: str, payload: dict) -> None:
    session.info.setdefault("pending_events", []).append((topic, payload))


@event.listens_for(Session, "after_commit")
def publish_pending(session: Session) -> None:
    for topic, payload in session.info.pop("pending_events", []):
        producer.send(topic, json.dumps(payload).encode())


@event.listens_for(Session, "after_rollback")
def drop_pending(session: Session) -> None:
    session.info.pop("pending_events", None)
