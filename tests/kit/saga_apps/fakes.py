"""In-process stand-ins for the saga tests: a downstream service that applies each effect once
per idempotency key and can be told to fail or "crash" at a given call, and a saga whose
steps all call it."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from stormproof.kit.saga import Saga, Step, StepContext

When = Literal["before", "after"]


class Crash(BaseException):
    """Stands for the process dying mid-call: not an Exception, so the orchestrator neither
    logs it nor compensates; it propagates and leaves the saga unfinished in the log."""


@dataclass
class Fault:
    """Raise ``error`` before the call's effect is applied, or after (effect done, answer
    lost)."""

    error: BaseException
    when: When = "before"


@dataclass
class Service:
    """Records every call as ``(step, phase, key)``; applies an effect at most once per key
    (a compensation only when its action's effect exists); answers an action with the
    number of the call that first applied it and the names of the results it was given."""

    calls: list[tuple[str, str, str]] = field(default_factory=list)
    effects: dict[str, int] = field(default_factory=dict)
    faults: dict[tuple[str, str], list[Fault]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, step: str, phase: str, *faults: Fault) -> None:
        """Apply ``faults`` to the next calls of the step's phase, one per call, in order."""
        self.faults.setdefault((step, phase), []).extend(faults)

    def call(self, context: StepContext) -> dict[str, Any] | None:
        with self.lock:
            self.calls.append((context.step, context.phase, context.idempotency_key))
            pending = self.faults.get((context.step, context.phase))
            fault = pending.pop(0) if pending else None
            if fault is not None and fault.when == "before":
                raise fault.error
            undoing_nothing = (
                context.phase == "compensation" and context.action_key not in self.effects
            )
            if not undoing_nothing:
                self.effects.setdefault(context.idempotency_key, len(self.calls))
            if fault is not None:
                raise fault.error
            if context.phase == "compensation":
                return None
            return {"id": self.effects[context.idempotency_key], "saw": sorted(context.results)}

    def keys(self, phase: str | None = None) -> list[str]:
        return [key for _, called, key in self.calls if phase in (None, called)]

    def order(self) -> list[tuple[str, str]]:
        return [(step, phase) for step, phase, _ in self.calls]


STEPS = ("charge", "flight", "hotel")


def trip(service: Service, steps: Iterable[str] = STEPS) -> Saga:
    return Saga(*(Step(name, service.call, compensation=service.call) for name in steps))
