"""The orchestrator in one process: forward runs, compensation in reverse, compensation
retries, JSON results, duplicate starts, and recovery from a crash simulated by an exception
that is not an Exception (see ``tests/kit/test_saga_recovery.py`` for real processes)."""

from __future__ import annotations

import logging
import math
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stormproof.kit.errors import ConfigurationError
from stormproof.kit.saga import (
    CompensationRetry,
    EventKind,
    Orchestrator,
    Saga,
    SagaConflictError,
    SagaLog,
    SagaResult,
    Step,
    StepContext,
)
from tests.kit.saga_apps.fakes import STEPS, Crash, Fault, Service, trip

Make = Callable[..., Orchestrator]


@pytest.fixture
def log(tmp_path: Path) -> SagaLog:
    return SagaLog(tmp_path / "sagas.db")


@pytest.fixture
def service() -> Service:
    return Service()


@pytest.fixture
def pauses() -> list[float]:
    return []


@pytest.fixture
def make(log: SagaLog, service: Service, pauses: list[float]) -> Make:
    """A new orchestrator over the same log (a restarted coordinator, when called again)."""

    def make(saga: Saga | None = None, **settings: Any) -> Orchestrator:
        settings = {"owner": "here", "sleep": pauses.append, **settings}
        return Orchestrator(log, {"trip": saga or trip(service)}, **settings)

    return make


def kinds(result: SagaResult) -> list[tuple[str, str | None]]:
    return [(event.kind.value, event.step) for event in result.events]


def logged(log: SagaLog, saga_id: str) -> SagaResult:
    result = log.get(saga_id)
    assert result is not None
    return result


def test_a_saga_runs_its_steps_in_order_each_seeing_the_earlier_results(
    make: Make, service: Service
) -> None:
    result = make().start("trip", "t1", {"customer": "ada"})

    assert result.status == "completed"
    assert (result.error, result.failed_step) == (None, None)
    assert result.input == {"customer": "ada"}
    assert result.results == {
        "charge": {"id": 1, "saw": []},
        "flight": {"id": 2, "saw": ["charge"]},
        "hotel": {"id": 3, "saw": ["charge", "flight"]},
    }
    assert service.keys() == ["t1:charge:action", "t1:flight:action", "t1:hotel:action"]
    assert kinds(result) == [
        ("started", None),
        ("step_begun", "charge"),
        ("step_done", "charge"),
        ("step_begun", "flight"),
        ("step_done", "flight"),
        ("step_begun", "hotel"),
        ("step_done", "hotel"),
        ("completed", None),
    ]
    assert [event.seq for event in result.events] == list(range(1, 9))


def test_each_call_gets_the_saga_its_step_and_deterministic_keys(make: Make, log: SagaLog) -> None:
    seen: list[StepContext] = []

    def record(context: StepContext) -> str:
        seen.append(context)
        if context.step == "second" and context.phase == "action":
            raise RuntimeError("no")
        return context.step.upper()

    saga = Saga(
        Step("first", record, compensation=record), Step("second", record, compensation=record)
    )
    make(saga).start("trip", "order-7", [1, 2])

    assert [(c.step, c.phase, c.idempotency_key, c.action_key) for c in seen] == [
        ("first", "action", "order-7:first:action", "order-7:first:action"),
        ("second", "action", "order-7:second:action", "order-7:second:action"),
        ("second", "compensation", "order-7:second:compensation", "order-7:second:action"),
        ("first", "compensation", "order-7:first:compensation", "order-7:first:action"),
    ]
    assert {(c.saga_id, c.saga) for c in seen} == {("order-7", "trip")}
    assert all(c.input == [1, 2] for c in seen)
    assert [dict(c.results) for c in seen] == [{}, {"first": "FIRST"}] + [{"first": "FIRST"}] * 2


