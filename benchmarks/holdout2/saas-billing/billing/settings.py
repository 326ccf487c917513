"""Billing configuration, from the environment."""

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    usage_base_url: str
    tenants_base_url: str
    billing_database_url: str
    stripe_secret_key: str
    celery_broker_url: str = "redis://localhost:6379/2"


settings = Settings()
