import os

import jwt
import requests
from flask import Flask, abort, jsonify, request

from portal.settings import settings

app = Flask(__name__)
SEARCH_INDEX_NAME = os.getenv("SEARCH_INDEX_NAME", "jobs-v2")


@app.get("/jobs")
def jobs():
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    try:
        jwt.decode(token, settings.jwt_secret, algorithms=["HS256"])
    except jwt.PyJWTError:
        abort(401)
    resp = requests.get(
        f"{settings.search_url}/search",
        params={"q": request.args.get("q", ""), "index": SEARCH_INDEX_NAME},
        timeout=settings.search_index_timeout_s,
    )
    resp.raise_for_status()
    return jsonify(resp.json())
