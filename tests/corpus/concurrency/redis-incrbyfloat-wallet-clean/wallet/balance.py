import redis

r = redis.Redis(host="wallet-redis", decode_responses=True)


def credit(user_id: str, amount: float) -> float:
    return r.incrbyfloat(f"wallet:{user_id}", amount)


def debit(user_id: str, amount: int) -> int:
    balance = int(r.get(f"wallet:{user_id}:cents") or 0)
    if balance < amount:
        raise ValueError("insufficient balance")
    return r.decrby(f"wallet:{user_id}:cents", amount)


def balance(user_id: str) -> float:
    return float(r.get(f"wallet:{user_id}") or 0.0)