@pytest.mark.parametrize("failing", range(len(STEPS)))
def test_a_failed_action_compensates_the_begun_steps_in_reverse(
    make: Make, service: Service, failing: int
) -> None:
    service.fail(STEPS[failing], "action", Fault(RuntimeError("no seats")))

    result = make().start("trip", "t1")

    assert result.status == "compensated"
    assert result.failed_step == STEPS[failing]
    assert result.error == "RuntimeError: no seats"
    # The failed step is compensated too: it may have had its effect before it raised.
    compensated = list(reversed(STEPS[: failing + 1]))
    assert service.order() == [(step, "action") for step in STEPS[: failing + 1]] + [
        (step, "compensation") for step in compensated
    ]
    assert set(result.results) == set(STEPS[:failing])
    assert kinds(result)[2 * failing + 1 :] == [
        ("step_begun", STEPS[failing]),
        ("step_failed", STEPS[failing]),
        ("compensating", None),
        *[
            event
            for step in compensated
            for event in (("compensation_begun", step), ("compensation_done", step))
        ],
        ("compensated", None),
    ]


def test_a_step_whose_action_raised_after_its_effect_is_undone(
    make: Make, service: Service
) -> None:
    service.fail("flight", "action", Fault(TimeoutError("reply lost"), when="after"))

    result = make().start("trip", "t1")

    assert result.status == "compensated"
    assert result.error == "TimeoutError: reply lost"
    assert list(service.effects) == [
        "t1:charge:action",
        "t1:flight:action",
        "t1:flight:compensation",  # undone although its result never reached the log
        "t1:charge:compensation",
    ]


def test_a_step_with_nothing_to_undo_is_skipped_when_compensating(
    make: Make, service: Service
) -> None:
    saga = Saga(
        Step("charge", service.call, compensation=service.call),
        Step("notify", service.call, compensation=None),
        Step("hotel", service.call, compensation=service.call),
    )
    service.fail("hotel", "action", Fault(RuntimeError("full")))

    result = make(saga).start("trip", "t1")

    assert result.status == "compensated"
    assert [step for step, phase in service.order() if phase == "compensation"] == [
        "hotel",
        "charge",
    ]


def test_a_failing_compensation_is_retried_with_backoff_until_it_succeeds(
    make: Make, service: Service, pauses: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    service.fail("hotel", "action", Fault(RuntimeError("full")))
    service.fail(
        "flight", "compensation", *[Fault(ConnectionError(f"down {n}")) for n in (1, 2, 3)]
    )
    retry = CompensationRetry(initial=0.5, maximum=10.0, multiplier=3.0, jitter=0.5)

    with caplog.at_level(logging.WARNING, logger="stormproof.kit.saga"):
        result = make(compensation_retry=retry).start("trip", "t1")

    assert result.status == "compensated"
    assert service.keys("compensation") == [
        "t1:hotel:compensation",
        *["t1:flight:compensation"] * 4,  # the same key every attempt
        "t1:charge:compensation",
    ]
    assert len(pauses) == 3
    for pause, nominal in zip(pauses, [0.5, 1.5, 4.5], strict=True):
        assert nominal / 2 <= pause <= nominal
    failures = [e for e in result.events if e.kind is EventKind.COMPENSATION_FAILED]
    assert [(e.step, e.data) for e in failures] == [
        ("flight", {"attempt": n, "error": f"ConnectionError: down {n}"}) for n in (1, 2, 3)
    ]
    retried = [r for r in caplog.records if "compensation of step 'flight' failed" in r.message]
    assert len(retried) == 3 and all(r.levelno == logging.WARNING for r in retried)


def test_compensations_are_retried_without_end_but_never_in_a_busy_loop(
    make: Make, service: Service, pauses: list[float]
) -> None:
    service.fail("charge", "action", Fault(RuntimeError("declined")))
    service.fail("charge", "compensation", *[Fault(OSError("still down"))] * 120)
    retry = CompensationRetry(initial=0.01, maximum=2.0)

    result = make(compensation_retry=retry).start("trip", "t1")

    assert result.status == "compensated"
    assert len(pauses) == 120
    assert min(pauses) >= 0.005 and max(pauses) <= 2.0
    assert min(pauses[50:]) >= 1.0  # long since at the cap


def test_compensation_retry_delays_grow_to_the_cap_and_never_overflow() -> None:
    exact = CompensationRetry(initial=0.1, maximum=5.0, multiplier=2.0, jitter=0)
    assert [exact.delay(n) for n in range(1, 8)] == [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5.0]
    assert exact.delay(10**9) == 5.0
    assert CompensationRetry(initial=1, maximum=1, multiplier=1).delay(10**9) <= 1
    with pytest.raises(ValueError, match="failures counts from 1"):
        exact.delay(0)


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"initial": 0}, "initial"),
        ({"initial": -1}, "initial"),
        ({"initial": math.inf}, "initial"),
        ({"maximum": 0.01}, "maximum"),
        ({"maximum": math.nan}, "maximum"),
        ({"multiplier": 0.5}, "multiplier"),
        ({"jitter": 1}, "jitter"),
        ({"jitter": -0.1}, "jitter"),
        ({"initial": "1"}, "initial"),
    ],
)
def test_compensation_retry_refuses_settings_that_could_busy_loop(
    settings: dict[str, Any], named: str
) -> None:
    with pytest.raises(ConfigurationError, match=named):
        CompensationRetry(**settings)


