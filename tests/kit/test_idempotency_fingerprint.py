"""The request fingerprint: equal requests agree, and no two different requests collide (not
even when bytes move from one part to the next)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from stormproof.kit.idempotency.fingerprint import fingerprint

requests = st.tuples(
    st.sampled_from(["POST", "PATCH", "PUT"]),
    st.text(max_size=12),
    st.binary(max_size=12),
    st.binary(max_size=24),
)


@given(requests, requests)
def test_fingerprints_are_equal_exactly_for_equal_requests(
    one: tuple[str, str, bytes, bytes], two: tuple[str, str, bytes, bytes]
) -> None:
    assert (fingerprint(*one) == fingerprint(*two)) == (one == two)


def test_moving_bytes_between_parts_changes_the_fingerprint() -> None:
    assert fingerprint("POST", "/ab", b"c", b"") != fingerprint("POST", "/a", b"bc", b"")
    assert fingerprint("POST", "/a", b"", b"b") != fingerprint("POST", "/a", b"b", b"")


def test_a_fingerprint_is_a_sha256_hex_digest() -> None:
    digest = fingerprint("POST", "/charges", b"", b"{}")
    assert len(digest) == 64 and int(digest, 16) >= 0
