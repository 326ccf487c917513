"""Whatever fails and wherever the coordinator dies, a saga ends all done or all undone, each
effect applied once, compensations in reverse order: a property over random sagas, failures
and crash points, with a restarted coordinator recovering from the log."""

from __future__ import annotations

import tempfile
from itertools import groupby
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from stormproof.kit.saga import CompensationRetry, Orchestrator, SagaLog
from tests.kit.saga_apps.fakes import Crash, Fault, Service, trip

NAMES = ("a", "b", "c", "d")


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[int, int | None, tuple[str, str, str] | None, int]:
    length = draw(st.integers(1, len(NAMES)))
    failing = draw(st.none() | st.integers(0, length - 1))
    crash = draw(
        st.none()
        | st.tuples(
            st.sampled_from(NAMES[:length]),
            st.sampled_from(["action", "compensation"]),
            st.sampled_from(["before", "after"]),
        )
    )
    flaky = draw(st.integers(0, 3))  # failures of the first compensation that runs
    return length, failing, crash, flaky


@settings(max_examples=40, deadline=None)
@given(scenarios())
def test_every_saga_ends_all_done_or_all_undone_with_each_effect_once(
    scenario: tuple[int, int | None, tuple[str, str, str] | None, int],
) -> None:
    length, failing, crash, flaky = scenario
    steps = NAMES[:length]
    service = Service()
    if failing is not None:
        service.fail(steps[failing], "action", Fault(RuntimeError("no")))
        service.fail(steps[failing], "compensation", *[Fault(OSError("down"))] * flaky)
    if crash is not None:
        step, phase, when = crash
        service.fail(step, phase, Fault(Crash(), when))  # type: ignore[arg-type]

    with tempfile.TemporaryDirectory() as folder:
        log = SagaLog(Path(folder) / "sagas.db")

        def coordinator() -> Orchestrator:
            return Orchestrator(
                log,
                {"s": trip(service, steps)},
                owner="c",
                compensation_retry=CompensationRetry(initial=0.001, maximum=0.001),
                sleep=lambda _: None,
            )

        try:
            result = coordinator().start("s", "x")
        except Crash:
            [result] = coordinator().recover()  # a restarted coordinator
        assert coordinator().recover() == []

    actions = [k.split(":")[1] for k in service.effects if k.endswith(":action")]
    undone = [k.split(":")[1] for k in service.effects if k.endswith(":compensation")]
    compensation_calls = [s for s, phase in service.order() if phase == "compensation"]
    if failing is None:
        assert result.status == "completed"
        assert actions == list(steps) and set(result.results) == set(steps)
        assert compensation_calls == []
    else:
        assert result.status == "compensated" and result.failed_step == steps[failing]
        # Nothing after the failed step ran; every step begun was compensated (retried,
        # or called again after the crash, as one run of calls), newest first; and only
        # the effects that happened were undone, once each.
        assert actions == list(steps[:failing])
        assert [step for step, _ in groupby(compensation_calls)] == list(
            reversed(steps[: failing + 1])
        )
        assert undone == list(reversed(steps[:failing]))
