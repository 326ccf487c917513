from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    orders_api_url: str = "http://orders:8000"
    orders_database_url: str  # expect: SP801, SP803
    request_timeout_s: float = 5.0


settings = Settings()
