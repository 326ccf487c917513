import os

import grpc

from orders.gen import pricing_pb2, pricing_pb2_grpc

PRICING_TARGET = os.getenv("PRICING_URL", "pricing:50051")
channel = grpc.insecure_channel(PRICING_TARGET)
stub = pricing_pb2_grpc.PricingStub(channel)


def quote(sku: str) -> int:
    reply = stub.Quote(pricing_pb2.QuoteRequest(sku=sku), timeout=2.0)
    return reply.cents
