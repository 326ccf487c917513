"""One logical call through a Client: the policy logic that the sync and the async client
share, written once and free of I/O. Each client is a small loop around it::

    with Call(policy, request, timeout) as call:          # key, span, bulkhead
        for attempt in call.retrying():                   # bounded; backoff by stamina
            with attempt:                                 # deadline, breaker, outcome
                call.response = http.send(call.request)   # the only line doing I/O
    return call.result()

(the async client writes ``async for`` and ``await``). The call decides everything else:

* **Which calls may be retried.** Idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE) and
  requests that carry an ``Idempotency-Key``; POST and PATCH get a fresh key (a UUID4) when
  the caller sent none, the same key on every attempt, so that the server can tell a retry
  from a new request. A body httpx streams (an iterator, a file upload) is sent once: it
  may not be readable a second time.
* **Which outcomes are retried.** No answer in time, a broken connection, the answers
  that mean "not now" (429, 502, 503, 504), and, for a request with an ``Idempotency-Key``,
  a 409 that carries ``Retry-After``: the IETF draft's answer while an earlier attempt with
  the same key is still being processed (what the kit's middleware sends), so the retry
  gets that attempt's outcome once it is stored. A 409 without ``Retry-After`` is a
  conflict of the request itself and is returned. Other answers are returned as they are, 4xx and
  5xx alike (``raise_for_status`` stays the caller's choice, as in httpx), and any other
  error propagates unchanged.
* **Whether a retry happens**, decided once per failed attempt, before the backoff sleep:
  attempts left, the caller's deadline not passed, the breaker still closed, and a token
  from the target's :class:`~stormproof.kit.budget.RetryBudget`. When any of them says no,
  the caller gets the *last outcome*: the last response is returned, the last error is
  raised. That is what the target really answered; a ``RetryBudgetExhaustedError`` instead
  would hide it, and the caller would handle a 503 it never saw. The refusal is counted in
  the budget's metrics and named on the span (``stormproof.retry.refused``).
* **How long to wait.** Stamina's exponential backoff with jitter, or the ``Retry-After`` the
  target sent, if it is no longer than one attempt's timeout and leaves time before the
  deadline (otherwise the last answer is returned at once: waiting less than the server
  asked only earns another refusal).
* **Tracing.** One CLIENT span per call (not per attempt), child of the caller's span, with
  the method, URL, target, final status and ``http.request.resend_count``; its W3C
  ``traceparent``/``tracestate`` go out on every attempt. Without an OpenTelemetry SDK no
  span is made (it could record nothing) and the caller's own context is passed on.

The first attempt runs outside stamina: tenacity's machinery costs about 20 µs a call even
when nothing fails, a noticeable share of a loopback call, and it is needed only once an
attempt has failed. Then the failure is replayed into stamina's first attempt (nothing is
sent), so that stamina counts it, asks whether to retry and sleeps its backoff, and the
attempts after it are stamina's.
"""

from __future__ import annotations

import asyncio
import email.utils
import math
import time
import uuid
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx
import stamina
from opentelemetry import propagate, trace
from opentelemetry.trace import Span, SpanKind, StatusCode

from stormproof.kit import deadline
from stormproof.kit.breaker import CircuitGuard, CircuitState

if TYPE_CHECKING:
    from stormproof.kit.client_policy import ClientPolicy

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
KEYED_METHODS = frozenset({"POST", "PATCH"})
"""Methods that get a generated ``Idempotency-Key`` (with ``idempotency=True``)."""
IDEMPOTENCY_HEADER = "Idempotency-Key"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
RETRYABLE_ERRORS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)
"""No answer in time, or a connection that failed or broke before a whole answer came back
(a keep-alive connection the server had closed, a reset): the request may not have been
processed, and retrying an idempotent one is safe."""

_tracer = trace.get_tracer("stormproof.kit")


