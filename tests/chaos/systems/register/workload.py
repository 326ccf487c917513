"""The register system's chaos workload: reads, writes and compare-and-sets on three
registers, judged by linearizability (the cas-register model, each register on its own)
alone.

Every value written to a register (by a write, or as a cas's new value) is fresh: 1, 2, 3,
... in the order the register's operations are generated. A value seen in a read can then
only have come from the one operation that wrote it, so a stale or resurrected read cannot
be explained away by another write of the same value, as it could with values drawn from a
handful (an ``info`` write of unknown outcome may be placed anywhere after its invoke, and
with five values there is nearly always one at hand). A cas expects the value generated just
before its own for that register, so without faults nearly every cas succeeds, and one whose
predecessor did not take effect fails until the next write starts the chain again. Each
operation carries its register as its key, so the history splits by register."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import httpx
import registers

from stormproof.chaos.workload import Fail, Operation, RunContext, Workload
from stormproof.history import Invariant, linearizable

FUNCTIONS = ("read", "write", "cas")
# Reads reveal the state; cas both reveals and changes it; writes are few, since each one
# hides whatever came before it.
WEIGHTS = (5, 1, 4)


class RegisterWorkload(Workload):
    concurrency = 8
    rate = 50.0
    timeout = 2.0

    def __init__(self) -> None:
        self.generated = dict.fromkeys(registers.KEYS, 0)  # the last value handed out

    def generate(self, rng: random.Random) -> Operation:
        [f] = rng.choices(FUNCTIONS, WEIGHTS)
        key = rng.choice(registers.KEYS)
        if f == "read":
            return Operation("read", key=key)
        self.generated[key] += 1
        value = self.generated[key]
        if f == "write":
            return Operation("write", value, key)
        return Operation("cas", [value - 1, value], key)

    async def invoke(self, client: httpx.AsyncClient, operation: Operation) -> Any:
        assert isinstance(operation.key, str)
        path = registers.path(operation.key)
        if operation.f == "read":
            response = await client.get(path)
        elif operation.f == "write":
            response = await client.post(path, json={"value": operation.value})
        else:
            expected, new = operation.value
            body = {"expected": expected, "new": new}
            response = await client.post(registers.cas_path(operation.key), json=body)
        if response.status_code == 200:
            return response.json()["value"] if operation.f == "read" else operation.value
        if response.status_code == 409 and operation.f == "cas":
            # The compare failed: the cas happened and changed nothing (cas-register's fail).
            raise Fail(reason="compare failed")
        # A 503 says the store's answer was lost, not that nothing happened: unknown.
        response.raise_for_status()
        raise RuntimeError(f"unexpected answer HTTP {response.status_code}")

    async def final_state(self, client: httpx.AsyncClient, context: RunContext) -> Any:
        response = await client.get(f"{context.urls['store']}/registers")
        response.raise_for_status()
        return response.json()["registers"]

    def invariants(self) -> Sequence[Invariant]:
        return (linearizable("linearizable registers", "cas-register"),)
