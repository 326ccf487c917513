"""A saga coordinator as a real process, for the crash-recovery tests: a three-step trip
(charge, flight, hotel) against the :class:`Downstream` file, every call carrying its step's
idempotency key.

    python -m tests.kit.saga_apps.coordinator start LOG DOWNSTREAM SAGA_ID [options]
    python -m tests.kit.saga_apps.coordinator recover LOG DOWNSTREAM [options]

``--hang STEP:PHASE`` makes that call hang *after* its effect is applied, once it has created
the file ``--signal`` names, so that the test can kill the process mid-step at a known point.
``--fail STEP`` makes that step's action raise before it has any effect. The outcome
(``start``: one saga, ``recover``: a list) is printed to stdout as JSON.

The orchestrator runs under a fixed owner name, as a service with one coordinator process
would, so that a restarted coordinator takes its predecessor's sagas over at once."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from stormproof.kit.saga import Orchestrator, Saga, SagaLog, SagaResult, Step, StepContext
from tests.kit.saga_apps.downstream import Downstream

OWNER = "coordinator"
STEPS = ("charge", "flight", "hotel")


def build(
    downstream: Downstream, *, hang: str | None, signal: Path | None, fail: str | None
) -> Saga:
    def hang_here(context: StepContext) -> None:
        if hang == f"{context.step}:{context.phase}":
            assert signal is not None, "--hang needs --signal"
            signal.touch()
            time.sleep(3600)  # until the test kills this process

    def action(context: StepContext) -> dict[str, Any]:
        if context.step == fail:
            raise RuntimeError(f"{context.step} refused")
        outcome = downstream.act(context.idempotency_key)
        hang_here(context)
        return outcome

    def compensation(context: StepContext) -> None:
        downstream.undo(context.idempotency_key, context.action_key)
        hang_here(context)

    return Saga(*(Step(name, action, compensation=compensation) for name in STEPS))


def summary(result: SagaResult) -> dict[str, Any]:
    return {
        "saga_id": result.saga_id,
        "status": result.status,
        "results": dict(result.results),
        "failed_step": result.failed_step,
        "error": result.error,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["start", "recover"])
    parser.add_argument("log", type=Path)
    parser.add_argument("downstream", type=Path)
    parser.add_argument("saga_id", nargs="?")
    parser.add_argument("--hang", help="STEP:PHASE to hang in, after its effect")
    parser.add_argument("--signal", type=Path, help="file created when the hang begins")
    parser.add_argument("--fail", help="STEP whose action raises")
    args = parser.parse_args()
    saga = build(Downstream(args.downstream), hang=args.hang, signal=args.signal, fail=args.fail)
    orchestrator = Orchestrator(SagaLog(args.log), {"trip": saga}, owner=OWNER)
    if args.command == "start":
        outcome: Any = summary(orchestrator.start("trip", args.saga_id, {"customer": "ada"}))
    else:
        outcome = [summary(result) for result in orchestrator.recover()]
    print(json.dumps(outcome))


if __name__ == "__main__":
    main()
