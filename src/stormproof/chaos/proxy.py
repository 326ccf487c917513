"""A fault-injecting TCP proxy for one edge of the system (e.g. booking→payments).

In ``http`` mode (the default) each connection is handled one HTTP/1.1 exchange at a time:
the request is read whole, forwarded, the response read whole and sent back. That lockstep is
what lets the HTTP-aware faults act on a single request, and it also counts requests. Bytes
of the next request (pipelining) wait in the proxy until the response to this one is sent.
Interim ``1xx`` answers travel in front of the final response; since a request's body is read
before anything is forwarded, a client that waits for ``100 Continue`` before sending its body
gets it only after its own timeout makes it send the body anyway. A ``101 Switching
Protocols`` answer turns the rest of the connection into a plain byte pipe. In ``tcp`` mode
both directions are piped chunk by chunk and the HTTP faults are refused.

Faults are changed from the event loop with :meth:`FaultProxy.set_fault`,
:meth:`FaultProxy.clear_fault` and :meth:`FaultProxy.heal`. Faults on bytes in flight
(partition, latency, reset) act on open connections at their next chunk; the others act on
the next connection or request.

The proxy shares the event loop of whatever drives the system, so its cost per request
matters: sockets are asyncio protocols driven straight from the loop's callbacks (no streams,
no task switch per message), a message is framed from one growing buffer that is scanned
once, and with no fault set a chunk goes from one socket to the other with no detour.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, cast

from stormproof.chaos.faults import (
    HTTP_FAULT_KINDS,
    PROCESS_FAULT_KINDS,
    Drop,
    DropResponse,
    Duplicate,
    HttpError,
    Latency,
    NetworkFault,
    Partition,
    Reset,
    covers,
)
from stormproof.chaos.http_framing import BadMessage, Framer, LinkCut, Message, error_response

Flow = Literal["upstream", "downstream"]
Protocol = Literal["http", "tcp"]

_CHUNK_LIMIT = 64 * 1024  # tcp mode: the most bytes forwarded (and delayed) as one chunk
_BUFFER_LIMIT = 128 * 1024  # unforwarded bytes from a socket above which it is not read


@dataclass
class ProxyCounters:
    """What one proxy saw, for the run summary. ``faults`` counts events by fault kind: a
    refused or dropped connection, a swallowed or delayed chunk, a reset connection, an
    injected error, a dropped response, a duplicated request."""

    connections: int = 0
    requests: int = 0
    upstream_errors: int = 0
    faults: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "connections": self.connections,
            "requests": self.requests,
            "upstream_errors": self.upstream_errors,
            "faults": dict(sorted(self.faults.items())),
        }


# -- sockets -----------------------------------------------------------------------------


def _reset(transport: asyncio.Transport) -> None:
    """Close with an RST rather than a FIN: SO_LINGER 0 makes the kernel drop the connection."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        # An OSError means the peer closed it already: nothing left to reset.
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


class _Side(asyncio.Protocol):
    """One of a link's two sockets. asyncio calls these methods straight from its event loop;
    they keep what arrived in ``buffer`` and hand over to the link."""

    transport: asyncio.Transport

    def __init__(self, link: _Link) -> None:
        self.link = link
        self.buffer = bytearray()  # arrived and not yet forwarded
        self.eof = False  # the peer sends no more: a FIN, or the connection is gone
        self.error: Exception | None = None  # how the connection broke (an RST), if it did
        self.lost = False
        self.full = False  # its write buffer is over the high-water mark
        self.paused = False  # we stopped reading it
        self.inflow: _Flow | None = None  # the flow that writes to it, once the link runs
        self.outflow: _Flow | None = None  # the flow that reads from it

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        if self is self.link.client:
            self.link.proxy._accept(self.link)

    def data_received(self, data: bytes) -> None:
        self.link.received(self, data)

    def eof_received(self) -> bool:
        self.eof = True
        self.link.ended(self)
        return True  # keep the socket open: the other direction may still carry bytes

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = self.lost = True
        self.error = exc
        self.full = False
        self.link.ended(self)

    def pause_writing(self) -> None:
        self.full = True

    def resume_writing(self) -> None:
        self.full = False
        self.link.drained(self)

    def keep(self, data: bytes) -> None:
        """Keep ``data`` for later, and stop reading once too much waits."""
        self.buffer += data
        if len(self.buffer) > _BUFFER_LIMIT:
            self.hold()

    def hold(self) -> None:
        if not self.paused:
            self.paused = True
            self.transport.pause_reading()

    def release(self) -> None:
        if self.paused:
            self.paused = False
            self.transport.resume_reading()


