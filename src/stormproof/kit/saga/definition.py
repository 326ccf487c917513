"""What a saga is: an ordered list of steps, each an action and the compensation that undoes it,
and the context every call of either receives.

A step's action and compensation are called with a :class:`StepContext` and may be plain or
``async`` functions. Both must be safe to run more than once, because after a crash the
orchestrator cannot know whether a call that was under way took effect: it calls again with
the same :attr:`StepContext.idempotency_key`, which the step sends downstream (as an
``Idempotency-Key`` header, a unique column) so that the second call changes nothing. A
compensation must also be safe when its action never took effect (a refund of a charge that
was never made finds nothing to refund): a step whose action raised, or was cut off by a
crash, is compensated all the same, because it may have had its effect before it failed.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from stormproof.kit.errors import ConfigurationError

Phase = Literal["action", "compensation"]
StepFn = Callable[["StepContext"], Any] | Callable[["StepContext"], Awaitable[Any]]


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Final = _Missing()


@dataclass(frozen=True, slots=True)
class StepContext:
    """What one call of an action or a compensation gets.

    ``input`` is the saga's input and ``results`` the results of the actions that completed
    (for an action, those before it; for a compensation, every completed one, its own
    included when its action completed). Both are freshly decoded from the log's JSON, so a
    call sees exactly what a call after a crash would see; changing them changes nothing."""

    saga_id: str
    saga: str
    step: str
    phase: Phase
    input: Any
    results: Mapping[str, Any]

    @property
    def idempotency_key(self) -> str:
        """The key to send downstream: the same for every attempt of this call, across retries
        and crashes, and different for every other call (``"{saga_id}:{step}:{phase}"``)."""
        return f"{self.saga_id}:{self.step}:{self.phase}"

    @property
    def action_key(self) -> str:
        """The key this step's action sends: what a compensation looks its effect up by when
        the action's result never reached the log."""
        return f"{self.saga_id}:{self.step}:action"


def is_coroutine_callable(fn: object) -> bool:
    """Whether calling ``fn`` returns a coroutine (an async function, a partial of one, an
    object with an async ``__call__``)."""
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(
        getattr(fn, "__call__", None)  # noqa: B004 - an object with an async __call__
    )


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a saga: ``Step("charge", charge, compensation=refund)``.

    ``compensation`` must be given: a callable that undoes the action, or ``None`` to say
    that there is nothing to undo (a read, a notification that may stand). Leaving it out is
    a :class:`~stormproof.kit.errors.ConfigurationError`, so that a forgotten undo cannot
    pass for a deliberate one. The action's return value is logged as JSON and handed to
    later steps and to the compensations; a compensation's return value is ignored."""

    name: str
    action: StepFn
    compensation: StepFn | _Missing | None = MISSING

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ConfigurationError(f"a step name must be a non-empty string, not {self.name!r}")
        if not callable(self.action):
            raise ConfigurationError(f"step {self.name!r}: action must be callable")
        if self.compensation is MISSING:
            raise ConfigurationError(
                f"step {self.name!r} has no compensation: pass compensation=<callable> to undo "
                "its action, or compensation=None to say that there is nothing to undo"
            )
        if self.compensation is not None and not callable(self.compensation):
            raise ConfigurationError(
                f"step {self.name!r}: compensation must be callable or None, "
                f"not {self.compensation!r}"
            )

    @property
    def is_async(self) -> bool:
        """Whether the action or the compensation is a coroutine function."""
        return is_coroutine_callable(self.action) or is_coroutine_callable(self.compensation)


class Saga:
    """An ordered list of steps: ``Saga(Step(...), Step(...), ...)``. Actions run in order;
    when one fails, the compensations of the steps begun so far run in reverse order.

    Step names must be unique: they name the steps in the log and in the idempotency keys.
    The step names and their order must not change while sagas of this definition are
    unfinished in a log (the orchestrator refuses to resume a saga whose logged steps differ
    from its definition)."""

    __slots__ = ("steps",)

    def __init__(self, *steps: Step) -> None:
        if not steps:
            raise ConfigurationError("a saga needs at least one step")
        for step in steps:
            if not isinstance(step, Step):
                raise ConfigurationError(f"a saga's steps must be Step objects, not {step!r}")
        names = [step.name for step in steps]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ConfigurationError(f"step names must be unique; repeated: {duplicates}")
        self.steps: tuple[Step, ...] = steps

    def __repr__(self) -> str:
        return f"Saga({', '.join(repr(step.name) for step in self.steps)})"

    @property
    def step_names(self) -> tuple[str, ...]:
        return tuple(step.name for step in self.steps)

    @property
    def is_async(self) -> bool:
        """Whether any step is async (such a saga runs only under ``start_async``)."""
        return any(step.is_async for step in self.steps)
