"""Page-view counters: the increment happens inside the database."""

import sqlite3

from fastapi import FastAPI

app = FastAPI()
conn = sqlite3.connect("analytics.db", check_same_thread=False)


@app.post("/pages/{slug}/views")
def count_view(slug: str) -> dict:
    with conn:
        conn.execute(
            "INSERT INTO page_views (slug, views) VALUES (?, 1) "
            "ON CONFLICT(slug) DO UPDATE SET views = views + 1",
            (slug,),
        )
    views = conn.execute("SELECT views FROM page_views WHERE slug = ?", (slug,)).fetchone()[0]
    return {"slug": slug, "views": views}


@app.delete("/pages/{slug}/views")
def reset(slug: str) -> dict:
    current = conn.execute("SELECT views FROM page_views WHERE slug = ?", (slug,)).fetchone()
    with conn:
        conn.execute("UPDATE page_views SET views = 0 WHERE slug = ?", (slug,))
    return {"slug": slug, "previous": current[0] if current else 0}
