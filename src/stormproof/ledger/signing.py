"""Optional ed25519 signatures on entries (``pip install 'stormproof[sign]'``).

A signature cannot live inside the entry it signs (the entry's hash would change), so it is a
file beside it, ``entries/<hash>.sig``: canonical JSON ``{"key": <public key>, "signature":
<signature>}``, both base64, the signature over the entry's hash as ASCII hex. Adding or
removing a signature therefore never changes the chain; ``verify --key`` says whose
signatures count, and then every entry must carry one."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from stormproof.ledger.canonical import canonical, parse
from stormproof.ledger.errors import LedgerError


def _crypto() -> Any:
    try:
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError:
        raise LedgerError(
            "signing needs the cryptography package: pip install 'stormproof[sign]'"
        ) from None
    return ed25519


def generate_key(path: Path) -> str:
    """Write a new private key to ``path`` (raw 32 bytes, base64, mode 0600) and its public
    key to ``path.pub``; the public key."""
    ed25519 = _crypto()
    private = ed25519.Ed25519PrivateKey.generate()
    if path.exists():
        raise LedgerError(f"{path}: exists; not overwriting a key")
    secret = base64.b64encode(private.private_bytes_raw()).decode()
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "w") as file:
        file.write(secret + "\n")
    public = base64.b64encode(private.public_key().public_bytes_raw()).decode()
    Path(f"{path}.pub").write_text(public + "\n")
    return public


def load_private(path: Path) -> Any:
    ed25519 = _crypto()
    raw = _key_bytes(path, "private")
    return ed25519.Ed25519PrivateKey.from_private_bytes(raw)


def load_public(path: Path) -> str:
    """A public key file (``KEY.pub``), as the base64 text signatures name it."""
    _crypto()
    return base64.b64encode(_key_bytes(path, "public")).decode()


def sign(private: Any, digest: str) -> bytes:
    """The ``.sig`` file's bytes for entry ``digest``."""
    public = base64.b64encode(private.public_key().public_bytes_raw()).decode()
    signature = base64.b64encode(private.sign(digest.encode())).decode()
    return canonical({"key": public, "signature": signature})


def signature_problem(data: bytes | None, digest: str, trusted: Iterable[str]) -> str | None:
    """Why entry ``digest``'s signature file (``data``, None when absent) does not count, or
    None when it does. With no ``trusted`` keys an absent signature is fine and a present one
    must verify; with trusted keys it must be present and made by one of them."""
    trusted = set(trusted)
    if data is None:
        return "it is not signed" if trusted else None
    ed25519 = _crypto()
    try:
        body = parse(data)
        key = base64.b64decode(body["key"], validate=True)
        signature = base64.b64decode(body["signature"], validate=True)
        ed25519.Ed25519PublicKey.from_public_bytes(key).verify(signature, digest.encode())
    except Exception:  # malformed JSON or base64, a wrong key size, a bad signature
        return "its signature does not verify"
    if trusted and body["key"] not in trusted:
        return f"it is signed by an untrusted key {body['key']}"
    return None


def _key_bytes(path: Path, kind: str) -> bytes:
    try:
        raw = base64.b64decode(path.read_text().strip(), validate=True)
    except (ValueError, UnicodeDecodeError):
        raise LedgerError(f"{path}: not a base64 ed25519 {kind} key") from None
    if len(raw) != 32:
        raise LedgerError(f"{path}: an ed25519 {kind} key is 32 bytes, this one {len(raw)}")
    return raw
