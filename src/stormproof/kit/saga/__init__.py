"""Durable sagas: steps with actions and compensations, logged in SQLite before each step, so
that a coordinator that crashes mid-saga resumes it at start-up, forward or in reverse,
exactly where its log says it stands.

    book_trip = Saga(
        Step("charge", charge, compensation=refund),
        Step("flight", reserve_flight, compensation=cancel_flight),
        Step("hotel", reserve_hotel, compensation=cancel_hotel),
    )
    orchestrator = Orchestrator(SagaLog("data/sagas.db"), {"book-trip": book_trip},
                                owner="booking")
    orchestrator.recover()  # at start-up
    result = orchestrator.start("book-trip", booking_id, {"customer": "ada", "amount": 120})

Every action and compensation gets a :class:`StepContext` whose ``idempotency_key`` it sends
downstream, so that calling it again after a crash has no second effect.
"""

from stormproof.kit.saga.definition import Saga, Step, StepContext
from stormproof.kit.saga.errors import SagaConflictError, SagaInProgressError
from stormproof.kit.saga.log import SagaLog
from stormproof.kit.saga.orchestrator import Orchestrator
from stormproof.kit.saga.retry import CompensationRetry
from stormproof.kit.saga.state import EventKind, SagaEvent, SagaResult, SagaStatus

__all__ = [
    "CompensationRetry",
    "EventKind",
    "Orchestrator",
    "Saga",
    "SagaConflictError",
    "SagaEvent",
    "SagaInProgressError",
    "SagaLog",
    "SagaResult",
    "SagaStatus",
    "Step",
    "StepContext",
]
