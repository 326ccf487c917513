import os
from decimal import Decimal

import grpc

from checkout.gen import pricing_pb2, pricing_pb2_grpc

PRICING_ADDR = os.environ.get("PRICING_ADDR", "pricing:50051")
DEADLINE_S = float(os.environ.get("PRICING_DEADLINE_S", "1.5"))

_channel = grpc.insecure_channel(PRICING_ADDR)
_stub = pricing_pb2_grpc.PricingStub(_channel)


def quote(sku: str, quantity: int, customer_tier: str) -> Decimal:
    request = pricing_pb2.QuoteRequest(sku=sku, quantity=quantity, tier=customer_tier)
    reply = _stub.Quote(request, timeout=DEADLINE_S, metadata=(("x-service", "checkout"),))
    return Decimal(reply.amount)


def bulk_quote(items: list[tuple[str, int]], tier: str) -> list[Decimal]:
    requests = (pricing_pb2.QuoteRequest(sku=s, quantity=q, tier=tier) for s, q in items)
    replies = _stub.QuoteStream(requests, timeout=DEADLINE_S * len(items))
    return [Decimal(r.amount) for r in replies]


def build_request(sku: str) -> pricing_pb2.QuoteRequest:
    message = pricing_pb2.QuoteRequest(sku=sku, quantity=1)
    message.MergeFromString(message.SerializeToString())
    return message


def shutdown() -> None:
    _channel.close()
