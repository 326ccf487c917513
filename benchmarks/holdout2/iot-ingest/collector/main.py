"""Collector: validates reading batches and appends them to the telemetry topic."""

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiokafka import AIOKafkaProducer
from fastapi import FastAPI, Request
from pydantic import BaseModel, Field

TOPIC = "telemetry"


class Reading(BaseModel):
    reading_id: str
    metric: str
    value: float = Field(allow_inf_nan=False)
    taken_at: str


class Batch(BaseModel):
    device_id: str
    readings: list[Reading] = Field(max_length=500)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    producer = AIOKafkaProducer(
        bootstrap_servers=os.environ["KAFKA_BOOTSTRAP"],
        acks="all",
        enable_idempotence=True,
        value_serializer=lambda value: json.dumps(value).encode(),
    )
    await producer.start()
    app.state.producer = producer
    yield
    await producer.stop()


app = FastAPI(title="collector", lifespan=lifespan)


@app.post("/readings", status_code=202)
async def accept(batch: Batch, request: Request) -> dict[str, int]:
    producer: AIOKafkaProducer = request.app.state.producer
    for reading in batch.readings:
        await producer.send_and_wait(
            TOPIC,
            key=batch.device_id.encode(),
            value={"device_id": batch.device_id, **reading.model_dump()},
        )
    return {"queued": len(batch.readings)}
