"""Driving a workload: how each way an operation can end is recorded, process numbers after
``info``, pacing, determinism, and the history on disk.

The entry service is an ``httpx.MockTransport``: these tests are about the driver's
bookkeeping, not the network (the chaos system tests drive real services)."""

import asyncio
import itertools
import json
import random
from collections import Counter
from pathlib import Path

import httpx
import pytest

from stormproof.chaos.driver import describe_error, drive, invoke
from stormproof.chaos.recorder import Recorder
from stormproof.chaos.workload import Fail, Operation, Workload
from stormproof.history import History, read_history


class Scripted(Workload):
    """Operation i does ``outcomes[i % len(outcomes)]``; its id is drawn from the rng, so the
    seed names the values invoked."""

    concurrency = 2
    rate = 0.0
    timeout = 0.1

    def __init__(self, outcomes: tuple[str, ...] = ("ok",)) -> None:
        self.outcomes = itertools.cycle(outcomes)

    def generate(self, rng: random.Random) -> Operation:
        return Operation("op", {"id": rng.randrange(10**9), "do": next(self.outcomes)})

    async def invoke(self, client: httpx.AsyncClient, operation: Operation) -> object:
        value = operation.value
        match value["do"]:
            case "fail":
                raise Fail(reason="insufficient funds")
            case "fail-silently":
                raise Fail()
            case "fail-with-value":
                raise Fail({"id": value["id"], "balance": 0})
            case "hang":
                await asyncio.sleep(60)
            case "boom":
                raise RuntimeError("boom\nsecond line")
        response = await client.post("/op", json=value)
        return response.json()


def entry(request: httpx.Request) -> httpx.Response:
    value = json.loads(request.content)
    if value["do"] == "down":
        raise httpx.ConnectError("connection refused", request=request)
    if value["do"] == "slow":
        raise httpx.ReadTimeout("timed out", request=request)
    return httpx.Response(200, json={**value, "done": True})


def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(entry), base_url="http://entry")


def run(workload: Workload, path: Path, seconds: float, seed: int = 1) -> Recorder:
    """Drive ``workload`` for ``seconds``; the recorder, closed, holds what happened."""

    async def main() -> Recorder:
        recorder = Recorder(path)
        try:
            async with client() as http:
                await drive(workload, http, recorder, random.Random(seed), seconds)
        finally:
            recorder.close()
        return recorder

    return asyncio.run(main())


def invoke_one(do: str, path: Path, process: int = 3, key: str | None = None) -> tuple[str, list]:
    """Invoke one operation that does ``do``; its completion type and the recorded ops."""
    workload = Scripted()

    async def main() -> tuple[str, list]:
        recorder = Recorder(path)
        try:
            async with client() as http:
                operation = Operation("op", {"id": 7, "do": do}, key)
                result = await invoke(workload, http, recorder, process, operation)
        finally:
            recorder.close()
        return result, list(recorder.history())

    return asyncio.run(main())


@pytest.mark.parametrize(
    ("do", "type", "value", "error"),
    [
        ("ok", "ok", {"id": 7, "do": "ok", "done": True}, None),
        ("fail", "fail", {"id": 7, "do": "fail"}, "Fail: insufficient funds"),
        ("fail-silently", "fail", {"id": 7, "do": "fail-silently"}, None),
        ("fail-with-value", "fail", {"id": 7, "balance": 0}, None),
        # Nothing was sent: the connection was never made.
        ("down", "fail", {"id": 7, "do": "down"}, "ConnectError: connection refused"),
        # Anything else means the client cannot know.
        ("hang", "info", {"id": 7, "do": "hang"}, "Timeout: no answer in 0.1s"),
        ("slow", "info", {"id": 7, "do": "slow"}, "ReadTimeout: timed out"),
        ("boom", "info", {"id": 7, "do": "boom"}, "RuntimeError: boom"),
    ],
)
def test_each_way_an_operation_ends_is_recorded(tmp_path, do, type, value, error):
    result, ops = invoke_one(do, tmp_path / "history.jsonl")
    assert result == type
    invoked, completed = ops
    assert (invoked.process, invoked.type, invoked.f) == (3, "invoke", "op")
    assert invoked.value == {"id": 7, "do": do}
    assert (completed.process, completed.type, completed.f) == (3, type, "op")
    assert completed.value == value
    assert completed.error == error
    assert 0 <= invoked.time <= completed.time


