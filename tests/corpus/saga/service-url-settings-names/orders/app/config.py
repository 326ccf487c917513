"""Order service configuration (field names differ from the manifest's env vars)."""

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    inventory_service_url: str = "http://inventory:8001"
    payment_service_url: str = "http://payments:8002"
    request_timeout: float = 10.0


settings = Settings()
