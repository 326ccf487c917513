from sqlalchemy import create_engine, text

# Docker Compose service name as host: straight into the payments database.
engine = create_engine("postgresql+psycopg2://readonly:readonly@payments-db:5432/payments")  # expect: SP803


def revenue_by_day() -> list[tuple[str, int]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT date(created_at) AS day, sum(amount) FROM charges GROUP BY 1 ORDER BY 1")
        ).all()
    return [(str(r[0]), int(r[1])) for r in rows]