class _Flow:
    """The bytes going one way through a link, from ``source`` to ``dest``."""

    def __init__(self, name: Flow, source: _Side, dest: _Side) -> None:
        self.name: Flow = name
        self.source = source
        self.dest = dest
        self.timer: asyncio.TimerHandle | None = None  # a chunk held back by a latency fault
        self.waiting = False  # a chunk is held back, or dest is full: wait before the next
        self.ended = False  # tcp mode: the source's end has been passed on
        source.outflow = dest.inflow = self


Mode = Literal["connecting", "http", "pipe"]


class _Link:
    """One client connection and the upstream connection that serves it.

    In ``http`` mode one exchange at a time runs as a small state machine: ``_state`` is the
    step to take next, and :meth:`_advance` takes steps until one has to wait for bytes, for
    a flow (a delayed or unsent chunk) or for a duplicated request's copy. In ``pipe`` mode
    each flow forwards on its own."""

    _up: _Flow  # the flows, once the upstream connection is open
    _down: _Flow

    def __init__(self, proxy: FaultProxy) -> None:
        self.proxy = proxy
        self.client = _Side(self)
        self.upstream: _Side | None = None
        self.bytes_passed = 0
        self.finished = False
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._mode: Mode = "connecting"
        self._state: Callable[[], bool] = self._read_request
        self._requests = Framer()
        self._responses = Framer()
        self._held: Message | None = None  # a response waiting for its duplicate's copy
        self._copying = False
        self._framing: _Side | None = None  # the side whose message the exchange waits for

    def start(self, upstream: _Side, protocol: Protocol) -> None:
        """Begin forwarding, once the upstream connection is open."""
        self.upstream = upstream
        self._up = _Flow("upstream", self.client, upstream)
        self._down = _Flow("downstream", upstream, self.client)
        if protocol == "http":
            self._mode = "http"
            self._advance()
        else:
            self._start_pipe()

    def reset(self) -> None:
        if self.finished:
            return
        _reset(self.client.transport)
        if self.upstream is not None:
            _reset(self.upstream.transport)
        self.finish()

    def finish(self) -> None:
        """Close both sockets (after what is queued on them) and stop every step."""
        if self.finished:
            return
        self.finished = True
        self._state = self._stopped
        self.client.transport.close()
        if self.upstream is not None:
            self.upstream.transport.close()
            for flow in (self._up, self._down):
                if flow.timer is not None:
                    flow.timer.cancel()
        if not self.closed.done():
            self.closed.set_result(None)

    # -- events from the sockets ---------------------------------------------------------

    def received(self, side: _Side, data: bytes) -> None:
        mode = self._mode
        if mode == "http":
            side.buffer += data
            self._advance()
            if len(side.buffer) > _BUFFER_LIMIT and self._framing is not side:
                side.hold()  # until a step needs its bytes
        elif mode == "pipe":
            flow = side.outflow
            assert flow is not None
            if flow.waiting or side.buffer:
                side.keep(data)
            else:
                self._pipe_send(flow, data)
        else:  # connecting: kept until the link starts
            side.keep(data)

    def ended(self, side: _Side) -> None:
        """The peer of ``side`` sent its last byte, or its connection is gone."""
        if self.finished or self._mode == "connecting":
            return
        flow = side.inflow
        assert flow is not None and side.outflow is not None
        if side.lost and flow.waiting and flow.timer is None:
            flow.waiting = False  # waiting for it to drain: it never will
        if self._mode == "http":
            self._advance()
        elif side.lost:  # an RST, or gone while bytes were waiting for it
            self.reset()
        else:
            self._pump(side.outflow)

    def drained(self, side: _Side) -> None:
        flow = side.inflow
        if flow is not None and flow.waiting and flow.timer is None:
            flow.waiting = False
            self._resume(flow)

    # -- the byte-level faults -----------------------------------------------------------

    def _send(self, flow: _Flow, data: bytes, delayed: bool = False) -> None:
        """Forward ``data`` along ``flow`` through the byte-level faults (``delayed``: it has
        waited out its latency already). Afterwards ``flow.waiting`` says whether to wait
        for :meth:`_resume` before sending more."""
        dest = flow.dest
        if dest.lost:
            raise ConnectionResetError("connection lost")
        proxy = self.proxy
        if proxy._faults:  # with no fault set, straight through
            if not delayed and self._held_back(flow, data):
                return
            reset = proxy._faults.get("reset")
            if isinstance(reset, Reset) and self.bytes_passed + len(data) > reset.after_bytes:
                allowed = max(0, reset.after_bytes - self.bytes_passed)
                if allowed:
                    dest.transport.write(data[:allowed])
                proxy.counters.faults["reset"] += 1
                self.reset()
                raise LinkCut
        dest.transport.write(data)
        self.bytes_passed += len(data)
        if dest.full:
            flow.waiting = True

    def _held_back(self, flow: _Flow, data: bytes) -> bool:
        """Whether a partition swallows ``data`` or a latency fault holds it back (to go on
        in :meth:`_send_delayed`)."""
        proxy = self.proxy
        partition = proxy._faults.get("partition")
        if isinstance(partition, Partition) and covers(partition.direction, flow.name):
            proxy.counters.faults["partition"] += 1
            return True
        latency = proxy._faults.get("latency")
        if isinstance(latency, Latency) and covers(latency.direction, flow.name):
            proxy.counters.faults["latency"] += 1
            jitter = proxy._rng.uniform(-latency.jitter_ms, latency.jitter_ms)
            delay = max(0.0, latency.delay_ms + jitter) / 1000
            flow.waiting = True
            flow.timer = asyncio.get_running_loop().call_later(
                delay, self._send_delayed, flow, data
            )
            return True
        return False

    def _send_delayed(self, flow: _Flow, data: bytes) -> None:
        flow.timer = None
        flow.waiting = False
        try:
            self._send(flow, data, delayed=True)
        except (LinkCut, OSError):
            self._cut()
            return
        if not flow.waiting:
            self._resume(flow)

    def _resume(self, flow: _Flow) -> None:
        """``flow`` can take bytes again."""
        if self._mode == "http":
            self._advance()
        else:
            self._pump(flow)

    def _cut(self) -> None:
        """A send failed or a fault cut the link; in tcp mode an RST passes on as an RST."""
        if self._mode == "pipe":
            self.reset()
        else:
            self.finish()

    # -- http mode -----------------------------------------------------------------------

    def _advance(self) -> None:
        """Take exchange steps until one has to wait."""
        self._framing = None
        try:
            while not (self._up.waiting or self._down.waiting or self._copying) and self._state():
                pass
        except BadMessage:
            self.reset()
        except (LinkCut, OSError):
            self.finish()

    def _read_request(self) -> bool:
        client = self.client
        if client.error is not None:
            raise LinkCut
        request = self._requests.frame(client.buffer, client.eof) if client.buffer else None
        if request is None:
            if not client.eof:
                self._framing = client
                client.release()
                return False
            if client.buffer.strip() and self._requests.in_head:
                raise BadMessage("connection closed inside a request head")
            raise LinkCut  # closed between requests, or inside a body
        proxy = self.proxy
        proxy.counters.requests += 1
        if proxy._faults:
            fault = proxy._faults.get("http_error")
            if isinstance(fault, HttpError) and proxy._fires("http_error"):
                self._state = self._close if request.closes else self._read_request
                self._send(self._down, error_response(fault.status))
                return True
        self._responses.request = request
        self._state = self._read_response
        self._send(self._up, request.raw)
        return True

    def _read_response(self) -> bool:
        upstream = self.upstream
        assert upstream is not None
        if upstream.error is not None:
            raise LinkCut
        response = self._responses.frame(upstream.buffer, upstream.eof) if upstream.buffer else None
        if response is None:
            if upstream.eof:
                raise LinkCut
            self._framing = upstream
            upstream.release()
            return False
        self._held = response
        proxy = self.proxy
        if proxy._faults:
            if proxy._fires("drop_response"):
                raise LinkCut
            if proxy._fires("duplicate"):
                request = self._responses.request
                assert request is not None
                self._state = self._deliver
                self._copying = True
                proxy._spawn(self._copy(request))
                return False
        return self._deliver()

    async def _copy(self, request: Message) -> None:
        try:
            await self.proxy._deliver_copy(request)
        finally:
            self._copying = False
            self._advance()

    def _deliver(self) -> bool:
        response = self._held
        assert response is not None
        self._held = None
        if response.upgraded:
            self._state = self._start_pipe
        else:
            self._state = self._close if response.closes else self._read_request
        self._send(self._down, response.raw)
        return True

    def _close(self) -> bool:
        raise LinkCut

    def _stopped(self) -> bool:
        return False

    # -- pipe mode -----------------------------------------------------------------------

    def _start_pipe(self) -> bool:
        self._mode = "pipe"
        self._pump(self._up)
        if not self.finished:
            self._pump(self._down)
        return False

    def _pipe_send(self, flow: _Flow, data: bytes) -> None:
        try:
            self._send(flow, data)
        except (LinkCut, OSError):
            self.reset()

    def _pump(self, flow: _Flow) -> None:
        """Forward what ``flow``'s source has buffered; once it is all out, pass on the
        source's end."""
        source = flow.source
        while source.buffer and not flow.waiting:
            chunk = bytes(source.buffer[:_CHUNK_LIMIT])
            del source.buffer[:_CHUNK_LIMIT]
            self._pipe_send(flow, chunk)
            if self.finished:
                return
        if flow.waiting:
            return
        source.release()
        if not source.eof or flow.ended:
            return
        if source.error is not None:
            self.reset()
            return
        flow.ended = True
        partition = self.proxy._faults.get("partition")
        blackholed = isinstance(partition, Partition) and covers(partition.direction, flow.name)
        # A half-close passes on, unless that direction is blackholed.
        dest = flow.dest.transport
        if not blackholed and dest.can_write_eof() and not dest.is_closing():
            dest.write_eof()
        if self._up.ended and self._down.ended:
            self.finish()


