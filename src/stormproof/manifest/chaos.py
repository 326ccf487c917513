"""The `chaos:` section: which workload drives the system and which fault scenarios it runs.

Only the shape is checked here, so that a typo is a load error with a line number. What a
fault's parameters mean (and whether they are valid for its kind) belongs to
`stormproof.chaos`, which reads these models and reports its errors at their positions.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, Field, field_validator, model_validator

from stormproof.manifest.base import _Model

DEFAULT_SCENARIO = "default"
MIN_STEP_S = 0.1
CLIENT = "client"
"""The caller name of the edge that carries the workload's traffic into the entry service."""


def _ordered_pair(value: list[float]) -> list[float]:
    if len(value) != 2 or value[0] > value[1]:
        raise ValueError(f"expected [low, high] with low <= high, got {value}")
    if value[0] < 0:
        raise ValueError(f"seconds must be >= 0, got {value[0]}")
    if value[1] < MIN_STEP_S:
        raise ValueError(f"the upper bound must be at least {MIN_STEP_S} s, got {value[1]}")
    return value


Seconds = Annotated[float, Field(ge=0)]
SecondsRange = Annotated[list[float], AfterValidator(_ordered_pair)]


class WorkloadSection(_Model):
    """The workload plugin: a module (a `.py` file relative to the manifest, or a dotted
    module name importable from the manifest's directory) and the class in it."""

    model_config = ConfigDict(populate_by_name=True)

    module: str = Field(min_length=1)
    class_: str | None = Field(default=None, alias="class", min_length=1)
    concurrency: int | None = Field(default=None, gt=0, le=1024)
    rate: float | None = Field(default=None, ge=0)
    timeout: float | None = Field(default=None, gt=0)
    settings: dict[str, Any] = {}


class FaultEventSection(_Model):
    """One timed fault: `fault` is a kind (`kill`) or a mapping (`{kind: latency, ...}`)."""

    at: Seconds
    duration: float = Field(gt=0)
    target: str = Field(min_length=1)
    fault: str | dict[str, Any]


class GenerateSection(_Model):
    """Seeded random faults: one starts every `every` seconds (drawn from the range) and
    lasts `length` seconds, at most `max_active` at a time, of the kinds under `faults`."""

    every: SecondsRange = [2.0, 6.0]
    length: SecondsRange = [2.0, 6.0]
    max_active: int = Field(default=2, gt=0)
    faults: dict[str, dict[str, Any]] = Field(min_length=1)

    @field_validator("faults", mode="before")
    @classmethod
    def _empty_entries(cls, value: object) -> object:
        # `partition:` with nothing under it draws partitions with every default.
        if isinstance(value, dict):
            return {kind: {} if spec is None else spec for kind, spec in value.items()}
        return value


class ScenarioSection(_Model):
    description: str = ""
    duration: float = Field(default=30.0, gt=0, le=3600)
    faults: list[FaultEventSection] = []
    generate: GenerateSection | None = None


class ChaosSection(_Model):
    """Everything `stormproof chaos` needs beyond the services' `run` commands."""

    workload: WorkloadSection | None = None
    # None: the one service with role edge.
    entry: str | None = None
    settle: Seconds = 10.0
    health_timeout: float = Field(default=30.0, gt=0)
    scenarios: dict[str, ScenarioSection] = {}

    @model_validator(mode="before")
    @classmethod
    def _empty_scenarios(cls, data: object) -> object:
        # `calm:` with nothing under it is a scenario with every default (no faults).
        if isinstance(data, dict) and isinstance(data.get("scenarios"), dict):
            scenarios = {name: {} if s is None else s for name, s in data["scenarios"].items()}
            return {**data, "scenarios": scenarios}
        return data
