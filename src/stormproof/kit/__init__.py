"""The resilience runtime that generated code should use: primitives that are right by
construction (safe defaults, bounded everything, clear errors), which ``stormproof check``
recognises as satisfying its rules.

Imports nothing else of stormproof at import time."""

import logging

from stormproof.kit.breaker import CircuitBreaker, CircuitMetrics, CircuitState
from stormproof.kit.breaker_redis import RedisBreakerState
from stormproof.kit.budget import RetryBudget, RetryBudgetMetrics
from stormproof.kit.bulkhead import Bulkhead, BulkheadMetrics
from stormproof.kit.client import AsyncClient, Client
from stormproof.kit.client_policy import breaker_for, budget_for
from stormproof.kit.deadline import DeadlineMiddleware
from stormproof.kit.errors import (
    BulkheadFullError,
    CircuitOpenError,
    ConfigurationError,
    DeadlineExceededError,
    KitError,
    RejectedError,
    RetryBudgetExhaustedError,
)
from stormproof.kit.idempotency import (
    IdempotencyMiddleware,
    IdempotencyStore,
    PostgresIdempotencyStore,
    RedisIdempotencyStore,
    SqliteIdempotencyStore,
)
from stormproof.kit.outbox import (
    Deduplicator,
    Event,
    Outbox,
    PostgresOutbox,
    Relay,
    RelayResult,
    SqliteOutbox,
)
from stormproof.kit.saga import (
    CompensationRetry,
    Orchestrator,
    Saga,
    SagaConflictError,
    SagaInProgressError,
    SagaLog,
    SagaResult,
    Step,
    StepContext,
)

# A library logs; the application decides where it goes (and nothing reaches stderr
# through logging's last-resort handler unless it asks).
logging.getLogger(__name__).addHandler(logging.NullHandler())

# `stormproof.kit.deadline` stays the module (deadline(), remaining(), check(), ...): its
# function of the same name is not re-exported, which would hide the module.
__all__ = [
    "AsyncClient",
    "Bulkhead",
    "BulkheadFullError",
    "BulkheadMetrics",
    "CircuitBreaker",
    "CircuitMetrics",
    "CircuitOpenError",
    "CircuitState",
    "Client",
    "CompensationRetry",
    "ConfigurationError",
    "DeadlineExceededError",
    "DeadlineMiddleware",
    "Deduplicator",
    "Event",
    "IdempotencyMiddleware",
    "IdempotencyStore",
    "KitError",
    "Orchestrator",
    "Outbox",
    "PostgresIdempotencyStore",
    "PostgresOutbox",
    "RedisBreakerState",
    "RedisIdempotencyStore",
    "RejectedError",
    "Relay",
    "RelayResult",
    "RetryBudget",
    "RetryBudgetExhaustedError",
    "RetryBudgetMetrics",
    "Saga",
    "SagaConflictError",
    "SagaInProgressError",
    "SagaLog",
    "SagaResult",
    "SqliteIdempotencyStore",
    "SqliteOutbox",
    "Step",
    "StepContext",
    "breaker_for",
    "budget_for",
]
