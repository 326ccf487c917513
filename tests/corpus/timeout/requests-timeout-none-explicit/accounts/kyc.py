import os
from typing import Any

import requests

KYC_URL = os.environ["KYC_URL"]
DOCS_URL = os.environ["DOCUMENTS_URL"]


class KycClient:
    def __init__(self) -> None:
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {os.environ['KYC_TOKEN']}"

    def submit(self, customer_id: str, documents: list[str]) -> dict[str, Any]:
        # Verification can take minutes, so the timeout was disabled.
        resp = self.session.post(
            f"{KYC_URL}/verifications",
            json={"customer_id": customer_id, "documents": documents},
            timeout=None,  # expect: SP102
        )
        resp.raise_for_status()
        return resp.json()

    def status(self, verification_id: str) -> str:
        resp = self.session.get(f"{KYC_URL}/verifications/{verification_id}", timeout=5)
        resp.raise_for_status()
        return resp.json()["status"]


def download_document(doc_id: str) -> bytes:
    resp = requests.get(f"{DOCS_URL}/documents/{doc_id}", timeout=(3.05, None))  # expect: SP102
    resp.raise_for_status()
    return resp.content


def delete_document(doc_id: str) -> None:
    requests.delete(f"{DOCS_URL}/documents/{doc_id}", timeout=None).raise_for_status()  # expect: SP102
