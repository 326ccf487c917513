from pydantic import Field
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    search_url: str = "http://search:8080"
    jwt_secret: str = Field(min_length=32)
    search_index_timeout_s: float = 2.0
    session_cookie_name: str = "portal_sid"
    database_pool_label: str = "none"


settings = Settings()
