"""What both export formats (in-toto, markdown) say about an entry's results blob.

The blob is whatever ``record --results`` was given, usually a chaos run's ``result.json``
or ``stormproof check --format json``. Those two shapes are summarised, as is any JSON
object with a top-level ``valid`` verdict; anything else is reported by its size only, so
an export never depends on a format stormproof does not own."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from stormproof.ledger.store import Ledger


@dataclass(frozen=True)
class Results:
    sha256: str
    size: int | None
    """Bytes of content; None when it is absent (redacted)."""
    summary: dict[str, Any] | None
    """The verdicts, when the content has a shape stormproof knows (see :func:`summarise`)."""

    @classmethod
    def read(cls, ledger: Ledger, digest: str) -> Results:
        data = ledger.read_blob(digest)
        if data is None:
            return cls(digest, None, None)
        return cls(digest, len(data), summarise(data))

    def to_json(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "bytes": self.size, "summary": self.summary}

    def describe(self) -> str:
        """One line for people."""
        if self.size is None:
            return "(redacted)"
        summary = self.summary
        if summary is None:
            return f"recorded, {self.size} bytes"
        if summary["kind"] == "check":
            counts = ", ".join(
                f"{k} {summary.get(k)}" for k in ("errors", "warnings", "suppressed")
            )
            files, findings = summary.get("files"), summary.get("findings")
            return (
                f"stormproof check: {findings} finding{'s' * (findings != 1)} in {files} "
                f"file{'s' * (files != 1)} ({counts})"
            )
        verdict = _verdict(summary["valid"])
        if summary["kind"] == "verdict":
            return f"recorded verdict: {verdict}"
        invariants = summary["invariants"]
        failing = [
            f"{name} {_verdict(valid)}" for name, valid in invariants.items() if valid is not True
        ]
        detail = ", ".join(failing) if failing else f"all {len(invariants)} invariants held"
        return f"stormproof chaos, scenario {summary['scenario']}: {verdict} ({detail})"


def summarise(data: bytes) -> dict[str, Any] | None:
    """The verdicts of a results blob: ``kind`` ``chaos`` (a chaos run's ``result.json``:
    its ``valid``, ``scenario`` and each invariant's ``valid``), ``check`` (``stormproof
    check --format json``: its finding counts) or ``verdict`` (any other JSON object with a
    ``valid`` key); None for anything else."""
    try:
        document = json.loads(data)
    except ValueError:  # not JSON, or not UTF-8
        return None
    if not isinstance(document, dict):
        return None
    invariants = document.get("invariants")
    if "valid" in document and isinstance(invariants, list):
        verdicts = {
            str(item.get("name")): item.get("valid")
            for item in invariants
            if isinstance(item, dict)
        }
        return {"kind": "chaos", "valid": document["valid"], "scenario": document.get("scenario"),
                "invariants": verdicts}  # fmt: skip
    counts = document.get("summary")
    if document.get("tool") == "stormproof" and isinstance(counts, dict):
        return {"kind": "check", **counts}
    if "valid" in document:
        return {"kind": "verdict", "valid": document["valid"]}
    return None


def _verdict(valid: Any) -> str:
    return {True: "valid", False: "INVALID"}.get(valid, str(valid))
