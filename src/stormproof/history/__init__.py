"""Histories of chaos runs (Jepsen-style ops), their files, and the checkers that judge them:
linearizability (:mod:`stormproof.history.lin`) and the invariants of distributed workflows.

Imports nothing else of stormproof: the chaos runner and ``stormproof lin`` build on it."""

from stormproof.history._report import MAX_WITNESSES
from stormproof.history.bank import bank
from stormproof.history.counter_bounds import counter_bounds
from stormproof.history.edn import EdnError, parse_edn
from stormproof.history.formats import FORMATS, HistoryFormat, detect_format, read_history
from stormproof.history.history import History, MalformedHistoryError
from stormproof.history.idempotency import same_response
from stormproof.history.invariants import (
    acknowledged_ids,
    bounded,
    conservation,
    no_duplicate_effects,
    no_lost_writes,
    saga_atomicity,
)
from stormproof.history.jepsen import read_edn_history, read_jepsen_log
from stormproof.history.jsonl import HistoryError, HistoryWriter, read_jsonl
from stormproof.history.lin import MODEL_NAMES, LinResult, check_linearizable
from stormproof.history.lin.invariant import linearizable
from stormproof.history.op import OP_TYPES, Op, OpType
from stormproof.history.set_full import set_full
from stormproof.history.unique_ids import unique_ids
from stormproof.history.verdict import Invariant, Validity, Verdict, check_invariants

__all__ = [
    "FORMATS",
    "MAX_WITNESSES",
    "MODEL_NAMES",
    "OP_TYPES",
    "EdnError",
    "History",
    "HistoryError",
    "HistoryFormat",
    "HistoryWriter",
    "Invariant",
    "LinResult",
    "MalformedHistoryError",
    "Op",
    "OpType",
    "Validity",
    "Verdict",
    "acknowledged_ids",
    "bank",
    "bounded",
    "check_invariants",
    "check_linearizable",
    "conservation",
    "counter_bounds",
    "detect_format",
    "linearizable",
    "no_duplicate_effects",
    "no_lost_writes",
    "parse_edn",
    "read_edn_history",
    "read_history",
    "read_jepsen_log",
    "read_jsonl",
    "saga_atomicity",
    "same_response",
    "set_full",
    "unique_ids",
]
