"""The ledger's chaos workload: deposits into a few accounts, judged by what the store holds.

A deposit's id is chosen by the client (drawn from the run's RNG), and the api passes it to
the store as the credit's ``request``, so the final state can be matched against the
history: every acknowledged deposit must be there, and none may be there twice."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import httpx

from stormproof.chaos.workload import Fail, Operation, RunContext, Workload
from stormproof.history import (
    Invariant,
    acknowledged_ids,
    conservation,
    no_duplicate_effects,
    no_lost_writes,
)

ACCOUNTS = ("acct-a", "acct-b", "acct-c", "acct-d")
MAX_AMOUNT = 100


def applied_requests(final: Any) -> list[str]:
    """The deposit id of every application of a credit (a duplicate shows twice)."""
    return [credit["request"] for credit in final["credits"]]


def balance_parts(final: Any) -> dict[str, float]:
    """Each account's balance, and the credits applied counted negative: the store moves a
    balance exactly when it records a credit, so the parts must add up to zero."""
    parts = {f"balance {account}": float(amount) for account, amount in final["balances"].items()}
    parts["credits applied"] = -float(sum(credit["amount"] for credit in final["credits"]))
    return parts


class LedgerWorkload(Workload):
    concurrency = 4
    rate = 30.0
    timeout = 3.0

    def generate(self, rng: random.Random) -> Operation:
        return Operation(
            "deposit",
            {
                "id": f"d-{rng.getrandbits(48):012x}",
                "account": rng.choice(ACCOUNTS),
                "amount": rng.randint(1, MAX_AMOUNT),
            },
        )

    async def invoke(self, client: httpx.AsyncClient, operation: Operation) -> Any:
        response = await client.post("/deposits", json=operation.value)
        if response.status_code == 200:
            return {"id": response.json()["id"]}
        if 400 <= response.status_code < 500:
            # The api refuses bad input before it calls the store: nothing happened.
            raise Fail(reason=f"HTTP {response.status_code}: {response.text[:200]}")
        # A 503 means the store did not confirm in time, not that it did nothing: unknown.
        response.raise_for_status()
        raise RuntimeError(f"unexpected answer HTTP {response.status_code}")

    async def final_state(self, client: httpx.AsyncClient, context: RunContext) -> Any:
        response = await client.get(f"{context.urls['store']}/state")
        response.raise_for_status()
        return response.json()

    def invariants(self) -> Sequence[Invariant]:
        return (
            no_lost_writes(
                "acknowledged deposits kept",
                acknowledged_ids("deposit", "id"),
                lambda final: set(applied_requests(final)),
            ),
            no_duplicate_effects("each deposit applied once", applied_requests),
            conservation("balances match credits", balance_parts, 0.0),
        )
