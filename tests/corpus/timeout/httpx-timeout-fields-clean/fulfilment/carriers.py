import httpx
from pydantic_settings import BaseSettings


class CarrierSettings(BaseSettings):
    dhl_url: str = "http://dhl-adapter:8000"
    ups_url: str = "http://ups-adapter:8000"
    carrier_timeout: float = 8.0


settings = CarrierSettings()

LIMITS = httpx.Timeout(connect=2.0, read=10.0, write=10.0, pool=2.0)
dhl = httpx.Client(base_url=settings.dhl_url, timeout=LIMITS)
ups = httpx.Client(base_url=settings.ups_url, timeout=settings.carrier_timeout)


def label(carrier: str, parcel: dict) -> bytes:
    client = dhl if carrier == "dhl" else ups
    resp = client.post("/labels", json=parcel)
    resp.raise_for_status()
    return resp.content


def track(carrier: str, tracking_no: str) -> str:
    client = dhl if carrier == "dhl" else ups
    resp = client.get(f"/tracking/{tracking_no}", timeout=httpx.Timeout(3.0))
    return resp.json()["status"]
