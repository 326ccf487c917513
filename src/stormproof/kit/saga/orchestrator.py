"""The orchestrator: runs sagas forward, compensates them in reverse when a step fails, and after
a crash resumes every unfinished one exactly where its log says it stands.

The guarantees, and what they ask of the steps:

- **Log first.** Every transition is committed to the :class:`~stormproof.kit.saga.log.SagaLog`
  before the code that depends on it runs: "step begun" before the action is called, "step
  done" (with its result) before the next step begins, "compensating" before the first
  compensation. A crash at any instant leaves a log that says what to do next.
- **Outcome unknown means possibly done.** A step whose action was cut off by a crash
  ("begun", never "done") may or may not have had its effect. Recovery is *forward*: the
  action is called again with the same idempotency key, which the downstream service uses to
  answer with the first call's outcome instead of acting twice. A step whose action *raised*
  may also have had its effect (the reply was lost, say), so when the saga turns back, that
  step is compensated too, as is every step that began, in reverse order; a compensation
  must therefore be a no-op when its action never took effect.
- **Compensations are retried until they succeed**, with the pauses of
  :class:`~stormproof.kit.saga.retry.CompensationRetry`; each failure is logged. A failing
  action is not retried: an action that may be retried should retry inside itself (with the
  kit's client, say) and raise only when the step should be given up.
- **A saga id is unique.** Starting a saga id that is already in the log runs nothing new: a
  final saga's outcome is returned, an unfinished one is continued, and one being run right
  now (by another thread here, or another coordinator) is refused with
  :class:`~stormproof.kit.saga.errors.SagaInProgressError`.

Between coordinators, a saga is run under a lease (``lease`` seconds, renewed every third of
it while the saga runs): another coordinator takes an unfinished saga over only once its lease
has lapsed, that is once its coordinator died or hung. A coordinator restarted under the same
``owner`` name takes its predecessor's sagas over at once, which is what a service with one
coordinator process wants: give it a stable ``owner`` (its service name; never shared by two
live processes, which would both believe they hold its sagas) and call
:meth:`Orchestrator.recover` at start-up. Under the default owner, unique to each
orchestrator, a dead coordinator's sagas wait for their leases to lapse, so also call
``recover()`` periodically (every ``lease`` seconds, say).

Steps run detached from the deadline of whoever started the saga
(:func:`stormproof.kit.deadline.detached`): a saga, once begun, runs to a final state even
when the request that started it has given up, since a caller's deadline that cut the
compensations short would leave the saga half done. Each step's calls stay bounded by their
own timeouts.

An exception that is not an ``Exception`` (KeyboardInterrupt, task cancellation) stops the
saga where it stands, as a crash would: nothing is logged for it, it propagates, and
``start`` with the same id or ``recover()`` resumes the saga later.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import os
import secrets
import socket
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from stormproof.kit import deadline
from stormproof.kit.errors import ConfigurationError
from stormproof.kit.saga.definition import (
    Phase,
    Saga,
    Step,
    StepContext,
    StepFn,
    is_coroutine_callable,
)
from stormproof.kit.saga.effects import Call, Process, Sleep, drive, drive_async
from stormproof.kit.saga.errors import SagaInProgressError
from stormproof.kit.saga.leases import Leases
from stormproof.kit.saga.log import NewEvent, SagaLog
from stormproof.kit.saga.retry import CompensationRetry
from stormproof.kit.saga.state import FINAL, EventKind, Progress, SagaResult, encode

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class _Run:
    """One saga being run: what it is, and where it stands (kept in step with the log)."""

    saga_id: str
    name: str
    saga: Saga
    input_json: str
    progress: Progress


class Orchestrator:
    """Runs the sagas in ``sagas`` (name → definition), logging them in ``log``::

        orchestrator = Orchestrator(SagaLog("data/sagas.db"), {"book-trip": book_trip},
                                    owner="booking")
        orchestrator.recover()                     # at start-up, before serving
        result = orchestrator.start("book-trip", booking_id, {"customer": "ada", ...})
        # or: await orchestrator.start_async(...), await orchestrator.recover_async()

    ``start`` returns a :class:`~stormproof.kit.saga.state.SagaResult` once the saga is
    final: "completed", or "compensated" with the failed step and its error (which is also
    in the log and logged as a warning). A saga with any async step runs only under the
    async methods; under those, plain steps run in worker threads.

    ``owner`` names this coordinator in the log (see the module's notes on leases);
    ``clock`` is wall-clock time (leases are compared between processes) and ``sleep`` the
    pause between compensation attempts (``time.sleep`` / ``asyncio.sleep`` by default), both
    injectable so that tests need not wait."""

    def __init__(
        self,
        log: SagaLog,
        sagas: Mapping[str, Saga],
        *,
        compensation_retry: CompensationRetry | None = None,
        owner: str | None = None,
        lease: float = 30.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        if not isinstance(sagas, Mapping) or not sagas:
            raise ConfigurationError(f"sagas must map names to Saga definitions, not {sagas!r}")
        for name, saga in sagas.items():
            if not isinstance(name, str) or not name:
                raise ConfigurationError(f"saga names must be non-empty strings, not {name!r}")
            if not isinstance(saga, Saga):
                raise ConfigurationError(f"saga {name!r} must be a Saga, not {saga!r}")
        retry = CompensationRetry() if compensation_retry is None else compensation_retry
        if not isinstance(retry, CompensationRetry):
            raise ConfigurationError(
                f"compensation_retry must be a CompensationRetry, not {compensation_retry!r}"
            )
        if owner is not None and (not isinstance(owner, str) or not owner):
            raise ConfigurationError(f"owner must be a non-empty string or None, not {owner!r}")
        if not (isinstance(lease, int | float) and 0 < lease < math.inf):
            raise ConfigurationError(f"lease must be a finite number of seconds > 0, not {lease!r}")
        if sleep is not None and not callable(sleep):
            raise ConfigurationError(f"sleep must be callable or None, not {sleep!r}")
        self.log = log
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.lease = float(lease)
        self._sagas = dict(sagas)
        self._retry = retry
        self._clock = clock
        self._sleep = sleep
        self._leases = Leases(self._renew, interval=self.lease / 3)

    def __repr__(self) -> str:
        return f"Orchestrator({self.log!r}, sagas={sorted(self._sagas)}, owner={self.owner!r})"

    def start(self, name: str, saga_id: str, input: Any = None) -> SagaResult:
        """Run saga ``name`` as ``saga_id`` with ``input`` (JSON data) to its end, or return
        the outcome of the saga already logged under that id (see the module's notes)."""
        saga, input_json = self._prepare(name, saga_id, input, sync=True)
        return drive(self._run(name, saga, saga_id, input_json))

    async def start_async(self, name: str, saga_id: str, input: Any = None) -> SagaResult:
        """:meth:`start` for the event loop."""
        saga, input_json = self._prepare(name, saga_id, input, sync=False)
        return await drive_async(self._run(name, saga, saga_id, input_json))

    def recover(self) -> list[SagaResult]:
        """Resume every unfinished saga in the log, oldest first, each to its end (forward if
        it was going forward, in reverse if it was compensating); return their outcomes.
        Sagas that another live coordinator holds are left to it. Raises ConfigurationError,
        before resuming anything, if the log holds an unfinished saga this orchestrator has
        no definition for, or whose steps differ from its definition."""
        return drive(self._recover(sync=True))

    async def recover_async(self) -> list[SagaResult]:
        """:meth:`recover` for the event loop."""
        return await drive_async(self._recover(sync=False))

    def _definition(self, name: str, *, sync: bool) -> Saga:
        saga = self._sagas.get(name)
        if saga is None:
            raise ConfigurationError(
                f"no saga named {name!r}; this orchestrator knows {sorted(self._sagas)}"
            )
        if sync and saga.is_async:
            raise TypeError(f"saga {name!r} has async steps: run it with start_async/recover_async")
        return saga

    def _prepare(self, name: str, saga_id: str, input: Any, *, sync: bool) -> tuple[Saga, str]:
        saga = self._definition(name, sync=sync)
        if not isinstance(saga_id, str) or not saga_id:
            raise ValueError(f"saga_id must be a non-empty string, not {saga_id!r}")
        try:
            return saga, encode(input)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"the input of saga {saga_id!r} cannot be logged as JSON: {exc}"
            ) from exc

    def _recover(self, *, sync: bool) -> Process[list[SagaResult]]:
        pending = yield Call(self.log.unfinished)
        resumable = []
        for saga in pending:
            definition = self._definition(saga.name, sync=sync)
            _check_steps(saga.saga_id, saga.name, definition, saga.steps)
            resumable.append((saga, definition))
        finished = []
        for saga, definition in resumable:
            try:
                finished.append((yield from self._run(saga.name, definition, saga.saga_id, None)))
            except SagaInProgressError as busy:
                logger.info("recover: left to its coordinator: %s", busy)
        return finished

    def _run(
        self, name: str, saga: Saga, saga_id: str, input_json: str | None
    ) -> Process[SagaResult]:
        if not self._leases.acquire(saga_id):
            raise SagaInProgressError(saga_id, f"saga {saga_id!r} is already running here")
        try:
            now = self._clock()
            claim = yield Call(
                functools.partial(
                    self.log.claim,
                    saga_id,
                    name,
                    steps=saga.step_names,
                    input_json=input_json,
                    owner=self.owner,
                    now=now,
                    lease_until=now + self.lease,
                )
            )
            if not claim.owned:
                if claim.saga.status in FINAL:
                    return claim.saga
                raise SagaInProgressError(
                    saga_id, f"saga {saga_id!r} is being run by another coordinator"
                )
            _check_steps(saga_id, name, saga, claim.steps)
            run = _Run(
                saga_id, name, saga, encode(claim.saga.input), Progress.replay(claim.saga.events)
            )
            if run.progress.status == "running":
                yield from self._forward(run)
            if run.progress.status == "compensating":
                yield from self._compensate(run)
            final: SagaResult = yield Call(self.log.get, (saga_id,))
            return final
        finally:
            self._leases.release(saga_id)

    def _forward(self, run: _Run) -> Process[None]:
        for step in run.saga.steps:
            if step.name in run.progress.results:
                continue  # done before a crash: its result is in the log
            yield from self._write(run, (EventKind.STEP_BEGUN, step.name, None))
            try:
                result = yield self._call(run, step, "action", step.action)
                logged = _loggable(run, step, result)
            except Exception as exc:
                error = _describe(exc)
                logger.warning(
                    "saga %r (%s): step %r failed, compensating: %s",
                    run.saga_id,
                    run.name,
                    step.name,
                    error,
                    exc_info=exc,
                )
                yield from self._write(
                    run,
                    (EventKind.STEP_FAILED, step.name, encode({"error": error})),
                    (EventKind.COMPENSATING, None, encode({"step": step.name, "error": error})),
                )
                return
            yield from self._write(run, (EventKind.STEP_DONE, step.name, logged))
        yield from self._write(run, (EventKind.COMPLETED, None, None))

    def _compensate(self, run: _Run) -> Process[None]:
        for step in reversed(run.saga.steps):
            begun, done = run.progress.begun, run.progress.compensated
            undo = step.compensation
            if not callable(undo) or step.name not in begun or step.name in done:
                continue  # None: nothing to undo
            yield from self._write(run, (EventKind.COMPENSATION_BEGUN, step.name, None))
            failures = run.progress.compensation_failures.get(step.name, 0)
            while True:
                try:
                    yield self._call(run, step, "compensation", undo)
                    break
                except Exception as exc:
                    failures += 1
                    pause = self._retry.delay(failures)
                    logger.warning(
                        "saga %r (%s): compensation of step %r failed (attempt %d), "
                        "retrying in %.2f s: %s",
                        run.saga_id,
                        run.name,
                        step.name,
                        failures,
                        pause,
                        _describe(exc),
                    )
                    failure = encode({"attempt": failures, "error": _describe(exc)})
                    yield from self._write(run, (EventKind.COMPENSATION_FAILED, step.name, failure))
                    yield Sleep(pause, self._sleep)
            yield from self._write(run, (EventKind.COMPENSATION_DONE, step.name, None))
        yield from self._write(run, (EventKind.COMPENSATED, None, None))

    def _call(self, run: _Run, step: Step, phase: Phase, fn: StepFn) -> Call:
        context = StepContext(
            saga_id=run.saga_id,
            saga=run.name,
            step=step.name,
            phase=phase,
            input=json.loads(run.input_json),
            results=MappingProxyType(run.progress.decoded_results()),
        )
        if is_coroutine_callable(fn):
            return Call(_detached_async, (fn, context), awaitable=True)
        return Call(_detached, (fn, context))

    def _write(self, run: _Run, *events: NewEvent) -> Process[None]:
        """Commit ``events`` to the log, then let them move ``run.progress`` on."""
        now = self._clock()
        written = yield Call(
            functools.partial(
                self.log.append,
                run.saga_id,
                events,
                owner=self.owner,
                expect=run.progress.status,
                now=now,
                lease_until=now + self.lease,
            )
        )
        for event in written:
            run.progress.apply(event)

    def _renew(self, saga_ids: Sequence[str]) -> None:
        self.log.renew(saga_ids, owner=self.owner, lease_until=self._clock() + self.lease)


def _detached(fn: Callable[[StepContext], Any], context: StepContext) -> Any:
    with deadline.detached():
        return fn(context)


async def _detached_async(fn: Callable[[StepContext], Any], context: StepContext) -> Any:
    async with deadline.detached():
        return await fn(context)


def _check_steps(saga_id: str, name: str, saga: Saga, logged: tuple[str, ...]) -> None:
    if logged != saga.step_names:
        raise ConfigurationError(
            f"saga {saga_id!r} was logged with the steps {list(logged)} of {name!r}, which now "
            f"has {list(saga.step_names)}: keep the old definition (under a new name for new "
            "sagas) until the sagas logged with it have finished"
        )


def _loggable(run: _Run, step: Step, result: Any) -> str:
    """The action's result as the JSON the log holds, or a TypeError saying why not."""
    try:
        return encode(result)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"step {step.name!r} of saga {run.name!r} returned a result that cannot be logged "
            f"as JSON ({exc}); actions must return JSON data (dict, list, str, number, bool, "
            "None)"
        ) from exc


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__qualname__}: {exc}"
