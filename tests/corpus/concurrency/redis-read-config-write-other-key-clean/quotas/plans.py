"""Assign a tenant's quota from the plan defaults stored in Redis."""

import redis

r = redis.Redis(host="redis", decode_responses=True)


def assign_plan(tenant_id: str, plan: str) -> int:
    limit = int(r.hget(f"plan:{plan}", "monthly_limit") or 1000)
    r.hset(f"tenant:{tenant_id}", mapping={"plan": plan, "monthly_limit": limit})
    r.set(f"tenant:{tenant_id}:quota", limit)
    return limit


def plan_of(tenant_id: str) -> str | None:
    return r.hget(f"tenant:{tenant_id}", "plan")
