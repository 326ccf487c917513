import os
from collections import Counter

import redis
from pymongo import MongoClient

reco = redis.Redis.from_url(os.environ["RECO_REDIS_URL"])
catalog_db = MongoClient(os.environ["CATALOG_MONGO_URI"])["catalog"]  # expect: SP803


def rebuild(category: str) -> int:
    tags: Counter[str] = Counter()
    for listing in catalog_db.listings.find({"category": category}, {"tags": 1}):
        tags.update(listing.get("tags", []))
    top = [tag for tag, _ in tags.most_common(20)]
    reco.delete(f"reco:{category}")
    if top:
        reco.rpush(f"reco:{category}", *top)
    return len(top)
