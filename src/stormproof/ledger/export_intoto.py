"""``stormproof audit export --format in-toto``: one in-toto Statement v1 per generation and
per human checkpoint.

JSON Lines, oldest first, the convention of in-toto attestation bundles (``.intoto.jsonl``);
each statement is unsigned (sign it, e.g. in a DSSE envelope, with the tool your policy
trusts). Its subjects are the files the entry recorded, with the SHA-256 each had then.
A generation's predicate (:data:`PREDICATE_TYPE`) is the entry: model, prompt, response and
results by hash, the lines written, who recorded it, when, and with what.

A human checkpoint gets a statement too, of a predicate type of its own
(:data:`CHECKPOINT_PREDICATE_TYPE`: ``origin: "human"``, the files and the lines a person
changed, no model or prompt). It has subjects, and it attests something about them: that a
person wrote those lines of those file versions, which an auditor telling AI-generated code
from human code needs; and the next generation's statement names it as a parent, its lines
counted from the checkpoint's version, which a bundle without it would leave unexplained.
The type of its own keeps a policy that reads generation statements from taking a person's
edit for a model's.

Redaction entries get no statement: they name no artifact, and a statement's ``subject``
must list at least one (the redaction shows as ``redacted`` on the blob instead). Neither
does an entry that lists no files (``record`` and ``checkpoint`` never write one)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from stormproof.ledger.entry import Entry
from stormproof.ledger.export import Results
from stormproof.ledger.order import in_order
from stormproof.ledger.store import Ledger

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://stormproof.dev/ledger/generation/v1"
CHECKPOINT_PREDICATE_TYPE = "https://stormproof.dev/ledger/checkpoint/v1"


def render_intoto(ledger: Ledger) -> str:
    """The statements as JSON Lines. LedgerError on a corrupt entry."""
    return "".join(
        json.dumps(statement, ensure_ascii=False, separators=(",", ":")) + "\n"
        for statement in statements(ledger)
    )


def statements(ledger: Ledger) -> Iterator[dict[str, Any]]:
    entries = ledger.entries()
    redacted = {entry.blob for entry in entries.values() if entry.kind == "redaction"}
    for digest in in_order(entries):
        entry = entries[digest]
        if entry.kind != "redaction" and entry.files:
            yield statement(ledger, digest, entry, redacted)


def statement(
    ledger: Ledger, digest: str, entry: Entry, redacted: set[str | None]
) -> dict[str, Any]:
    def blob(hash_: str | None) -> dict[str, Any]:
        return {"sha256": hash_, "redacted": hash_ in redacted}

    predicate: dict[str, Any] = {
        "entry": {"sha256": digest, "path": ledger.entry_where(digest)},
        "parents": sorted(entry.parents),
    }
    if entry.kind == "checkpoint":
        predicate_type = CHECKPOINT_PREDICATE_TYPE
        predicate["origin"] = "human"
    else:
        results = None
        if entry.results is not None:
            results = blob(entry.results) | Results.read(ledger, entry.results).to_json()
        predicate_type = PREDICATE_TYPE
        predicate |= {
            "model": entry.model,
            "prompt": blob(entry.prompt),
            "response": blob(entry.response),
            "results": results,
        }
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": r.path, "digest": {"sha256": r.sha256}} for r in entry.files],
        "predicateType": predicate_type,
        "predicate": predicate
        | {
            "files": [record.to_json() for record in entry.files],
            "author": entry.author,
            "time": entry.time,
            "tool": entry.tool,
        },
    }