class Call:
    """One logical call: the request, its attempts and its final response. Use it as a
    context manager around the retry loop (see the module's docstring); it is not reusable."""

    __slots__ = (
        "_failed",
        "_permit",
        "_retryable",
        "_span",
        "attempts",
        "policy",
        "refused_by",
        "request",
        "response",
        "timeout",
    )

    def __init__(self, policy: ClientPolicy, request: httpx.Request, timeout: float) -> None:
        self.policy = policy
        self.request = request
        self.timeout = timeout
        self.response: httpx.Response | None = None
        """The answer to the attempt in progress; after the loop, the final answer."""
        self.attempts = 0
        self.refused_by: str | None = None
        """What stopped a retry the policy would otherwise have made, if anything."""
        self._span: Span | None = None
        self._retryable = False
        self._failed: BaseException | None = None
        """The first attempt's failure, when the call may retry it."""
        self._permit: CircuitGuard | None = None

    def __enter__(self) -> Call:
        policy, request = self.policy, self.request
        if (
            policy.idempotency
            and request.method in KEYED_METHODS
            and IDEMPOTENCY_HEADER not in request.headers
        ):
            # The IETF draft's form, a structured-field string; Stripe-style servers that
            # keep the quotes still see one stable key.
            request.headers[IDEMPOTENCY_HEADER] = f'"{uuid.uuid4()}"'
        self._retryable = (
            policy.attempts > 1
            and (request.method in IDEMPOTENT_METHODS or IDEMPOTENCY_HEADER in request.headers)
            and isinstance(request.stream, httpx.ByteStream)
        )
        if policy.tracing:
            if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
                # No tracing SDK: a span would be a no-op; pass the caller's context on.
                propagate.inject(request.headers)
            else:
                self._start_span()
        if policy.bulkhead is not None:
            try:
                policy.bulkhead.__enter__()
            except BaseException as refused:
                if self._span is not None:
                    self._end_span(refused)
                raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        # A retry that was granted but not run (stamina's test mode capped the attempts, or
        # retries are switched off in stamina) ends the loop with this signal; its response
        # is the final one.
        settled = False
        if isinstance(exc, _RetryResponse):
            self.response, settled = exc.response, True
            exc_type, exc, tb = None, None, None
        if self.policy.bulkhead is not None:
            self.policy.bulkhead.__exit__(exc_type, exc, tb)
        if self._span is not None:
            self._end_span(exc)
        return settled

    def retrying(self) -> Attempts:
        """The attempts, to iterate with ``for`` (sync) or ``async for`` (async). Bounded by
        ``attempts`` (never more than 10), and by :meth:`_retry`."""
        return Attempts(self)

    def result(self) -> httpx.Response:
        """The final response, once the loop has ended without an error."""
        assert self.response is not None, "the call ended without a response or an error"
        return self.response

    # -- the steps of one attempt -------------------------------------------------------------

    def _begin_attempt(self) -> None:
        """Before sending: cap the timeout by the deadline (raising DeadlineExceededError if
        it has passed), tell the target how long this attempt waits, and pass the breaker
        (raising CircuitOpenError if it is open). Nothing is sent when this raises."""
        self.response = None
        # Most calls run under no deadline: asking first skips timeout_for's checks.
        timeout = self.timeout
        if deadline.remaining() is not None:
            timeout = deadline.timeout_for(timeout)
        request = self.request
        request.extensions["timeout"] = dict.fromkeys(("connect", "read", "write", "pool"), timeout)
        # The target gets the time this attempt waits: the client's timeout, or the caller's
        # remaining deadline when that is shorter; in whole milliseconds rounded down, as
        # deadline.to_headers() writes it (entering a deadline scope to call that would cost
        # ten times as much).
        request.headers[deadline.HEADER] = str(math.floor(timeout * 1000))
        policy = self.policy
        if policy.breaker is not None:
            # The breaker's one-call guard, entered here and exited in _end_attempt: the
            # attempt is not one block of code.
            permit = policy.breaker.guard()
            permit.__enter__()
            self._permit = permit
        self.attempts += 1
        if self.attempts == 1 and policy.budget is not None:
            policy.budget.record_request()

    def _end_attempt(self, exc: BaseException | None) -> None:
        """After sending: report the outcome to the breaker, then either keep the response
        as the final one (return) or ask for a retry (raise ``_RetryResponse``). An error
        goes on unchanged; :meth:`_on_error` decides whether it is retried."""
        response = self.response
        failure = exc
        if exc is None:
            assert response is not None, "the attempt ended without a response or an error"
            if response.status_code >= 500:
                failure = httpx.HTTPStatusError(
                    f"server error {response.status_code} from {self.policy.target!r}",
                    request=self.request,
                    response=response,
                )
        permit, self._permit = self._permit, None
        if permit is not None:
            permit.__exit__(None if failure is None else type(failure), failure, None)
        if exc is None and response is not None and self._not_now(response):
            decision = self._retry(response)
            if decision is not False:
                raise _RetryResponse(response, decision)

    def _not_now(self, response: httpx.Response) -> bool:
        """Whether ``response`` says "not now" rather than answering the request."""
        status = response.status_code
        if status == 409:
            return "retry-after" in response.headers and IDEMPOTENCY_HEADER in self.request.headers
        return status in RETRY_STATUSES

    def _retry_context(self) -> Any:
        return stamina.retry_context(on=self._on_error, attempts=self.policy.attempts, timeout=None)

    def _on_error(self, error: Exception) -> bool | float:
        """Stamina's backoff hook: whether to retry after ``error``, and how long to wait (a
        number of seconds, or True for stamina's backoff)."""
        if isinstance(error, _RetryResponse):
            return error.decision
        if isinstance(error, RETRYABLE_ERRORS):
            return self._retry(None)
        return False

    def _retry(self, response: httpx.Response | None) -> bool | float:
        """Decide, once per failed attempt, whether to retry; see the module's docstring.
        The budget is asked last, so that a token is spent only on a retry that happens."""
        policy = self.policy
        if not self._retryable or self.attempts >= policy.attempts:
            return False
        left = deadline.remaining()
        if left is not None and left <= 0:
            self.refused_by = "deadline"
            return False
        wait = None if response is None else retry_after(response)
        if wait is not None and (wait > self.timeout or (left is not None and wait >= left)):
            self.refused_by = "retry-after"
            return False
        if policy.breaker is not None and policy.breaker.state is not CircuitState.CLOSED:
            self.refused_by = "circuit"
            return False
        if policy.budget is not None and not policy.budget.try_retry():
            self.refused_by = "budget"
            return False
        return True if wait is None else wait

    # -- tracing ------------------------------------------------------------------------------

    def _start_span(self) -> None:
        """A client span, child of the caller's current span, and its W3C trace context in
        the request's headers. The span is not made current: nothing runs under it but the
        send, and attaching a context costs more than the span itself."""
        request = self.request
        url = request.url
        if url.userinfo:
            url = url.copy_with(username=None, password=None)
        span = _tracer.start_span(
            request.method,
            kind=SpanKind.CLIENT,
            attributes={
                "http.request.method": request.method,
                "url.full": str(url),
                "server.address": url.host,
                "peer.service": self.policy.target,
            },
        )
        self._span = span
        propagate.inject(request.headers, context=trace.set_span_in_context(span))

    def _end_span(self, exc: BaseException | None) -> None:
        span = self._span
        assert span is not None
        if self.attempts > 1:
            span.set_attribute("http.request.resend_count", self.attempts - 1)
        if self.refused_by is not None:
            span.set_attribute("stormproof.retry.refused", self.refused_by)
        if exc is not None:
            span.set_attribute("error.type", type(exc).__qualname__)
            span.record_exception(exc)
            span.set_status(StatusCode.ERROR, f"{type(exc).__qualname__}: {exc}")
        elif self.response is not None:
            status = self.response.status_code
            span.set_attribute("http.response.status_code", status)
            if status >= 400:
                span.set_attribute("error.type", str(status))
                span.set_status(StatusCode.ERROR)
        span.end()


