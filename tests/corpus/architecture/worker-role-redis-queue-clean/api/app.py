import os

import httpx
from fastapi import FastAPI
from pydantic import BaseModel, EmailStr

app = FastAPI()
MAILER_URL = os.environ["MAILER_URL"]


class Signup(BaseModel):
    email: EmailStr


@app.post("/signups", status_code=202)
async def signup(body: Signup) -> dict:
    async with httpx.AsyncClient(timeout=3) as client:
        resp = await client.post(
            f"{MAILER_URL}/welcome",
            json={"to": body.email},
            headers={"Idempotency-Key": body.email},
        )
    resp.raise_for_status()
    return {"queued": True}
