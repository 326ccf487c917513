"""The ledger behind ``stormproof audit``: a tamper-evident record of which prompt and model
produced which code, stored with the code.

Entries are canonical-JSON files named by their SHA-256, each naming the hashes of its parents
(a DAG: two branches that each record entries merge without conflicts, and the next entry
joins both heads); large payloads (prompts, responses, file snapshots, results) are blobs
named by their SHA-256, which ``redact`` can empty without breaking the chain. A
``checkpoint`` records files as a person left them, so that lines changed by hand between
two generations are not credited to the second."""

from stormproof.ledger.checkpoint import Checkpoint, record_checkpoint
from stormproof.ledger.entry import Entry, FileRecord
from stormproof.ledger.errors import LedgerError
from stormproof.ledger.record import Generation, record_generation
from stormproof.ledger.store import Ledger, open_ledger
from stormproof.ledger.verify import Problem, VerifyResult, verify_ledger

__all__ = [
    "Checkpoint",
    "Entry",
    "FileRecord",
    "Generation",
    "Ledger",
    "LedgerError",
    "Problem",
    "VerifyResult",
    "open_ledger",
    "record_checkpoint",
    "record_generation",
    "verify_ledger",
]
