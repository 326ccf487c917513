from fastapi import FastAPI

app = FastAPI()


@app.get("/orders")
def orders(since: str = "yesterday") -> dict:
    return {"items": [], "since": since}