class FaultProxy:
    """Listens on ``listen_host:listen_port`` (port 0: a free one, see :attr:`port`) and
    forwards every connection to ``upstream_host:upstream_port``, injecting the faults set.

    ``rng`` draws every probability and jitter, so a seeded one replays the same choices for
    the same sequence of connections and requests."""

    def __init__(
        self,
        upstream_host: str,
        upstream_port: int,
        *,
        rng: random.Random | None = None,
        protocol: Protocol = "http",
        listen_host: str = "127.0.0.1",
        listen_port: int = 0,
    ) -> None:
        if protocol not in ("http", "tcp"):
            raise ValueError(f"protocol must be http or tcp, got {protocol!r}")
        self.upstream_host = upstream_host
        self.upstream_port = upstream_port
        self.protocol: Protocol = protocol
        self.counters = ProxyCounters()
        self._rng = rng if rng is not None else random.Random()
        self._listen = (listen_host, listen_port)
        self._faults: dict[str, NetworkFault] = {}
        self._server: asyncio.Server | None = None
        self._links: set[_Link] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> FaultProxy:
        if self._server is not None:
            raise RuntimeError("proxy already started")
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _Link(self).client, *self._listen)
        return self

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("proxy not started: await proxy.start() first")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def close(self) -> None:
        """Stop listening, close every connection and wait for every task of this proxy."""
        if self._server is not None:
            self._server.close()
        for link in list(self._links):
            link.finish()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def __aenter__(self) -> FaultProxy:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    # -- faults --------------------------------------------------------------------------

    @property
    def faults(self) -> tuple[NetworkFault, ...]:
        return tuple(self._faults.values())

    def set_fault(self, fault: NetworkFault) -> None:
        """Make ``fault`` active, replacing any active fault of the same kind."""
        if fault.kind in PROCESS_FAULT_KINDS:
            raise ValueError(f"{fault.kind} acts on a service's processes, not on a proxy")
        if fault.kind in HTTP_FAULT_KINDS and self.protocol != "http":
            raise ValueError(f"{fault.kind} needs an HTTP proxy (protocol='http')")
        self._faults[fault.kind] = fault
        if isinstance(fault, Partition) and fault.mode == "refuse":
            self._cut_open_links(lambda link: True, fault.kind)
        elif isinstance(fault, Reset):
            self._cut_open_links(lambda link: link.bytes_passed >= fault.after_bytes, fault.kind)

    def clear_fault(self, kind: str) -> None:
        self._faults.pop(kind, None)

    def heal(self) -> None:
        """Remove every fault; connections opened from now on pass through untouched."""
        self._faults.clear()

    def _cut_open_links(self, should_cut: Callable[[_Link], bool], kind: str) -> None:
        for link in list(self._links):
            if not link.finished and should_cut(link):
                self.counters.faults[kind] += 1
                link.reset()

    def _fires(self, kind: str) -> bool:
        fault = self._faults.get(kind)
        if fault is None:
            return False
        assert isinstance(fault, Drop | HttpError | DropResponse | Duplicate)
        if self._rng.random() < fault.probability:
            self.counters.faults[kind] += 1
            return True
        return False

    # -- connections ---------------------------------------------------------------------

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        """Run ``coroutine`` as a task of this proxy: close() cancels and awaits it."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _accept(self, link: _Link) -> None:
        self.counters.connections += 1
        self._links.add(link)  # from now on close() ends it, even before its task starts
        self._spawn(self._handle(link))

    async def _handle(self, link: _Link) -> None:
        """A connection's lifetime: its task ends when the connection does."""
        try:
            upstream = await self._admit(link)
            if upstream is not None:
                link.start(upstream, self.protocol)
                await link.closed
        finally:
            self._links.discard(link)
            link.finish()

    async def _admit(self, link: _Link) -> _Side | None:
        """Apply the connection-level faults, then open the upstream connection."""
        partition = self._faults.get("partition")
        reset = self._faults.get("reset")
        if isinstance(partition, Partition) and partition.mode == "refuse":
            self.counters.faults["partition"] += 1
            link.reset()
            return None
        if isinstance(reset, Reset) and reset.after_bytes == 0:
            self.counters.faults["reset"] += 1
            link.reset()
            return None
        if self._fires("drop"):
            link.finish()
            return None
        try:
            _, upstream = await asyncio.get_running_loop().create_connection(
                lambda: _Side(link), self.upstream_host, self.upstream_port
            )
        except OSError:
            # An unreachable upstream looks the same to the client as a refused connection.
            self.counters.upstream_errors += 1
            link.reset()
            return None
        if link.finished:  # cut while it was connecting
            upstream.transport.close()
            return None
        return upstream

    async def _deliver_copy(self, request: Message) -> None:
        """Send ``request`` again on a connection of its own and discard the answer."""
        loop = asyncio.get_running_loop()
        try:
            transport, copy = await loop.create_connection(
                lambda: _Collector(request), self.upstream_host, self.upstream_port
            )
        except OSError:
            self.counters.upstream_errors += 1
            return
        try:
            transport.write(request.raw)
            await copy.answered
        except (OSError, LinkCut, BadMessage):
            self.counters.upstream_errors += 1
        finally:
            transport.close()


class _Collector(asyncio.Protocol):
    """Reads the response to a duplicated request's copy, to be thrown away: ``answered``
    is done once all of it is in, or fails if the connection ends first."""

    def __init__(self, request: Message) -> None:
        self._framer = Framer(request)
        self._buffer = bytearray()
        self.answered: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        self._frame(eof=False)

    def eof_received(self) -> bool:
        self._frame(eof=True)
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.answered.done():
            self.answered.set_exception(exc or ConnectionResetError("connection lost"))

    def _frame(self, eof: bool) -> None:
        if self.answered.done():
            return
        try:
            if self._framer.frame(self._buffer, eof) is not None:
                self.answered.set_result(None)
            elif eof:
                raise LinkCut
        except (LinkCut, BadMessage) as error:
            self.answered.set_exception(error)
