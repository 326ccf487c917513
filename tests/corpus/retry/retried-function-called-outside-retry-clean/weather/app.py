import os

import httpx
from fastapi import FastAPI
from tenacity import retry, stop_after_attempt, wait_random_exponential

app = FastAPI()
WEATHER_URL = os.environ["WEATHER_URL"]
weather = httpx.AsyncClient(base_url=WEATHER_URL, timeout=3.0)


@retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=4), reraise=True)
async def current(city: str) -> dict:
    resp = await weather.get("/current", params={"city": city})
    resp.raise_for_status()
    return resp.json()


@app.get("/cities/{city}/summary")
async def summary(city: str) -> dict:
    now = await current(city)
    cities = [city, *now.get("nearby", [])[:3]]
    nearby = {}
    for name in cities[1:]:
        nearby[name] = (await current(name))["temp_c"]
    return {"city": city, "temp_c": now["temp_c"], "nearby": nearby}
