"""Histories of chaos runs (Jepsen-style ops), their files, and the invariants judged on them.

Imports nothing else of stormproof: the chaos runner and the checkers build on it."""

from stormproof.history.history import History, MalformedHistoryError
from stormproof.history.invariants import (
    MAX_WITNESSES,
    acknowledged_ids,
    bounded,
    conservation,
    no_duplicate_effects,
    no_lost_writes,
    saga_atomicity,
)
from stormproof.history.jsonl import HistoryError, HistoryWriter, read_history
from stormproof.history.op import OP_TYPES, Op, OpType
from stormproof.history.verdict import Invariant, Validity, Verdict, check_invariants

__all__ = [
    "MAX_WITNESSES",
    "OP_TYPES",
    "History",
    "HistoryError",
    "HistoryWriter",
    "Invariant",
    "MalformedHistoryError",
    "Op",
    "OpType",
    "Validity",
    "Verdict",
    "acknowledged_ids",
    "bounded",
    "check_invariants",
    "conservation",
    "no_duplicate_effects",
    "no_lost_writes",
    "read_history",
    "saga_atomicity",
]
