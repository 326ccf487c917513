import os

import httpx
from fastapi import FastAPI

from bff.db import Preference, SessionLocal

app = FastAPI()
ACCOUNTS_URL = os.environ["ACCOUNTS_URL"]


@app.get("/home/{user_id}")
async def home(user_id: str) -> dict:
    async with httpx.AsyncClient(timeout=4) as client:
        accounts = (await client.get(f"{ACCOUNTS_URL}/users/{user_id}/accounts")).json()
    with SessionLocal() as session:
        pref = session.get(Preference, user_id)
    return {"accounts": accounts, "theme": pref.theme if pref else "light"}
