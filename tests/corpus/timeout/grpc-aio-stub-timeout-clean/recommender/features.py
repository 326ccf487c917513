import os

import grpc

from recommender.proto import features_pb2, features_pb2_grpc

FEATURES_ADDR = os.environ.get("FEATURES_ADDR", "features:50051")


class FeatureStore:
    def __init__(self, deadline_s: float = 0.3) -> None:
        self._deadline_s = deadline_s
        self._channel = grpc.aio.insecure_channel(FEATURES_ADDR)
        self._stub = features_pb2_grpc.FeatureStoreStub(self._channel)

    async def user_vector(self, user_id: str) -> list[float]:
        reply = await self._stub.GetUserVector(
            features_pb2.UserRequest(user_id=user_id), timeout=self._deadline_s
        )
        return list(reply.values)

    async def item_vectors(self, item_ids: list[str]) -> dict[str, list[float]]:
        reply = await self._stub.GetItemVectors(
            features_pb2.ItemsRequest(item_ids=item_ids), timeout=self._deadline_s * 2
        )
        return {v.item_id: list(v.values) for v in reply.vectors}

    async def close(self) -> None:
        await self._channel.close()
