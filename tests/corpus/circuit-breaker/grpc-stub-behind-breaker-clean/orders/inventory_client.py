"""gRPC inventory client; every RPC goes through the breaker."""

import os

import grpc
import pybreaker

from orders.protos import inventory_pb2, inventory_pb2_grpc

inventory_breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30)


class InventoryClient:
    def __init__(self) -> None:
        channel = grpc.insecure_channel(os.environ["INVENTORY_URL"])
        self.stub = inventory_pb2_grpc.InventoryStub(channel)

    def reserve(self, sku: str, quantity: int) -> str:
        with inventory_breaker.calling():
            reply = self.stub.Reserve(
                inventory_pb2.ReserveRequest(sku=sku, quantity=quantity), timeout=2.0
            )
        return reply.reservation_id

    @inventory_breaker
    def release(self, reservation_id: str) -> None:
        self.stub.Release(inventory_pb2.ReleaseRequest(reservation_id=reservation_id), timeout=2.0)
