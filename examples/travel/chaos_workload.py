"""The chaos workload of the travel systems, naive and hardened alike: customers book trips
through the gateway; the four databases are read at the end and judged (see the README.md of
either, "Chaos"). Both variants keep the same tables, so that one workload judges both.

The seed data below is the services' own (payments, flights and hotels create it on start):
the invariants compare the final state with it."""

from __future__ import annotations

import random
import sqlite3
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx

from stormproof.chaos.workload import Fail, Operation, RunContext, Workload
from stormproof.history import (
    Invariant,
    acknowledged_ids,
    bounded,
    conservation,
    no_duplicate_effects,
    no_lost_writes,
    saga_atomicity,
)

CUSTOMERS = {"alice": 5000.0, "bob": 1200.0, "carol": 300.0}
SEATS = {"TR100": 150, "TR200": 40, "TR300": 1}
ROOMS = {"grand-plaza": 25, "harbour-inn": 8, "mountain-lodge": 1}
AMOUNTS = (5, 40)
# The databases' file names under the run's {data} directory: the `env` of stormproof.yaml.
DATABASES = {
    "bookings": "bookings.db",
    "payments": "payments.db",
    "flights": "flights.db",
    "hotels": "hotels.db",
}
# The only answer that proves nothing happened: the gateway validates the body before it calls
# booking. Every other refusal comes after retries that may have done something first:
# - 402 (insufficient funds): booking retries the charge after a lost answer, and the gateway
#   retries the whole trip after a lost answer, so an earlier attempt may have charged or even
#   booked;
# - 409 (sold out): a full flight is found after the charge, a full hotel after the charge and
#   the seat (the refund is not guaranteed and the seat is never released);
# - 404, 5xx: anything up to a whole trip may have happened.
NOTHING_HAPPENED = frozenset({422})

COUNTERS = {
    "balances": ("payments", "SELECT name, balance FROM customers"),
    "seats_left": ("flights", "SELECT code, seats_left FROM flights"),
    "rooms_left": ("hotels", "SELECT name, rooms_left FROM hotels"),
}
TABLES = {
    "charges": ("payments", "SELECT id, customer, amount, booking_id FROM charges"),
    "refunds": ("payments", "SELECT id, charge_id, amount FROM refunds"),
    "bookings": ("bookings", "SELECT id, customer, flight, hotel, amount, status FROM bookings"),
    "seat_reservations": ("flights", "SELECT id, flight, booking_id FROM reservations"),
    "room_reservations": ("hotels", "SELECT id, hotel, booking_id FROM reservations"),
}


class UnknownOutcome(Exception):
    """An answer that does not say whether the trip (or part of it) happened: ``info``."""


class TravelWorkload(Workload):
    concurrency = 6
    rate = 10.0
    timeout = 5.0

    def generate(self, rng: random.Random) -> Operation:
        # Customers in proportion to their money, and small amounts, so that most trips are
        # paid for through a whole run. Flights and hotels uniform on purpose: TR300 and
        # mountain-lodge (one seat, one room) sell out at once, and every later trip that asks
        # for them goes down the saga's failure paths.
        # Each trip carries its client request id, which the hardened gateway uses as the
        # trip's Idempotency-Key end to end (the naive one ignores it).
        names = sorted(CUSTOMERS)
        return Operation(
            "book",
            {
                "customer": rng.choices(names, [CUSTOMERS[name] for name in names])[0],
                "flight": rng.choice(sorted(SEATS)),
                "hotel": rng.choice(sorted(ROOMS)),
                "amount": rng.randint(*AMOUNTS),
                "request": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            },
        )

    async def invoke(self, client: httpx.AsyncClient, operation: Operation) -> Any:
        trip = dict(operation.value)
        headers = {"Idempotency-Key": trip.pop("request")}
        response = await client.post("/trips", json=trip, headers=headers)
        if response.status_code == 200:
            answer = response.json()
            return {"booking": answer["id"], "status": answer["status"]}
        if response.status_code in NOTHING_HAPPENED:
            raise Fail(reason=f"HTTP {response.status_code}: {response.text[:200]}")
        raise UnknownOutcome(f"HTTP {response.status_code}: {response.text[:200]}")

    async def final_state(self, client: httpx.AsyncClient, context: RunContext) -> Any:
        return read_databases(context.data_dir)

    def invariants(self) -> Sequence[Invariant]:
        return (
            conservation("money is conserved", money, sum(CUSTOMERS.values())),
            saga_atomicity("each booking all or nothing", saga_steps),
            bounded("no overbooking", inventory),
            no_lost_writes(
                "acknowledged bookings confirmed",
                acknowledged_ids("book", "booking"),
                confirmed_bookings,
            ),
            no_duplicate_effects("each booking charged once", charged_bookings),
        )


