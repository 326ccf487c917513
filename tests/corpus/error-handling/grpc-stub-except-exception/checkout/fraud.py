import logging
import os

import grpc

from checkout.gen import fraud_pb2, fraud_pb2_grpc

log = logging.getLogger(__name__)

channel = grpc.insecure_channel(os.environ.get("FRAUD_ADDR", "fraud:50051"))
fraud = fraud_pb2_grpc.FraudCheckStub(channel)


def risk_score(order_id: str, amount_cents: int, country: str) -> float:
    score = 0.0
    try:
        reply = fraud.Score(  # expect: SP001
            fraud_pb2.ScoreRequest(order_id=order_id, amount_cents=amount_cents, country=country),
            timeout=0.5,
        )
        score = reply.score
    except Exception as exc:
        log.info("fraud check skipped: %s", exc)
    return score
