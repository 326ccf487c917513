"""What the saga orchestrator raises besides the kit's shared errors."""

from __future__ import annotations

from stormproof.kit.errors import KitError, RejectedError


class SagaConflictError(KitError):
    """A saga id already in the log was started again as another saga or with another input.
    A saga id is the saga's identity (like an idempotency key): reusing it for different work
    is a bug in the caller, never something to run."""

    def __init__(self, saga_id: str, message: str) -> None:
        self.saga_id = saga_id
        super().__init__(message)


class SagaInProgressError(RejectedError):
    """The saga is being run right now by someone else: another thread or task of this
    orchestrator, or another coordinator whose lease on it has not run out. Nothing was run;
    ask again later (start returns the outcome once the saga has finished). ``name`` is the
    saga id."""