def test_results_are_logged_as_json_and_handed_on_as_json_decodes_them(
    make: Make, log: SagaLog
) -> None:
    seen: list[Any] = []

    def first(context: StepContext) -> Any:
        return {"pair": (1, 2), 3: "three"}

    def second(context: StepContext) -> None:
        seen.append(context.results["first"])

    saga = Saga(Step("first", first, compensation=None), Step("second", second, compensation=None))
    result = make(saga).start("trip", "t1")

    assert seen == [{"pair": [1, 2], "3": "three"}]
    assert result.results == {"first": {"pair": [1, 2], "3": "three"}, "second": None}
    assert logged(log, "t1").results == result.results


@pytest.mark.parametrize("bad", [object(), {1, 2}, math.nan, b"bytes"])
def test_a_result_that_is_not_json_fails_its_step_clearly(
    make: Make, service: Service, bad: Any
) -> None:
    undone: list[str] = []

    def undo(context: StepContext) -> None:
        undone.append(context.step)

    saga = Saga(
        Step("charge", service.call, compensation=undo),
        Step("flight", lambda context: bad, compensation=undo),
    )
    result = make(saga).start("trip", "t1")

    assert result.status == "compensated"
    assert result.failed_step == "flight"
    assert result.error is not None
    assert result.error.startswith("TypeError: step 'flight' of saga 'trip' returned a result")
    assert "cannot be logged as JSON" in result.error
    assert undone == ["flight", "charge"]  # the action ran: its effect may stand


def test_an_input_that_is_not_json_is_refused_before_anything_is_logged(
    make: Make, log: SagaLog, service: Service
) -> None:
    with pytest.raises(TypeError, match="input of saga 't1' cannot be logged as JSON"):
        make().start("trip", "t1", {"when": object()})
    assert log.get("t1") is None and service.calls == []


def test_starting_a_finished_saga_again_returns_its_outcome_and_runs_nothing(
    make: Make, service: Service
) -> None:
    orchestrator = make()
    first = orchestrator.start("trip", "done", {"n": 1})
    service.fail("flight", "action", Fault(RuntimeError("no")))
    failed = orchestrator.start("trip", "undone", {"n": 1})
    calls = list(service.calls)

    assert orchestrator.start("trip", "done", {"n": 1}) == first
    assert make().start("trip", "undone", {"n": 1}) == failed  # another coordinator, too
    assert failed.status == "compensated"
    assert service.calls == calls


def test_a_saga_id_cannot_be_reused_for_other_work(make: Make, service: Service) -> None:
    orchestrator = Orchestrator(
        make().log, {"trip": trip(service), "other": trip(service, ["x"])}, owner="here"
    )
    orchestrator.start("trip", "t1", {"n": 1})

    with pytest.raises(SagaConflictError, match="already used by saga 'trip'") as conflict:
        orchestrator.start("trip", "t1", {"n": 2})
    assert conflict.value.saga_id == "t1"
    with pytest.raises(SagaConflictError):
        orchestrator.start("other", "t1", {"n": 1})
    assert len(service.calls) == 3


