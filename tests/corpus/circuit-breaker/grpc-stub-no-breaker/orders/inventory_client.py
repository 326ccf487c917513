"""gRPC client for the inventory service."""

import os

import grpc

from orders.protos import inventory_pb2, inventory_pb2_grpc

_channel = grpc.insecure_channel(os.environ.get("INVENTORY_URL", "inventory:50051"))
_stub = inventory_pb2_grpc.InventoryStub(_channel)


def reserve(sku: str, quantity: int) -> str:
    request = inventory_pb2.ReserveRequest(sku=sku, quantity=quantity)
    reply = _stub.Reserve(request, timeout=2.0)  # expect: SP301
    return reply.reservation_id


def release(reservation_id: str) -> None:
    _stub.Release(  # expect: SP301
        inventory_pb2.ReleaseRequest(reservation_id=reservation_id), timeout=2.0
    )


def stock_level(sku: str) -> int:
    return _stub.GetStock(inventory_pb2.StockRequest(sku=sku), timeout=1.0).quantity  # expect: SP301
