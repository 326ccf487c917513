"""The fingerprint of a request: what "the same request" means when a key is reused.

Stripe and the IETF Idempotency-Key draft both answer a reused key with the stored response
only when the request is the same one; a key sent again with another payload is a client bug,
answered 422. The fingerprint is a SHA-256 over the method, the path, the query string and the
body. Each part is length-prefixed before hashing, so that moving bytes from one part to the
next ("/a" + "bc" against "/ab" + "c") can never give the same digest."""

from __future__ import annotations

import hashlib


def fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    """The hex SHA-256 of a request's method, path, raw query string and body."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode("utf-8", "surrogatepass"), query, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()
