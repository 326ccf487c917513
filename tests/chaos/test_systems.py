"""The systems `stormproof chaos` is run against do what they claim, without the chaos runner.

The ledger: each planted bug is shown by hand (a store killed, paused, stopped; a credit sent
twice or too late) next to the correct variant doing the right thing, and its workload's
generator and invariants are checked on hand-made histories. The travel example: its
workload's invariants on hand-made final states of the four databases."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import random
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from stormproof.chaos.plugin import load_workload
from stormproof.chaos.ports import reserved_ports
from stormproof.chaos.process import command_line, substitute
from stormproof.chaos.workload import Fail, Operation, RunContext, Workload
from stormproof.history import History, Op, OpType, Verdict, check_invariants
from stormproof.manifest import load_manifest
from tests.chaos.systems.ledger import BUGS, ledger_variant
from tests.chaos.systems.ledger.workload import ACCOUNTS, MAX_AMOUNT, LedgerWorkload

HEALTH_DEADLINE_S = 10.0
REQUEST_TIMEOUT_S = 10.0
SETTLE_DEADLINE_S = 5.0
PAUSE_S = 1.2  # the api's first two attempts (0.8 s timeout each) hit the frozen store


@dataclass
class Ledger:
    """The two ledger services of one variant, started from its manifest's ``run`` lines."""

    root: Path
    data: Path
    commands: dict[str, list[str]]
    env: dict[str, dict[str, str]]
    ports: dict[str, int]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, *services: str) -> None:
        """Start ``services`` together, then wait until each answers its health check."""
        for service in services:
            with (self.data / f"{service}.log").open("ab") as log:
                self.processes[service] = subprocess.Popen(
                    self.commands[service],
                    cwd=self.root,
                    env=self.env[service],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        deadline = time.monotonic() + HEALTH_DEADLINE_S
        for service in services:
            while not self._healthy(service):
                log_tail = (self.data / f"{service}.log").read_text(errors="replace")[-2000:]
                assert self.processes[service].poll() is None, f"{service} exited:\n{log_tail}"
                assert time.monotonic() < deadline, f"{service} never healthy:\n{log_tail}"
                time.sleep(0.02)

    def _healthy(self, service: str) -> bool:
        try:
            return self.request(service, "GET", "/health", timeout=1.0)[0] == 200
        except OSError:
            return False

    def send(self, service: str, sig: signal.Signals) -> None:
        os.killpg(self.processes[service].pid, sig)

    def kill(self, service: str) -> None:
        self.send(service, signal.SIGKILL)
        self.processes[service].wait(timeout=HEALTH_DEADLINE_S)

    def kill_all(self) -> None:
        for service, process in self.processes.items():
            if process.poll() is None:
                self.kill(service)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def request(
        self,
        service: str,
        method: str,
        path: str,
        body: Any = None,
        timeout: float = REQUEST_TIMEOUT_S,
    ) -> tuple[int, Any]:
        connection = http.client.HTTPConnection("127.0.0.1", self.ports[service], timeout=timeout)
        try:
            payload = None if body is None else json.dumps(body)
            connection.request(method, path, payload, {"Content-Type": "application/json"})
            response = connection.getresponse()
            return response.status, json.loads(response.read())
        finally:
            connection.close()

    def deposit(self, deposit_id: str, account: str = "acct-a", amount: int = 10) -> int:
        body = {"id": deposit_id, "account": account, "amount": amount}
        return self.request("api", "POST", "/deposits", body)[0]

    def state(self) -> dict[str, Any]:
        status, state = self.request("store", "GET", "/state")
        assert status == 200, state
        return state

    def applications(self, request_id: str) -> int:
        return sum(credit["request"] == request_id for credit in self.state()["credits"])


def prepare(tmp_path: Path, bug: str) -> Ledger:
    """A ledger variant as the chaos runner would start it: its manifest's commands and env,
    ``{port}``/``{data}`` filled in, callees' URLs in their env vars."""
    manifest = load_manifest(ledger_variant(tmp_path, bug))
    data = tmp_path / "data"
    data.mkdir()
    with reserved_ports(len(manifest.services)) as free:
        ports = dict(zip(manifest.services, free, strict=True))
    commands, envs = {}, {}
    for name, service in manifest.services.items():
        assert service.run is not None
        commands[name] = command_line(service.run, port=ports[name], data_dir=data)
        envs[name] = {
            **os.environ,
            **{
                key: substitute(value, port=ports[name], data_dir=data)
                for key, value in service.env.items()
            },
            **{
                call.env: f"http://127.0.0.1:{ports[callee]}"
                for callee, call in service.calls.items()
            },
        }
    return Ledger(manifest.path.parent, data, commands, envs, ports)


@pytest.fixture
def start_ledger(tmp_path: Path) -> Iterator[Callable[[str], Ledger]]:
    """Start a ledger variant; every process is killed afterwards."""
    started: list[Ledger] = []

    def start(bug: str = "") -> Ledger:
        ledger = prepare(tmp_path / f"variant-{len(started)}", bug)
        started.append(ledger)
        ledger.start("store", "api")
        return ledger

    yield start
    for ledger in started:
        ledger.kill_all()


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + SETTLE_DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.05)


