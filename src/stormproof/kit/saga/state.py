"""A saga's state as its log tells it: the events, and what replaying them says.

The events are the source of truth. The orchestrator keeps its view of a running saga by
applying each event it has just committed to a :class:`Progress`, the same way the log is
replayed after a crash, so the view before a crash and the view after it cannot differ."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

SagaStatus = Literal["running", "compensating", "completed", "compensated"]


class EventKind(StrEnum):
    """The transitions written to the log, each committed before the code that follows it."""

    STARTED = "started"
    """The saga and its input are in the log; no step has run."""
    RESUMED = "resumed"
    """A coordinator took an unfinished saga over (after a crash, or a lease that ran out)."""
    STEP_BEGUN = "step_begun"
    """The step's action is about to be called; until STEP_DONE, its outcome is unknown."""
    STEP_DONE = "step_done"
    """The action returned; ``data`` is its result."""
    STEP_FAILED = "step_failed"
    """The action raised; ``data["error"]`` says what. Always followed by COMPENSATING."""
    COMPENSATING = "compensating"
    """The saga turned back; ``data`` names the failed step and its error."""
    COMPENSATION_BEGUN = "compensation_begun"
    """The step's compensation is about to be called (and retried until it succeeds)."""
    COMPENSATION_FAILED = "compensation_failed"
    """One attempt of the compensation raised; ``data`` has the ``attempt`` and ``error``."""
    COMPENSATION_DONE = "compensation_done"
    """The compensation succeeded."""
    COMPLETED = "completed"
    """Every action completed. Final."""
    COMPENSATED = "compensated"
    """Every begun step was compensated. Final."""


STATUS_AFTER: Mapping[EventKind, SagaStatus] = {
    EventKind.STARTED: "running",
    EventKind.COMPENSATING: "compensating",
    EventKind.COMPLETED: "completed",
    EventKind.COMPENSATED: "compensated",
}
FINAL: frozenset[SagaStatus] = frozenset({"completed", "compensated"})


def encode(value: Any) -> str:
    """The JSON the log holds: strict (no NaN, no objects JSON does not know) and canonical
    (compact, keys sorted once JSON has made them all strings), so that equal data is equal
    text. Raises TypeError or ValueError for what JSON cannot hold."""
    strict = json.dumps(value, separators=(",", ":"), allow_nan=False)
    return json.dumps(json.loads(strict), sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class SagaEvent:
    """One committed transition; ``seq`` counts from 1 per saga, ``at`` is wall-clock time."""

    seq: int
    kind: EventKind
    step: str | None
    data: Any
    at: float


@dataclass(slots=True)
class Progress:
    """Where a saga stands, from its events: which steps began, which completed (their
    results, as logged JSON), which were compensated, and how often compensations failed."""

    status: SagaStatus = "running"
    results: dict[str, str] = field(default_factory=dict)
    begun: set[str] = field(default_factory=set)
    compensated: set[str] = field(default_factory=set)
    compensation_failures: dict[str, int] = field(default_factory=dict)
    failed_step: str | None = None
    error: str | None = None

    @classmethod
    def replay(cls, events: Iterable[SagaEvent]) -> Progress:
        progress = cls()
        for event in events:
            progress.apply(event)
        return progress

    def apply(self, event: SagaEvent) -> None:
        self.status = STATUS_AFTER.get(event.kind, self.status)
        step = event.step or ""
        match event.kind:
            case EventKind.STEP_BEGUN:
                self.begun.add(step)
            case EventKind.STEP_DONE:
                self.results[step] = encode(event.data)
            case EventKind.STEP_FAILED:
                self.failed_step, self.error = step, event.data["error"]
            case EventKind.COMPENSATION_FAILED:
                self.compensation_failures[step] = event.data["attempt"]
            case EventKind.COMPENSATION_DONE:
                self.compensated.add(step)

    def decoded_results(self) -> dict[str, Any]:
        """The completed actions' results, decoded afresh (a copy nobody else holds)."""
        return {step: json.loads(result) for step, result in self.results.items()}


@dataclass(frozen=True, slots=True)
class SagaResult:
    """A saga as the log has it. ``start`` and ``recover`` return it once the saga is final:
    ``status`` is "completed", or "compensated" with ``failed_step`` and ``error`` (the
    exception's type and message) saying why. ``results`` are the completed actions' results
    (kept after they were compensated); ``events`` the whole log of the saga."""

    saga_id: str
    name: str
    status: SagaStatus
    input: Any
    results: Mapping[str, Any]
    error: str | None
    failed_step: str | None
    events: tuple[SagaEvent, ...]

    @classmethod
    def from_events(
        cls, saga_id: str, name: str, input: Any, events: tuple[SagaEvent, ...]
    ) -> SagaResult:
        progress = Progress.replay(events)
        return cls(
            saga_id=saga_id,
            name=name,
            status=progress.status,
            input=input,
            results=progress.decoded_results(),
            error=progress.error,
            failed_step=progress.failed_step,
            events=events,
        )
