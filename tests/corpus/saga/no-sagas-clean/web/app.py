"""Blog front end: creates a post, then tags it (no saga declared in this system)."""

import os

import requests
from flask import Flask, jsonify, request

app = Flask(__name__)
POSTS_URL = os.environ["POSTS_URL"]


@app.post("/posts")
def create_post():
    body = request.get_json()
    post = requests.post(f"{POSTS_URL}/posts", json={"title": body["title"]}, timeout=5)
    post.raise_for_status()
    post_id = post.json()["id"]
    tags = requests.post(f"{POSTS_URL}/posts/{post_id}/tags", json=body.get("tags", []), timeout=5)
    tags.raise_for_status()
    return jsonify(id=post_id), 201