# --- the services, by hand -----------------------------------------------------------------


@pytest.mark.parametrize("bug", ["", *BUGS])
def test_without_faults_every_variant_applies_a_deposit_once(
    start_ledger: Callable[[str], Ledger], bug: str
) -> None:
    ledger = start_ledger(bug)

    assert ledger.deposit("d-1", "acct-b", 25) == 200

    assert ledger.state() == {
        "balances": {"acct-b": 25},
        "credits": [{"id": "d-1", "request": "d-1", "account": "acct-b", "amount": 25}],
    }


BAD_DEPOSITS = (
    {"account": "acct-a", "amount": 5},
    {"id": "", "account": "acct-a", "amount": 5},
    {"id": "d-1", "account": "acct-a", "amount": 0},
    {"id": "d-1", "account": "acct-a", "amount": True},
    {"id": "d-1", "account": 7, "amount": 5},
    ["not", "an", "object"],
)


def test_api_refuses_bad_deposits_before_calling_the_store(
    start_ledger: Callable[[str], Ledger],
) -> None:
    ledger = start_ledger("")

    for body in BAD_DEPOSITS:
        status, answer = ledger.request("api", "POST", "/deposits", body)
        assert (status, bool(answer["error"])) == (400, True), body

    assert ledger.state() == {"balances": {}, "credits": []}


def test_services_answer_unknown_routes_and_non_json_with_errors(
    start_ledger: Callable[[str], Ledger],
) -> None:
    ledger = start_ledger("")

    assert ledger.request("store", "GET", "/nowhere")[0] == 404
    assert ledger.request("store", "POST", "/credits", {"id": "c-1"})[0] == 400
    connection = http.client.HTTPConnection("127.0.0.1", ledger.ports["api"], timeout=5)
    connection.request("POST", "/deposits", b"{not json", {"Content-Type": "application/json"})
    response = connection.getresponse()
    assert (response.status, json.loads(response.read())) == (
        400,
        {"error": "the body is not JSON"},
    )
    connection.close()


def test_a_service_without_its_env_exits_with_a_one_line_reason(tmp_path: Path) -> None:
    ledger = prepare(tmp_path, "")
    for service, variable in (("api", "STORE_URL"), ("store", "STORE_DB")):
        env = {k: v for k, v in ledger.env[service].items() if k != variable}
        run = subprocess.run(
            ledger.commands[service], cwd=ledger.root, env=env, capture_output=True, timeout=10
        )
        message = run.stderr.decode().strip()
        assert run.returncode == 1
        assert message.startswith(f"{service}: {variable} is not set (")
        assert len(message.splitlines()) == 1


