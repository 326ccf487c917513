import json
import os

import redis
from pymongo import MongoClient

profiles = MongoClient(os.environ["PROFILES_MONGO_URI"])["app"]["profiles"]
cache = redis.Redis(host="cache", decode_responses=True)


def save_profile(user_id: str, profile: dict) -> None:
    profiles.replace_one({"_id": user_id}, profile, upsert=True)
    cache.setex(f"profile:{user_id}", 300, json.dumps(profile))