class _Attempt:
    """One attempt's context manager, ``with`` (sync) or ``async with`` (async). Entering and
    leaving it passes the breaker, which for a breaker shared in Redis is a round trip: the
    async form makes it in a worker thread, so that it never stalls the event loop."""

    __slots__ = ()
    _call: Call

    def __enter__(self) -> None:
        raise NotImplementedError

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        raise NotImplementedError

    async def __aenter__(self) -> None:
        breaker = self._call.policy.breaker
        if breaker is not None and breaker.shared:
            await asyncio.to_thread(self.__enter__)
        else:
            self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        breaker = self._call.policy.breaker
        if breaker is not None and breaker.shared:
            return await asyncio.to_thread(self.__exit__, exc_type, exc, tb)
        return self.__exit__(exc_type, exc, tb)


class Attempts(_Attempt):
    """The attempts of one call, for ``for`` or ``async for``; each is a context manager
    around one send. The first is this object itself; after it, only if it failed in a way
    the call may retry, stamina's (see the module's docstring)."""

    __slots__ = ("_call", "_first", "_retries")

    def __init__(self, call: Call) -> None:
        self._call = call
        self._first = True
        self._retries: Any = None

    def __iter__(self) -> Attempts:
        return self

    def __aiter__(self) -> Attempts:
        return self

    def __next__(self) -> _Attempt:
        if self._first:
            self._first = False
            return self
        if self._retries is None:
            failed = self._call._failed
            if failed is None:
                raise StopIteration
            self._retries = iter(self._call._retry_context())
            with next(self._retries):  # stamina's first attempt is the one that failed
                raise failed
        return _Retry(next(self._retries), self._call)

    async def __anext__(self) -> _Attempt:
        if self._first:
            self._first = False
            return self
        if self._retries is None:
            failed = self._call._failed
            if failed is None:
                raise StopAsyncIteration
            self._retries = aiter(self._call._retry_context())
            with await anext(self._retries):  # stamina's first attempt is the one that failed
                raise failed
        return _Retry(await anext(self._retries), self._call)

    def __enter__(self) -> None:
        self._call._begin_attempt()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        """Keep a failure the call may retry, and let any other error through."""
        call = self._call
        try:
            call._end_attempt(exc)
        except _RetryResponse as retry:
            call._failed = retry
            return True
        if call._retryable and isinstance(exc, RETRYABLE_ERRORS):
            call._failed = exc
            return True
        return False


