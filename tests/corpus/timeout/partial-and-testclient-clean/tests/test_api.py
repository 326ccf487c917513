from fastapi.testclient import TestClient

from accounts.app import app

client = TestClient(app)


def test_create_account() -> None:
    resp = client.post("/accounts", json={"email": "a@example.com"})
    assert resp.status_code == 201
    account_id = resp.json()["id"]
    assert client.get(f"/accounts/{account_id}").json()["email"] == "a@example.com"


def test_delete_account() -> None:
    resp = client.post("/accounts", json={"email": "b@example.com"})
    assert client.delete(f"/accounts/{resp.json()['id']}").status_code == 204