def read_databases(data_dir: Path) -> dict[str, Any]:
    """Every table the invariants need, read straight from the services' SQLite files
    (read-only, so a service still running is not disturbed). Counters come as
    {name: number}, other tables as rows in insertion order (the earliest first)."""
    state: dict[str, Any] = {}
    for key, (database, query) in {**COUNTERS, **TABLES}.items():
        path = data_dir / DATABASES[database]
        if not path.is_file():
            raise FileNotFoundError(f"{path} does not exist: {database} never wrote its database")
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
            db.row_factory = sqlite3.Row
            rows = db.execute(f"{query} ORDER BY rowid").fetchall()
        state[key] = dict(map(tuple, rows)) if key in COUNTERS else [dict(row) for row in rows]
    return state


def money(final: Any) -> dict[str, float]:
    """Balances plus what payments holds (charges less refunds): the seed total, always."""
    parts = {f"balance {name}": balance for name, balance in final["balances"].items()}
    parts["charges"] = sum(row["amount"] for row in final["charges"])
    parts["refunds"] = -sum(row["amount"] for row in final["refunds"])
    return parts


def saga_steps(final: Any) -> dict[str, dict[str, bool]]:
    """Every booking id any database knows, with which of its steps stand at the end. A
    charge or reservation whose booking has no row is a saga left half done, too."""
    refunded: dict[str, float] = defaultdict(float)
    for refund in final["refunds"]:
        refunded[refund["charge_id"]] += refund["amount"]
    net_charge: dict[str, float] = defaultdict(float)
    for charge in final["charges"]:
        net_charge[charge["booking_id"]] += charge["amount"] - refunded[charge["id"]]
    seats = {row["booking_id"] for row in final["seat_reservations"]}
    rooms = {row["booking_id"] for row in final["room_reservations"]}
    confirmed = set(confirmed_bookings(final))
    ids = dict.fromkeys([*net_charge, *seats, *rooms, *(row["id"] for row in final["bookings"])])
    return {
        booking: {
            "confirmed": booking in confirmed,
            "charged": net_charge.get(booking, 0.0) > 0,
            "seat": booking in seats,
            "room": booking in rooms,
        }
        for booking in ids
    }


def inventory(final: Any) -> Iterable[tuple[str, float, float]]:
    """For each flight and hotel: units sold, units left, and both together, against the
    capacity. Sold + left above capacity means a lost update gave a unit away twice, before
    the count runs out and shows it as sold > capacity."""
    for unit, capacity, left, reservations, key in (
        ("seats", SEATS, final["seats_left"], final["seat_reservations"], "flight"),
        ("rooms", ROOMS, final["rooms_left"], final["room_reservations"], "hotel"),
    ):
        sold = Counter(row[key] for row in reservations)
        for name, total in capacity.items():
            yield f"{name} {unit} sold", sold[name], total
            yield f"{name} {unit} left", left[name], total
            yield f"{name} {unit} sold or for sale", sold[name] + left[name], total


def confirmed_bookings(final: Any) -> list[str]:
    return [row["id"] for row in final["bookings"] if row["status"] == "confirmed"]


def charged_bookings(final: Any) -> list[str]:
    """The booking id of every charge: a booking charged twice shows twice."""
    return [row["booking_id"] for row in final["charges"]]