class _Retry(_Attempt):
    """A retry: one of stamina's attempts around one send. Stamina sees the attempt's
    failure (or ``_RetryResponse``), and asks the call whether to retry it."""

    __slots__ = ("_attempt", "_call")

    def __init__(self, attempt: stamina.Attempt, call: Call) -> None:
        self._attempt = attempt
        self._call = call

    def __enter__(self) -> None:
        # Refused before sending (deadline passed, breaker open): the error goes straight to
        # the caller, as stamina would have re-raised it.
        self._attempt.__enter__()
        self._call._begin_attempt()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        try:
            self._call._end_attempt(exc)
        except _RetryResponse as retry:
            return self._attempt.__exit__(type(retry), retry, retry.__traceback__)
        return self._attempt.__exit__(exc_type, exc, tb)


class _RetryResponse(Exception):
    """Carries a response the call has decided to retry through stamina, which retries on
    exceptions; it never reaches the caller."""

    def __init__(self, response: httpx.Response, decision: bool | float) -> None:
        super().__init__(f"retrying after {response.status_code}")
        self.response = response
        self.decision = decision


def retry_after(response: httpx.Response) -> float | None:
    """Seconds the ``Retry-After`` header asks to wait (``120``, or an HTTP date), never
    negative; ``None`` without one, or when it cannot be read."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; a date without a zone is nonsense
        return None
    seconds = when.timestamp() - time.time()
    return max(seconds, 0.0) if math.isfinite(seconds) else None