def test_keys_stay_the_same_when_a_crashed_step_is_run_again(
    make: Make, service: Service, log: SagaLog
) -> None:
    service.fail("flight", "action", Fault(Crash(), when="after"))
    with pytest.raises(Crash):
        make().start("trip", "t1", {"customer": "ada"})
    crashed = logged(log, "t1")
    assert crashed.status == "running"
    assert kinds(crashed)[-1] == ("step_begun", "flight")  # no failure logged for a crash

    [result] = make().recover()  # a restarted coordinator

    assert result.status == "completed"
    assert service.keys() == [
        "t1:charge:action",
        "t1:flight:action",
        "t1:flight:action",  # forward recovery: called again, with the same key
        "t1:hotel:action",
    ]
    assert list(service.effects) == ["t1:charge:action", "t1:flight:action", "t1:hotel:action"]
    assert result.results["flight"] == {"id": 2, "saw": ["charge"]}  # the first call's effect
    assert make().recover() == []


def test_a_crash_while_logging_a_result_runs_the_step_again(
    make: Make, service: Service, log: SagaLog
) -> None:
    orchestrator = make()
    original_append = log.append
    writes = 0

    def crash_on_the_fourth_write(*args: Any, **kwargs: Any) -> Any:
        nonlocal writes
        writes += 1
        if writes == 4:  # charge begun, charge done, flight begun, then flight done
            raise Crash()
        return original_append(*args, **kwargs)

    log.append = crash_on_the_fourth_write  # type: ignore[method-assign]
    with pytest.raises(Crash):
        orchestrator.start("trip", "t1")
    log.append = original_append  # type: ignore[method-assign]

    [result] = make().recover()

    assert result.status == "completed"
    assert [step for step, _ in service.order()] == ["charge", "flight", "flight", "hotel"]


def test_a_crash_while_compensating_finishes_compensating_without_repeating(
    make: Make, service: Service
) -> None:
    service.fail("hotel", "action", Fault(RuntimeError("full")))
    service.fail("flight", "compensation", Fault(Crash(), when="after"))
    with pytest.raises(Crash):
        make().start("trip", "t1")

    [result] = make().recover()

    assert result.status == "compensated"
    assert result.error == "RuntimeError: full"
    assert [step for step, phase in service.order() if phase == "compensation"] == [
        "hotel",
        "flight",
        "flight",  # cut off after its effect: run again, with the same key
        "charge",
    ]
    assert sorted(k for k in service.effects if k.endswith("compensation")) == [
        "t1:charge:compensation",
        "t1:flight:compensation",
    ]


def test_a_saga_cut_off_in_this_process_is_continued_by_starting_it_again(
    make: Make, service: Service
) -> None:
    orchestrator = make()
    service.fail("hotel", "action", Fault(Crash()))
    with pytest.raises(Crash):
        orchestrator.start("trip", "t1", {"n": 1})

    result = orchestrator.start("trip", "t1", {"n": 1})

    assert result.status == "completed"
    assert ("resumed", None) in kinds(result)
    assert [step for step, _ in service.order()] == ["charge", "flight", "hotel", "hotel"]


def test_recover_refuses_a_log_it_cannot_follow_before_resuming_anything(
    make: Make, service: Service, log: SagaLog
) -> None:
    service.fail("charge", "action", Fault(Crash()), Fault(Crash()))
    for saga_id in ("a", "b"):
        with pytest.raises(Crash):
            make().start("trip", saga_id)

    with pytest.raises(ConfigurationError, match="no saga named 'trip'"):
        Orchestrator(log, {"other": trip(service)}).recover()
    with pytest.raises(ConfigurationError, match=r"logged with the steps \['charge', 'flight'"):
        make(trip(service, ["charge", "hotel"])).recover()
    assert {logged(log, saga_id).status for saga_id in ("a", "b")} == {"running"}

    assert [r.status for r in make().recover()] == ["completed", "completed"]


