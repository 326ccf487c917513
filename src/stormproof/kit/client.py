"""``Client`` and ``AsyncClient``: httpx clients for calling another service of the system,
with the policies a service call needs already on::

    payments = Client.for_service("payments")          # URL and policies from stormproof.yaml
    response = payments.post("/charges", json={...})    # or: await AsyncClient...post(...)

Every call has a timeout (capped by the caller's deadline, which travels on in a header),
goes through the target's circuit breaker, is retried a bounded number of times with jittered
backoff when that is safe (idempotent methods, or requests with an ``Idempotency-Key``,
which POST and PATCH get automatically) and the target's retry budget allows it, and carries
the W3C trace context in a client span. :mod:`stormproof.kit.client_call` holds the logic
and says exactly what is retried and when; the two clients are thin loops around it.

Responses come back as httpx returns them, 4xx and 5xx included: ``raise_for_status()``
stays the caller's choice. Errors propagate unchanged. Calls the kit refuses without sending
raise :class:`~stormproof.kit.errors.CircuitOpenError`,
:class:`~stormproof.kit.errors.BulkheadFullError` or
:class:`~stormproof.kit.errors.DeadlineExceededError`.
"""

from __future__ import annotations

import os
import sys
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Self, TypedDict, TypeVar, Unpack

import httpx

from stormproof.kit.client_call import Call
from stormproof.kit.client_manifest import manifest_settings
from stormproof.kit.client_policy import ClientPolicy, Default, check_timeout
from stormproof.kit.errors import ConfigurationError

if TYPE_CHECKING:
    from httpx._types import (
        CookieTypes,
        HeaderTypes,
        QueryParamTypes,
        RequestContent,
        RequestData,
        RequestExtensions,
        RequestFiles,
    )

    from stormproof.kit.breaker import CircuitBreaker
    from stormproof.kit.budget import RetryBudget
    from stormproof.kit.bulkhead import Bulkhead

__all__ = ["AsyncClient", "Client", "RequestOptions"]

H = TypeVar("H", httpx.Client, httpx.AsyncClient)
R = TypeVar("R")


class RequestOptions(TypedDict, total=False):
    """What one request may set, as in httpx; ``timeout`` (seconds) replaces the client's
    for this call only, and is capped by the deadline all the same."""

    params: QueryParamTypes
    headers: HeaderTypes
    cookies: CookieTypes
    content: RequestContent
    data: RequestData
    files: RequestFiles
    json: Any
    timeout: float | None
    extensions: RequestExtensions