@pytest.mark.parametrize(("bug", "applied"), [("", 1), ("no-dedup", 2)])
def test_a_redelivered_credit_is_applied_once_unless_no_dedup(
    start_ledger: Callable[[str], Ledger], bug: str, applied: int
) -> None:
    ledger = start_ledger(bug)
    credit = {"id": "c-1", "request": "d-1", "account": "acct-a", "amount": 40}

    for _ in range(2):
        assert ledger.request("store", "POST", "/credits", credit) == (200, {"id": "c-1"})

    state = ledger.state()
    assert len(state["credits"]) == applied
    assert state["balances"] == {"acct-a": 40 * applied}


@pytest.mark.parametrize(("bug", "kept"), [("", True), ("in-memory", False)])
def test_an_acknowledged_deposit_survives_a_store_crash_unless_in_memory(
    start_ledger: Callable[[str], Ledger], bug: str, kept: bool
) -> None:
    ledger = start_ledger(bug)
    assert ledger.deposit("d-1") == 200

    ledger.kill("store")
    ledger.start("store")

    assert (ledger.applications("d-1") == 1) is kept


@pytest.mark.parametrize(("bug", "answer"), [("", 503), ("swallow-errors", 200)])
def test_a_deposit_the_store_never_got_is_refused_unless_errors_are_swallowed(
    start_ledger: Callable[[str], Ledger], bug: str, answer: int
) -> None:
    ledger = start_ledger(bug)
    ledger.kill("store")

    assert ledger.deposit("d-1") == answer

    ledger.start("store")
    assert ledger.applications("d-1") == 0


@pytest.mark.parametrize(("bug", "duplicated"), [("", False), ("retry-new-id", True)])
def test_retries_to_a_paused_store_apply_once_unless_each_has_a_new_id(
    start_ledger: Callable[[str], Ledger], bug: str, duplicated: bool
) -> None:
    ledger = start_ledger(bug)
    ledger.send("store", signal.SIGSTOP)
    with ThreadPoolExecutor(1) as pool:
        answer = pool.submit(ledger.deposit, "d-1")
        time.sleep(PAUSE_S)
        ledger.send("store", signal.SIGCONT)
        # Every attempt timed out or was answered: the api gives up within its own bound.
        assert answer.result(timeout=REQUEST_TIMEOUT_S) in (200, 503)

    at_least = 2 if duplicated else 1
    wait_for(lambda: ledger.applications("d-1") >= at_least, f"d-1 is applied {at_least}x")
    time.sleep(0.3)  # attempts still queued in the store's backlog land by now
    applications = ledger.applications("d-1")
    assert (applications > 1) is duplicated
    assert len({c["id"] for c in ledger.state()["credits"]}) == applications


@pytest.mark.parametrize(("bug", "applied"), [("", 1), ("wall-clock-expiry", 0)])
def test_a_late_credit_is_applied_unless_dropped_silently_by_wall_clock(
    start_ledger: Callable[[str], Ledger], bug: str, applied: int
) -> None:
    ledger = start_ledger(bug)
    credit = {"id": "c-1", "request": "d-1", "account": "acct-a", "amount": 5}

    answer = ledger.request("store", "POST", "/credits", {**credit, "expires_at": time.time() - 1})

    assert answer == (200, {"id": "c-1"})
    assert ledger.applications("d-1") == applied


def test_ledger_variant_rewrites_bug_and_scenario(tmp_path: Path) -> None:
    scenario = {
        "duration": 3,
        "faults": [{"at": 1, "duration": 1, "target": "store", "fault": "kill"}],
    }

    path = ledger_variant(tmp_path, "no-dedup", scenario)

    manifest = load_manifest(path)
    assert {s.env["BUG"] for s in manifest.services.values()} == {"no-dedup"}
    assert list(manifest.chaos.scenarios) == ["default"]
    assert manifest.chaos.scenarios["default"].model_dump(exclude_defaults=True) == scenario
    assert manifest.chaos.workload is not None
    assert (manifest.root / manifest.chaos.workload.module).is_file()
    with pytest.raises(ValueError, match="unknown ledger bug 'typo'; expected one of"):
        ledger_variant(tmp_path / "other", "typo")