def test_log_transitions_are_committed_before_each_step_runs(
    make: Make, log: SagaLog, tmp_path: Path
) -> None:
    """Each call sees, through a second log on the same file, its own "begun" committed."""
    observer = SagaLog(tmp_path / "sagas.db")
    seen: list[tuple[str, str | None]] = []

    def look(context: StepContext) -> None:
        seen.append(kinds(logged(observer, context.saga_id))[-1])
        if context.step == "b" and context.phase == "action":
            raise RuntimeError("turn back")

    saga = Saga(Step("a", look, compensation=look), Step("b", look, compensation=look))
    make(saga).start("trip", "t1")

    assert seen == [
        ("step_begun", "a"),
        ("step_begun", "b"),
        ("compensation_begun", "b"),
        ("compensation_begun", "a"),
    ]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Step("a", print), "has no compensation"),
        (lambda: Step("", print, compensation=None), "non-empty string"),
        (lambda: Step("a", "print", compensation=None), "action must be callable"),
        (lambda: Step("a", print, compensation="undo"), "compensation must be callable"),
        (lambda: Saga(), "at least one step"),
        (lambda: Saga("a"), "must be Step objects"),
        (
            lambda: Saga(Step("a", print, compensation=None), Step("a", print, compensation=None)),
            r"repeated: \['a'\]",
        ),
    ],
)
def test_bad_definitions_are_refused(build: Callable[[], object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        build()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"sagas": {}}, "sagas must map names"),
        ({"sagas": {"": None}}, "non-empty strings"),
        ({"sagas": {"trip": [print]}}, "must be a Saga"),
        ({"compensation_retry": 3}, "must be a CompensationRetry"),
        ({"owner": ""}, "owner"),
        ({"lease": 0}, "lease"),
        ({"lease": math.inf}, "lease"),
        ({"sleep": 1}, "sleep"),
    ],
)
def test_bad_orchestrator_settings_are_refused(
    log: SagaLog, service: Service, settings: dict[str, Any], message: str
) -> None:
    settings = {"sagas": {"trip": trip(service)}, **settings}
    with pytest.raises(ConfigurationError, match=message):
        Orchestrator(log, **settings)


def test_an_unknown_saga_or_an_empty_id_is_refused(make: Make, log: SagaLog) -> None:
    with pytest.raises(ConfigurationError, match=r"no saga named 'trap'.*\['trip'\]"):
        make().start("trap", "t1")
    with pytest.raises(ValueError, match="saga_id"):
        make().start("trip", "")


def test_the_log_can_live_in_the_services_own_database(tmp_path: Path, service: Service) -> None:
    path = tmp_path / "service.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE bookings (id TEXT PRIMARY KEY)")
    log = SagaLog(connect=lambda: sqlite3.connect(path))

    result = Orchestrator(log, {"trip": trip(service)}).start("trip", "t1")

    assert result.status == "completed" and repr(log) == "SagaLog(connect=…)"
    with sqlite3.connect(path) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
        (mode,) = db.execute("PRAGMA journal_mode").fetchone()
    assert {"bookings", "stormproof_sagas", "stormproof_saga_events"} <= tables
    assert mode == "wal"


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((":memory:",), {}, "in-memory saga log"),
        (("",), {}, "must name an SQLite file"),
        ((), {}, "either a path or connect="),
        (("x.db",), {"connect": print}, "either a path or connect="),
        ((), {"connect": "x.db"}, "connect must be callable"),
        (("x.db",), {"busy_timeout": 0}, "busy_timeout"),
    ],
)
def test_bad_log_settings_are_refused(
    args: tuple[Any, ...], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        SagaLog(*args, **kwargs)


def test_without_an_injected_sleep_compensations_pause_with_time_sleep(
    log: SagaLog, service: Service
) -> None:
    service.fail("charge", "action", Fault(RuntimeError("declined")))
    service.fail("charge", "compensation", Fault(OSError("down")))
    retry = CompensationRetry(initial=0.001, maximum=0.001)

    result = Orchestrator(log, {"trip": trip(service)}, compensation_retry=retry).start("trip", "t")

    assert result.status == "compensated"
    assert service.keys("compensation") == ["t:charge:compensation"] * 2
