import httpx
import pytest


@pytest.fixture
def payments():
    with httpx.Client(base_url="http://127.0.0.1:8001", timeout=2) as client:
        yield client
