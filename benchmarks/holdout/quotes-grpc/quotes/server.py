"""Quote service (gRPC): prices a basket from list prices, discounts and FX rates."""

import json
import logging
import os
import urllib.request
import uuid
from concurrent import futures

import backoff
import grpc
import pybreaker
import redis

from quotes.gen import pricing_pb2, pricing_pb2_grpc, quotes_pb2, quotes_pb2_grpc

log = logging.getLogger("quotes")

FX_URL = os.environ["FX_URL"]
PRICING_DEADLINE_S = 1.5
QUOTE_TTL_S = 15 * 60
DAILY_QUOTE_LIMIT = 500

pricing = pricing_pb2_grpc.PricingServiceStub(
    grpc.insecure_channel(os.environ["PRICING_GRPC_TARGET"])
)
pricing_breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30)
store = redis.Redis.from_url(os.environ["QUOTES_REDIS_URL"])


@backoff.on_exception(backoff.expo, grpc.RpcError)
@pricing_breaker
def base_price(sku: str) -> int:
    """The list price of one unit, in minor units."""
    reply = pricing.GetBasePrice(pricing_pb2.BasePriceRequest(sku=sku), timeout=PRICING_DEADLINE_S)
    return reply.unit_minor


@backoff.on_exception(backoff.constant, grpc.RpcError, max_tries=3, interval=0.5)
def best_discount(customer_id: str, sku: str) -> int:
    reply = pricing.ListDiscounts(pricing_pb2.DiscountsRequest(customer_id=customer_id, sku=sku))
    return max(reply.percent_off, default=0)


def fx_rate(currency: str) -> float:
    """EUR → currency; quotes fall back to EUR parity when the FX service is down."""
    if currency == "EUR":
        return 1.0
    try:
        with urllib.request.urlopen(f"{FX_URL}/rates/{currency}") as resp:
            return float(json.load(resp)["rate"])
    except Exception:
        log.warning("fx rate for %s unavailable, using parity", currency)
    return 1.0


class QuoteServicer(quotes_pb2_grpc.QuoteServiceServicer):
    def CreateQuote(self, request, context):
        if request.quantity <= 0:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "quantity must be positive")
        quota_key = f"quota:{request.customer_id}"
        used = int(store.get(quota_key) or 0)
        if used >= DAILY_QUOTE_LIMIT:
            context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, "daily quote limit reached")
        store.set(quota_key, used + 1, ex=24 * 3600)
        unit = base_price(request.sku)
        discount = best_discount(request.customer_id, request.sku)
        total = round(unit * request.quantity * (100 - discount) / 100 * fx_rate(request.currency))
        quote = quotes_pb2.Quote(
            id=str(uuid.uuid4()),
            sku=request.sku,
            quantity=request.quantity,
            total_minor=total,
            currency=request.currency,
        )
        store.set(f"quote:{quote.id}", quote.SerializeToString(), ex=QUOTE_TTL_S)
        return quote

    def GetQuote(self, request, context):
        raw = store.get(f"quote:{request.id}")
        if raw is None:
            context.abort(grpc.StatusCode.NOT_FOUND, "quote expired or unknown")
        return quotes_pb2.Quote.FromString(raw)


def serve(port: int) -> None:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    quotes_pb2_grpc.add_QuoteServiceServicer_to_server(QuoteServicer(), server)
    server.add_insecure_port(f"[::]:{port}")
    server.start()
    log.info("quotes listening on %d", port)
    server.wait_for_termination()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    serve(int(os.getenv("PORT", "50051")))
