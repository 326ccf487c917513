"""Linearizability: is there one order of a history's operations, consistent with real
time, that a sequential model accepts? (Herlihy & Wing; the search is Lowe's just-in-time
linearization with Wing & Gong's memoisation, split per key as Porcupine does.)"""

from stormproof.history.lin.check import check_linearizable
from stormproof.history.lin.models import MODEL_NAMES, MODELS, Model, OpError, model_named
from stormproof.history.lin.result import LinResult

__all__ = [
    "MODELS",
    "MODEL_NAMES",
    "LinResult",
    "Model",
    "OpError",
    "check_linearizable",
    "model_named",
]
