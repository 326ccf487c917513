import json
import logging
import os
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI
from fastapi.responses import StreamingResponse

log = logging.getLogger(__name__)
app = FastAPI()

LLM_URL = os.environ["LLM_GATEWAY_URL"]
client = httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=5.0))


async def tokens(prompt: str) -> AsyncIterator[str]:
    try:
        async with client.stream("POST", f"{LLM_URL}/generate", json={"prompt": prompt}) as resp:
            resp.raise_for_status()
            async for line in resp.aiter_lines():
                yield f"data: {line}\n\n"
    except httpx.HTTPError as exc:
        log.warning("generation failed: %s", exc)
        yield f"data: {json.dumps({'error': 'generation failed'})}\n\n"


@app.post("/chat")
async def chat(prompt: str) -> StreamingResponse:
    return StreamingResponse(tokens(prompt), media_type="text/event-stream")
