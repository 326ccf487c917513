"""Refresh-token rotation: values written come from the request, not from what was read."""

import secrets

import redis

store = redis.StrictRedis(host="auth-redis", port=6379, decode_responses=True)
REFRESH_TTL = 14 * 24 * 3600


def issue(user_id: str) -> str:
    token = secrets.token_urlsafe(32)
    store.set(f"refresh:{token}", user_id, ex=REFRESH_TTL)
    return token


def rotate(old_token: str) -> str:
    user_id = store.get(f"refresh:{old_token}")
    if user_id is None:
        raise PermissionError("unknown refresh token")
    store.delete(f"refresh:{old_token}")
    return issue(user_id)


def remember_device(user_id: str, device: str) -> None:
    key = f"device:{user_id}"
    if store.get(key) != device:
        store.set(key, device, ex=REFRESH_TTL)


def claim_once(nonce: str) -> bool:
    seen = store.get(f"nonce:{nonce}")
    if seen:
        return False
    return bool(store.set(f"nonce:{nonce}", "1", nx=True, ex=300))