def test_the_template_is_the_correct_system_with_a_storm_and_a_calm(tmp_path: Path) -> None:
    raw = yaml.safe_load(ledger_variant(tmp_path).read_text())
    assert {s["env"]["BUG"] for s in raw["services"].values()} == {""}
    assert set(raw["chaos"]["scenarios"]) == {"default", "calm"}


# --- the workload ----------------------------------------------------------------------------


def operations(seed: int, n: int = 50) -> list[Operation]:
    workload, rng = LedgerWorkload(), random.Random(seed)
    return [workload.generate(rng) for _ in range(n)]


def test_generate_is_determined_by_the_seed() -> None:
    first = operations(7)

    assert first == operations(7)
    assert first != operations(8)
    assert {op.f for op in first} == {"deposit"}
    assert len({op.value["id"] for op in first}) == len(first)
    assert {op.value["account"] for op in first} <= set(ACCOUNTS)
    assert all(1 <= op.value["amount"] <= MAX_AMOUNT for op in first)


def deposit_history(outcomes: dict[str, OpType]) -> History:
    """Each deposit id invoked by its own process, then completed with its outcome."""
    ops: list[Op] = []
    for process, (deposit_id, outcome) in enumerate(outcomes.items()):
        value = {"id": deposit_id, "account": "acct-a", "amount": 10}
        ops.append(Op(process, "invoke", "deposit", value, time=2 * process))
        result = {"id": deposit_id} if outcome == "ok" else value
        ops.append(Op(process, outcome, "deposit", result, time=2 * process + 1))
    return History(ops)


def final(*credits: tuple[str, str, int], balance: int | None = None) -> dict[str, Any]:
    rows = [{"id": c, "request": r, "account": "acct-a", "amount": a} for c, r, a in credits]
    total = sum(a for _, _, a in credits) if balance is None else balance
    return {"balances": {"acct-a": total} if rows else {}, "credits": rows}


def verdicts(history: History, state: dict[str, Any]) -> dict[str, bool | str]:
    judged = check_invariants(LedgerWorkload().invariants(), history, state)
    return {verdict.name: verdict.valid for verdict in judged}


def test_invariants_hold_when_acknowledged_deposits_are_applied_once() -> None:
    history = deposit_history({"d-1": "ok", "d-2": "info", "d-3": "fail"})
    # An unknown (info) deposit may or may not have landed; either is fine.
    state = final(("d-1", "d-1", 10), ("d-2", "d-2", 10))

    assert verdicts(history, state) == {
        "acknowledged deposits kept": True,
        "each deposit applied once": True,
        "balances match credits": True,
    }


def test_invariants_catch_a_lost_acknowledged_deposit() -> None:
    judged = check_invariants(
        LedgerWorkload().invariants(),
        deposit_history({"d-1": "ok", "d-2": "ok"}),
        final(("d-1", "d-1", 10)),
    )

    lost = judged[0]
    assert (lost.name, lost.valid) == ("acknowledged deposits kept", False)
    assert lost.witnesses == ({"id": "d-2", "ops": [3]},)
    assert [v.valid for v in judged[1:]] == [True, True]


def test_invariants_catch_a_deposit_applied_twice_under_two_credit_ids() -> None:
    history = deposit_history({"d-1": "ok"})
    state = final(("d-1", "d-1", 10), ("c-9", "d-1", 10))

    assert verdicts(history, state) == {
        "acknowledged deposits kept": True,
        "each deposit applied once": False,
        "balances match credits": True,
    }


def test_invariants_catch_balances_that_disagree_with_the_credits() -> None:
    history = deposit_history({"d-1": "ok"})

    assert (
        verdicts(history, final(("d-1", "d-1", 10), balance=30))["balances match credits"] is False
    )


# --- the workload against the running api -------------------------------------------------


