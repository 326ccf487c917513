"""Click tracking: events go straight to Kafka; nothing is stored here."""

import json
import os
import time

from fastapi import FastAPI, Request
from kafka import KafkaProducer

app = FastAPI()
producer = KafkaProducer(bootstrap_servers=os.environ["KAFKA_BOOTSTRAP"], linger_ms=20)


@app.post("/events/click", status_code=202)
async def click(request: Request) -> dict:
    body = await request.json()
    event = {"ts": time.time(), "page": body.get("page"), "target": body.get("target")}
    producer.send("clicks", json.dumps(event).encode(), key=str(body.get("session")).encode())
    return {"accepted": True}


@app.on_event("shutdown")
def flush() -> None:
    producer.flush(timeout=5)
    producer.close()