@pytest.mark.parametrize("do", ["ok", "fail", "hang"])
def test_an_operations_key_is_on_its_invoke_and_its_completion(tmp_path, do):
    _, ops = invoke_one(do, tmp_path / "history.jsonl", key="account-3")
    assert [op.key for op in ops] == ["account-3", "account-3"]
    assert [op.key for op in read_history(tmp_path / "history.jsonl")] == ["account-3"] * 2


def test_a_timed_out_operation_is_abandoned_after_the_timeout(tmp_path):
    _, (invoked, completed) = invoke_one("hang", tmp_path / "history.jsonl")
    waited = (completed.time - invoked.time) / 1e9
    assert 0.09 <= waited < 5  # it waited for the 0.1 s timeout, not for the 60 s sleep


def test_every_operation_started_completes_before_drive_returns(tmp_path):
    workload = Scripted(("ok", "hang", "fail", "down", "boom", "slow"))
    workload.concurrency, workload.rate = 3, 60.0
    history = run(workload, tmp_path / "history.jsonl", seconds=0.3).history()
    pairs = history.pairs()
    assert len(pairs) >= 6
    assert all(completion is not None for _, completion in pairs)
    expected = {
        "ok": "ok",
        "fail": "fail",
        "down": "fail",
        "hang": "info",
        "boom": "info",
        "slow": "info",
    }
    assert all(done.type == expected[op.value["do"]] for op, done in pairs)


def test_after_info_a_worker_carries_on_under_a_new_process(tmp_path):
    workload = Scripted(("ok", "boom", "fail", "ok", "hang"))
    workload.concurrency, workload.rate = 2, 80.0
    # History() itself refuses a process that invokes again after an info.
    history = run(workload, tmp_path / "history.jsonl", seconds=0.4).history()
    assert sum(1 for op in history if op.type == "info") >= 4
    by_process: dict[int, list] = {}
    for op in history:
        by_process.setdefault(op.process, []).append(op)
    for worker in range(workload.concurrency):
        # Worker w is process w, then w + 2, w + 4, ...: never an old number again.
        mine = sorted(p for p in by_process if p % workload.concurrency == worker)
        assert mine == list(range(worker, worker + 2 * len(mine), 2))
        for process in mine:
            assert all(op.type != "info" for op in by_process[process][:-1])
        # Only an info moves a worker on, and its next process starts after it.
        for process, successor in itertools.pairwise(mine):
            assert by_process[process][-1].type == "info"
            assert by_process[successor][0].index > by_process[process][-1].index


def test_operations_start_at_the_rate(tmp_path):
    workload = Scripted()
    workload.concurrency, workload.rate = 4, 40.0
    history = run(workload, tmp_path / "history.jsonl", seconds=0.5).history()
    starts = [op.time for op in history if op.type == "invoke"]
    assert 14 <= len(starts) <= 21  # 40/s for 0.5 s is 20
    # Never ahead of the schedule: the k-th operation starts k/rate seconds in, or later.
    assert all(time >= (k / workload.rate - 0.005) * 1e9 for k, time in enumerate(starts))


def test_workers_behind_the_rate_drop_what_they_had_no_time_for(tmp_path):
    """One worker whose operations take 0.1 s cannot keep a rate of 100/s: it starts no
    operation once the window is over, instead of working off the backlog late."""

    class Slow(Scripted):
        async def invoke(self, client: httpx.AsyncClient, operation: Operation) -> object:
            await asyncio.sleep(0.1)
            return None

    workload = Slow()
    workload.concurrency, workload.rate, workload.timeout = 1, 100.0, 5.0
    history = run(workload, tmp_path / "history.jsonl", seconds=0.5).history()
    starts = [op.time - history[0].time for op in history if op.type == "invoke"]
    assert 2 <= len(starts) <= 6  # not the 50 the schedule holds
    assert max(starts) < 0.5e9 + 0.05e9


def test_a_rate_of_zero_goes_as_fast_as_the_workers_can(tmp_path):
    workload = Scripted()
    workload.concurrency, workload.rate = 2, 0.0
    history = run(workload, tmp_path / "history.jsonl", seconds=0.1).history()
    assert history.counts()["ok"] > 20


def _invoked(recorder: Recorder) -> list:
    return [op.value for op in recorder.history() if op.type == "invoke"]