class _ClientBase(Generic[H, R]):
    """Construction, settings and the request methods the two clients share; ``R`` is what
    a request returns (a response, or a coroutine of one)."""

    def __init__(
        self,
        target: str,
        *,
        base_url: str | httpx.URL,
        timeout: float = 5.0,
        attempts: int = 3,
        breaker: CircuitBreaker | Default | None = "default",
        budget: RetryBudget | Default | None = "default",
        bulkhead: Bulkhead | None = None,
        tracing: bool = True,
        idempotency: bool = True,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
        **httpx_kwargs: Any,
    ) -> None:
        """A client for ``target`` (the callee's service name, which keys its shared breaker
        and budget) at ``base_url``.

        - ``timeout``: seconds each attempt may take (connect, each read and write, waiting
          for a pooled connection); required, and cut down to the caller's deadline.
        - ``attempts``: tries in all, the first included (1 to 10; 1 turns retries off).
        - ``breaker`` / ``budget``: ``"default"``, the one every client of ``target`` shares
          (:func:`~stormproof.kit.client_policy.breaker_for`, ``budget_for``); your own
          :class:`~stormproof.kit.breaker.CircuitBreaker` / ``RetryBudget``; or None (off).
        - ``bulkhead``: a :class:`~stormproof.kit.bulkhead.Bulkhead` each call holds a slot
          of, retries included, or None.
        - ``tracing``: a client span per call, and the W3C trace context in its headers.
        - ``idempotency``: give POST and PATCH requests an ``Idempotency-Key`` when they have
          none, so that they can be retried.
        - ``transport`` and ``httpx_kwargs`` go to the underlying httpx client.
        """
        self._policy = ClientPolicy.build(
            target,
            timeout=timeout,
            attempts=attempts,
            breaker=breaker,
            budget=budget,
            bulkhead=bulkhead,
            tracing=tracing,
            idempotency=idempotency,
        )
        self._http: H = self._open(
            base_url=_check_base_url(base_url),
            timeout=self._policy.timeout,
            transport=transport,
            **httpx_kwargs,
        )

    @classmethod
    def for_service(
        cls,
        target: str,
        *,
        manifest: str | os.PathLike[str] | None = None,
        caller: str | None = None,
        **options: Any,
    ) -> Self:
        """A client for ``target`` with its URL and policies from ``stormproof.yaml``: see
        :func:`~stormproof.kit.client_manifest.manifest_settings`. ``caller`` is the calling
        service (by default, the one whose ``path`` holds the module calling this);
        ``options`` are constructor arguments that win over the manifest's (a ``timeout``,
        a ``transport``). Raises :class:`ConfigurationError` when the manifest cannot be
        found or read, the call is not declared, or its env var is unset."""
        module_file = sys._getframe(1).f_globals.get("__file__")
        settings = manifest_settings(
            target, manifest=manifest, caller=caller, module_file=module_file
        )
        return cls(target, **{**settings, **options})

    def _open(self, **kwargs: Any) -> H:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.target!r} at {self._http.base_url}>"

    @property
    def target(self) -> str:
        return self._policy.target

    @property
    def policy(self) -> ClientPolicy:
        """The settings in force, and the breaker, budget and bulkhead (for their metrics)."""
        return self._policy

    def request(self, method: str, url: str | httpx.URL, **options: Unpack[RequestOptions]) -> R:
        raise NotImplementedError

    def get(self, url: str | httpx.URL, **options: Unpack[RequestOptions]) -> R:
        return self.request("GET", url, **options)

    def head(self, url: str | httpx.URL, **options: Unpack[RequestOptions]) -> R:
        return self.request("HEAD", url, **options)

    def post(self, url: str | httpx.URL, **options: Unpack[RequestOptions]) -> R:
        return self.request("POST", url, **options)

    def put(self, url: str | httpx.URL, **options: Unpack[RequestOptions]) -> R:
        return self.request("PUT", url, **options)

    def patch(self, url: str | httpx.URL, **options: Unpack[RequestOptions]) -> R:
        return self.request("PATCH", url, **options)

    def delete(self, url: str | httpx.URL, **options: Unpack[RequestOptions]) -> R:
        return self.request("DELETE", url, **options)

    def _call(self, method: str, url: str | httpx.URL, options: RequestOptions) -> Call:
        timeout = options.pop("timeout", None)
        request = self._http.build_request(method, url, **options)
        policy = self._policy
        return Call(policy, request, policy.timeout if timeout is None else check_timeout(timeout))


class Client(_ClientBase[httpx.Client, httpx.Response]):
    """The sync client; thread-safe. See the module's docstring and ``__init__``."""

    def _open(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(**kwargs)

    def request(
        self, method: str, url: str | httpx.URL, **options: Unpack[RequestOptions]
    ) -> httpx.Response:
        with self._call(method, url, options) as call:
            for attempt in call.retrying():
                with attempt:
                    call.response = self._http.send(call.request)
        return call.result()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClient(_ClientBase[httpx.AsyncClient, "Coroutine[Any, Any, httpx.Response]"]):
    """The async client; safe to share between tasks. See the module's docstring and
    ``__init__``."""

    def _open(self, **kwargs: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(**kwargs)

    async def request(
        self, method: str, url: str | httpx.URL, **options: Unpack[RequestOptions]
    ) -> httpx.Response:
        with self._call(method, url, options) as call:
            async for attempt in call.retrying():
                async with attempt:
                    call.response = await self._http.send(call.request)
        return call.result()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def _check_base_url(value: object) -> httpx.URL:
    accepted = "an absolute http(s) URL such as 'http://payments:8000'"
    try:
        url = httpx.URL(value)  # type: ignore[arg-type]
    except (TypeError, httpx.InvalidURL):
        raise ConfigurationError(f"base_url must be {accepted}, got {value!r}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(f"base_url must be {accepted}, got {value!r}")
    return url