def test_invoke_and_final_state_against_the_running_ledger(
    start_ledger: Callable[[str], Ledger],
) -> None:
    ledger = start_ledger("")
    workload = LedgerWorkload()
    context = RunContext(
        "api", ledger.url("api"), {n: ledger.url(n) for n in ledger.ports}, ledger.data, seed=1
    )

    async def scenario() -> tuple[Any, Any, str]:
        async with httpx.AsyncClient(base_url=ledger.url("api"), trust_env=False) as client:
            ok = await workload.invoke(
                client, Operation("deposit", {"id": "d-1", "account": "acct-a", "amount": 3})
            )
            with pytest.raises(Fail, match="HTTP 400"):
                await workload.invoke(
                    client, Operation("deposit", {"id": "d-2", "account": "acct-a", "amount": 0})
                )
            state = await workload.final_state(client, context)
            ledger.kill("store")
            with pytest.raises(httpx.HTTPStatusError) as unknown:
                await workload.invoke(
                    client, Operation("deposit", {"id": "d-3", "account": "acct-a", "amount": 3})
                )
        return ok, state, str(unknown.value)

    ok, state, unknown = asyncio.run(scenario())

    assert ok == {"id": "d-1"}
    assert state == final(("d-1", "d-1", 3))
    assert "503" in unknown


# --- the travel example's workload -----------------------------------------------------------

TRAVEL = Path(__file__).resolve().parents[2] / "examples" / "travel" / "naive"


@pytest.fixture(scope="module")
def travel() -> Workload:
    """The travel workload as `stormproof chaos` loads it, from the example's manifest."""
    return load_workload(load_manifest(TRAVEL / "stormproof.yaml"))


@dataclass
class Trips:
    """A hand-made final state of the travel system, shaped as its workload reads it."""

    state: dict[str, Any] = field(
        default_factory=lambda: {
            "balances": {"alice": 5000.0, "bob": 1200.0, "carol": 300.0},
            "seats_left": {"TR100": 150, "TR200": 40, "TR300": 1},
            "rooms_left": {"grand-plaza": 25, "harbour-inn": 8, "mountain-lodge": 1},
            **{table: [] for table in TRAVEL_TABLES},
        }
    )

    def charge(self, booking: str, amount: float = 50.0, refund: bool = False) -> None:
        charge_id = f"c{len(self.state['charges'])}-{booking}"
        self.state["balances"]["alice"] -= amount
        self.state["charges"].append(
            {"id": charge_id, "customer": "alice", "amount": amount, "booking_id": booking}
        )
        if refund:
            self.state["balances"]["alice"] += amount
            self.state["refunds"].append(
                {"id": f"r-{charge_id}", "charge_id": charge_id, "amount": amount}
            )

    def seat(self, booking: str, flight: str = "TR100") -> None:
        self.state["seats_left"][flight] -= 1
        self.state["seat_reservations"].append(
            {"id": f"s-{booking}", "flight": flight, "booking_id": booking}
        )

    def room(self, booking: str, hotel: str = "grand-plaza") -> None:
        self.state["rooms_left"][hotel] -= 1
        self.state["room_reservations"].append(
            {"id": f"h-{booking}", "hotel": hotel, "booking_id": booking}
        )

    def row(self, booking: str, status: str) -> None:
        self.state["bookings"].append(
            {
                "id": booking,
                "customer": "alice",
                "flight": "TR100",
                "hotel": "grand-plaza",
                "amount": 50.0,
                "status": status,
            }
        )

    def confirmed(self, booking: str) -> None:
        self.charge(booking)
        self.seat(booking)
        self.room(booking)
        self.row(booking, "confirmed")


TRAVEL_TABLES = ("charges", "refunds", "bookings", "seat_reservations", "room_reservations")


