"""Chaos runs: real services behind fault-injecting proxies (see DESIGN.md, "Chaos runs")."""

from stormproof.chaos.faults import (
    Drop,
    DropResponse,
    Duplicate,
    Fault,
    HttpError,
    Latency,
    Partition,
    Reset,
    fault_from_dict,
    fault_to_dict,
)
from stormproof.chaos.proxy import FaultProxy, ProxyCounters

__all__ = [
    "Drop",
    "DropResponse",
    "Duplicate",
    "Fault",
    "FaultProxy",
    "HttpError",
    "Latency",
    "Partition",
    "ProxyCounters",
    "Reset",
    "fault_from_dict",
    "fault_to_dict",
]
