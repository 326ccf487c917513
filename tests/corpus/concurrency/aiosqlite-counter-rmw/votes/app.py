import aiosqlite
from fastapi import FastAPI

app = FastAPI()
DB_FILE = "votes.db"


@app.post("/polls/{poll_id}/options/{option_id}/vote")
async def vote(poll_id: int, option_id: int) -> dict:
    async with aiosqlite.connect(DB_FILE) as db:
        async with db.execute(
            "SELECT votes FROM options WHERE poll_id = ? AND id = ?", (poll_id, option_id)
        ) as cursor:
            row = await cursor.fetchone()
        votes = row[0] + 1
        await db.execute(  # expect: SP701
            "UPDATE options SET votes = ? WHERE poll_id = ? AND id = ?",
            (votes, poll_id, option_id),
        )
        await db.commit()
    return {"poll": poll_id, "option": option_id, "votes": votes}


@app.get("/polls/{poll_id}")
async def results(poll_id: int) -> dict:
    async with aiosqlite.connect(DB_FILE) as db:
        db.row_factory = aiosqlite.Row
        rows = await db.execute_fetchall(
            "SELECT id, label, votes FROM options WHERE poll_id = ?", (poll_id,)
        )
    return {"poll": poll_id, "options": [dict(r) for r in rows]}