def test_the_seed_names_the_values_invoked(tmp_path):
    def values(seed: int, concurrency: int) -> list:
        workload = Scripted(("ok", "fail"))
        workload.concurrency, workload.rate = concurrency, 100.0
        return _invoked(run(workload, tmp_path / f"{seed}-{concurrency}.jsonl", 0.2, seed))

    one = values(5, 1)
    again = values(5, 1)
    shorter = min(len(one), len(again))
    assert shorter >= 10
    assert one[:shorter] == again[:shorter]
    # The same values as the workload draws from the seed, in the order drawn.
    drawn = Scripted(("ok", "fail"))
    rng = random.Random(5)
    assert one == [drawn.generate(rng).value for _ in one]
    # With more workers the order of invokes may differ, never the values.
    three = values(5, 3)
    rng = random.Random(5)
    drawn = Scripted(("ok", "fail"))
    assert sorted(map(str, three)) == sorted(str(drawn.generate(rng).value) for _ in three)
    assert values(6, 1)[:shorter] != one[:shorter]


def test_the_history_on_disk_is_the_history_in_memory(tmp_path):
    path = tmp_path / "history.jsonl"
    workload = Scripted(("ok", "fail-with-value", "boom", "down", "hang"))
    workload.concurrency, workload.rate = 3, 50.0
    recorder = run(workload, path, seconds=0.3)
    in_memory = recorder.history()
    assert len(in_memory) >= 10
    assert read_history(path) == in_memory
    assert isinstance(in_memory, History)
    counts = Counter(op.type for op in in_memory)
    assert dict(recorder.counts) == dict(counts)
    assert recorder.errors["RuntimeError"] == sum(
        1 for op in in_memory if op.error and op.error.startswith("RuntimeError")
    )


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (httpx.ReadTimeout("timed out"), "ReadTimeout: timed out"),
        (RuntimeError("first\nsecond\nthird"), "RuntimeError: first"),
        (RuntimeError("\n\nafter blank lines\nrest"), "RuntimeError: after blank lines"),
        (RuntimeError(), "RuntimeError"),
        (ValueError("   "), "ValueError"),
    ],
)
def test_describe_error_is_the_type_and_the_first_line(error, text):
    assert describe_error(error) == text


def test_describe_error_is_capped():
    text = describe_error(ValueError("x" * 1000 + "\nmore"))
    assert len(text) == 200
    assert text.startswith("ValueError: xxx")
    assert text.endswith("…")
    assert "\n" not in text


class Stubborn(Scripted):
    """Catches the CancelledError that Ctrl-C delivers into its operation, and returns."""

    async def invoke(self, client: httpx.AsyncClient, operation: Operation) -> object:
        try:
            await asyncio.sleep(0.05)
        except asyncio.CancelledError:
            return "swallowed"
        return None


class Punctual(Scripted):
    """Cancels the drive as its operation completes: the cancellation reaches the worker
    after the result does, the race that 3.11's ``wait_for`` settles by dropping it."""

    drive_task: asyncio.Task | None = None

    async def invoke(self, client: httpx.AsyncClient, operation: Operation) -> object:
        await asyncio.sleep(0.05)
        if self.drive_task is not None:
            self.drive_task.cancel()
        return None


@pytest.mark.parametrize("workload", [Stubborn(), Punctual()], ids=["swallowed", "race"])
def test_a_cancelled_drive_stops_although_an_operation_did_not_end_by_the_cancellation(
    workload, tmp_path
):
    """Ctrl-C cancels the drive; a cancellation lost on its way to the worker must not keep
    the worker invoking until the window's end (15 s here)."""
    workload.concurrency, workload.rate, workload.timeout = 2, 0.0, 5.0

    async def main() -> tuple[bool, bool]:
        recorder = Recorder(tmp_path / "history.jsonl")
        try:
            async with client() as http:
                task = asyncio.create_task(drive(workload, http, recorder, random.Random(1), 15))
                await asyncio.sleep(0.2)
                if isinstance(workload, Punctual):
                    workload.drive_task = task
                else:
                    task.cancel()
                done, _ = await asyncio.wait([task], timeout=5)
                if not done:  # leave nothing running behind the failed assertion
                    task.cancel()
                    await asyncio.gather(task, return_exceptions=True)
                return bool(done), task.cancelled()
        finally:
            recorder.close()

    stopped, cancelled = asyncio.run(main())
    assert stopped, "the workers kept invoking after the drive was cancelled"
    assert cancelled
