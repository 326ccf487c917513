"""gRPC inventory client without the gRPC client instrumentation."""

import os

import grpc
from opentelemetry.instrumentation.requests import RequestsInstrumentor

from orders.protos import inventory_pb2, inventory_pb2_grpc

RequestsInstrumentor().instrument()

channel = grpc.insecure_channel(os.environ["INVENTORY_URL"])
stub = inventory_pb2_grpc.InventoryStub(channel)


def reserve(sku: str, qty: int) -> str:
    reply = stub.Reserve(inventory_pb2.ReserveRequest(sku=sku, quantity=qty), timeout=2.0)  # expect: SP601
    return reply.reservation_id


def release(reservation_id: str) -> None:
    stub.Release(inventory_pb2.ReleaseRequest(reservation_id=reservation_id), timeout=2.0)  # expect: SP601
