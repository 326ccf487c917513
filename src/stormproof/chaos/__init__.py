"""Chaos runs: real services behind fault-injecting proxies (see DESIGN.md, "Chaos runs").

The library API is :func:`run_chaos`; workload plugins subclass :class:`Workload`.
"""

from stormproof.chaos.errors import ChaosError
from stormproof.chaos.faults import (
    Drop,
    DropResponse,
    Duplicate,
    Fault,
    HttpError,
    Kill,
    Latency,
    Partition,
    Pause,
    Reset,
    Skew,
    fault_from_dict,
    fault_to_dict,
)
from stormproof.chaos.plugin import Overrides
from stormproof.chaos.proxy import FaultProxy, ProxyCounters
from stormproof.chaos.run import ChaosOptions, ChaosResult, RunStatus, run_chaos
from stormproof.chaos.schedule import FaultEvent, Schedule, read_schedule
from stormproof.chaos.workload import Fail, Operation, RunContext, Workload

__all__ = [
    "ChaosError",
    "ChaosOptions",
    "ChaosResult",
    "Drop",
    "DropResponse",
    "Duplicate",
    "Fail",
    "Fault",
    "FaultEvent",
    "FaultProxy",
    "HttpError",
    "Kill",
    "Latency",
    "Operation",
    "Overrides",
    "Partition",
    "Pause",
    "ProxyCounters",
    "Reset",
    "RunContext",
    "RunStatus",
    "Schedule",
    "Skew",
    "Workload",
    "fault_from_dict",
    "fault_to_dict",
    "read_schedule",
    "run_chaos",
]
