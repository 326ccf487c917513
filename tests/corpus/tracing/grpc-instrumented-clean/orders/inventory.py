"""gRPC inventory client with the OpenTelemetry gRPC client instrumentation."""

import os

import grpc
from opentelemetry.instrumentation.grpc import GrpcInstrumentorClient

from orders.protos import inventory_pb2, inventory_pb2_grpc

GrpcInstrumentorClient().instrument()
stub = inventory_pb2_grpc.InventoryStub(grpc.insecure_channel(os.environ["INVENTORY_URL"]))


def reserve(sku: str, qty: int) -> str:
    reply = stub.Reserve(inventory_pb2.ReserveRequest(sku=sku, quantity=qty), timeout=2.0)
    return reply.reservation_id
