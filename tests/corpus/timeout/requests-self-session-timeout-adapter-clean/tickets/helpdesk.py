import os

import requests
from requests.adapters import HTTPAdapter


class DefaultTimeoutAdapter(HTTPAdapter):
    def __init__(self, timeout: float, **kwargs) -> None:
        self._timeout = timeout
        super().__init__(**kwargs)

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        return super().send(
            request,
            stream=stream,
            timeout=timeout if timeout is not None else self._timeout,
            verify=verify,
            cert=cert,
            proxies=proxies,
        )


class HelpdeskClient:
    def __init__(self) -> None:
        self.base_url = os.environ["HELPDESK_URL"]
        self.session = requests.Session()
        self.session.mount("http://", DefaultTimeoutAdapter(timeout=6.0))
        self.session.mount("https://", DefaultTimeoutAdapter(timeout=6.0))

    def open_ticket(self, subject: str, body: str) -> int:
        resp = self.session.post(f"{self.base_url}/tickets", json={"subject": subject, "body": body})
        resp.raise_for_status()
        return resp.json()["id"]

    def comment(self, ticket_id: int, text: str) -> None:
        self.session.post(f"{self.base_url}/tickets/{ticket_id}/comments", json={"text": text})
