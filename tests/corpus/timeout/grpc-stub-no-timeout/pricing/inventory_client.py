import os

import grpc

from pricing.protos import inventory_pb2, inventory_pb2_grpc

INVENTORY_ADDR = os.environ.get("INVENTORY_GRPC_ADDR", "inventory:50051")
RPC_TIMEOUT_S = float(os.environ.get("RPC_TIMEOUT_S", "2.0"))


class InventoryClient:
    def __init__(self) -> None:
        self._channel = grpc.insecure_channel(INVENTORY_ADDR)
        self._stub = inventory_pb2_grpc.InventoryServiceStub(self._channel)

    def stock_level(self, sku: str) -> int:
        reply = self._stub.GetStock(inventory_pb2.StockRequest(sku=sku), timeout=RPC_TIMEOUT_S)
        return reply.quantity

    def reserve(self, sku: str, quantity: int, order_id: str) -> str:
        request = inventory_pb2.ReserveRequest(sku=sku, quantity=quantity, order_id=order_id)
        reply = self._stub.Reserve(request)  # expect: SP101
        return reply.reservation_id

    def release(self, reservation_id: str) -> None:
        self._stub.Release(  # expect: SP101
            inventory_pb2.ReleaseRequest(reservation_id=reservation_id),
            metadata=(("x-caller", "pricing"),),
        )

    def close(self) -> None:
        self._channel.close()


def warm_up() -> bool:
    channel = grpc.insecure_channel(INVENTORY_ADDR)
    try:
        grpc.channel_ready_future(channel).result(timeout=3)
        return True
    except grpc.FutureTimeoutError:
        return False
    finally:
        channel.close()
