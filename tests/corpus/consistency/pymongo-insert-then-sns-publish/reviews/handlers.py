import json
import os
from datetime import datetime, timezone

import boto3
from pymongo import MongoClient

mongo = MongoClient(os.environ["REVIEWS_MONGO_URI"])
reviews = mongo["reviews"]["reviews"]
sns = boto3.client("sns", region_name=os.getenv("AWS_REGION", "eu-west-1"))
TOPIC_ARN = os.environ["REVIEW_EVENTS_TOPIC_ARN"]


def submit_review(product_id: str, author: str, stars: int, text: str) -> str:
    doc = {
        "product_id": product_id,
        "author": author,
        "stars": stars,
        "text": text,
        "created_at": datetime.now(timezone.utc),
    }
    result = reviews.insert_one(doc)
    sns.publish(  # expect: SP902
        TopicArn=TOPIC_ARN,
        Message=json.dumps({"review_id": str(result.inserted_id), "product_id": product_id}),
    )
    return str(result.inserted_id)


def top_reviews(product_id: str, limit: int = 5) -> list[dict]:
    return list(reviews.find({"product_id": product_id}).sort("stars", -1).limit(limit))
