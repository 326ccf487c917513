import aiosqlite
from fastapi import FastAPI, HTTPException

app = FastAPI()
DB_FILE = "votes.db"


@app.post("/polls/{poll_id}/close")
async def close_poll(poll_id: int) -> dict:
    async with aiosqlite.connect(DB_FILE, isolation_level=None) as db:
        await db.execute("BEGIN EXCLUSIVE")
        cursor = await db.execute("SELECT open_slots FROM polls WHERE id = ?", (poll_id,))
        row = await cursor.fetchone()
        if row is None:
            await db.execute("ROLLBACK")
            raise HTTPException(404)
        remaining = row[0] - 1
        await db.execute("UPDATE polls SET open_slots = ? WHERE id = ?", (remaining, poll_id))
        await db.execute("COMMIT")
    return {"poll": poll_id, "open_slots": remaining}
