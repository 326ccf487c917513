"""Per-tenant monthly quota, serialised with a transaction-scoped advisory lock."""

import zlib

import psycopg


def record_usage(conn: psycopg.Connection, tenant_id: str, units: int) -> int:
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (zlib.crc32(tenant_id.encode()),))
        row = conn.execute(
            "SELECT used FROM quotas WHERE tenant_id = %s", (tenant_id,)
        ).fetchone()
        used = row[0] + units
        conn.execute("UPDATE quotas SET used = %s WHERE tenant_id = %s", (used, tenant_id))
    return used


def usage(conn: psycopg.Connection, tenant_id: str) -> int:
    row = conn.execute("SELECT used FROM quotas WHERE tenant_id = %s", (tenant_id,)).fetchone()
    return row[0] if row else 0