def trips_history(*bookings: str) -> History:
    """One acknowledged trip per booking id."""
    ops: list[Op] = []
    for process, booking in enumerate(bookings):
        trip = {"customer": "alice", "flight": "TR100", "hotel": "grand-plaza", "amount": 50}
        ops.append(Op(process, "invoke", "book", trip, time=2 * process))
        ops.append(
            Op(
                process,
                "ok",
                "book",
                {"booking": booking, "status": "confirmed"},
                time=2 * process + 1,
            )
        )
    return History(ops)


def travel_verdicts(travel: Workload, trips: Trips, *acknowledged: str) -> dict[str, Verdict]:
    judged = check_invariants(travel.invariants(), trips_history(*acknowledged), trips.state)
    return {verdict.name: verdict for verdict in judged}


def broken(verdicts: dict[str, Verdict]) -> dict[str, tuple[dict[str, Any], ...]]:
    return {name: v.witnesses for name, v in verdicts.items() if v.valid is not True}


def test_travel_invariants_hold_for_whole_trips_and_clean_failures(travel: Workload) -> None:
    trips = Trips()
    trips.confirmed("b-1")
    trips.charge("b-2", refund=True)  # a declined hotel, compensated in full...
    trips.row("b-2", "failed")  # ...with nothing left reserved

    assert broken(travel_verdicts(travel, trips, "b-1")) == {}


def test_travel_invariants_catch_a_leaked_seat_and_an_orphan_charge(travel: Workload) -> None:
    trips = Trips()
    trips.confirmed("b-1")
    trips.charge("b-2", refund=True)
    trips.seat("b-2")  # a full hotel: refunded, but the seat is never released
    trips.row("b-2", "failed")
    trips.charge("b-3")  # a full flight: charged, and no booking row at all

    assert broken(travel_verdicts(travel, trips, "b-1")) == {
        "each booking all or nothing": (
            {"id": "b-2", "done": ["seat"], "missing": ["confirmed", "charged", "room"]},
            {"id": "b-3", "done": ["charged"], "missing": ["confirmed", "seat", "room"]},
        )
    }


def test_travel_invariants_catch_a_double_charge(travel: Workload) -> None:
    trips = Trips()
    trips.confirmed("b-1")
    trips.charge("b-1")  # the retried charge whose first answer was lost

    assert broken(travel_verdicts(travel, trips, "b-1")) == {
        "each booking charged once": ({"id": "b-1", "count": 2},)
    }


def test_travel_invariants_catch_lost_updates(travel: Workload) -> None:
    trips = Trips()
    trips.confirmed("b-1")
    trips.confirmed("b-2")
    # Two charges and two seat sales that each read the count before the other wrote it.
    trips.state["balances"]["alice"] += 50.0
    trips.state["seats_left"]["TR100"] += 1

    failed = broken(travel_verdicts(travel, trips, "b-1", "b-2"))

    assert set(failed) == {"money is conserved", "no overbooking"}
    assert failed["money is conserved"][0]["difference"] == 50.0
    assert failed["no overbooking"] == (
        {"resource": "TR100 seats sold or for sale", "used": 151, "capacity": 150},
    )


def test_travel_invariants_catch_an_acknowledged_booking_that_is_not_confirmed(
    travel: Workload,
) -> None:
    trips = Trips()
    trips.confirmed("b-1")

    assert broken(travel_verdicts(travel, trips, "b-1", "b-9")) == {
        "acknowledged bookings confirmed": ({"id": "b-9", "ops": [3]},)
    }


def test_travel_generate_is_seeded_and_asks_for_scarce_trips(travel: Workload) -> None:
    def trips(seed: int) -> list[Operation]:
        rng = random.Random(seed)
        return [travel.generate(rng) for _ in range(200)]

    first = trips(3)

    assert first == trips(3) != trips(4)
    assert {op.f for op in first} == {"book"}
    assert {op.value["flight"] for op in first} == {"TR100", "TR200", "TR300"}
    assert {op.value["hotel"] for op in first} == {"grand-plaza", "harbour-inn", "mountain-lodge"}
    assert {op.value["customer"] for op in first} == {"alice", "bob", "carol"}
