"""Checkout configuration, read from the environment (or a local .env file)."""

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    inventory_url: str
    payments_url: str
    shipping_url: str
    checkout_db_url: str
    request_timeout_s: float = 5.0


settings = Settings()
