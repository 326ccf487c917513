from sqlalchemy import create_engine, text

from reporting.settings import settings

source = create_engine(str(settings.orders_database_url))
target = create_engine(str(settings.warehouse_url))


def copy_orders(day: str) -> int:
    with source.connect() as src, target.begin() as dst:
        rows = src.execute(text("SELECT id, total FROM orders WHERE day = :d"), {"d": day}).all()
        for row in rows:
            dst.execute(text("INSERT INTO fact_orders VALUES (:id, :t)"), {"id": row.id, "t": row.total})
    return len(rows)
