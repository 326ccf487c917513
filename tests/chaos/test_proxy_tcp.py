"""Byte-level faults on a tcp-mode proxy in front of an echo server."""

import asyncio
import os
import socket
import struct
import time

import pytest

from stormproof.chaos import Drop, FaultProxy, HttpError, Latency, Partition, Reset
from tests.chaos.upstreams import echo_upstream, read_until_eof, run, send_pieces


async def _connect(proxy: FaultProxy) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", proxy.port)


async def _round_trip(reader, writer, data: bytes, timeout: float = 5.0) -> bytes:
    writer.write(data)
    await writer.drain()
    return await asyncio.wait_for(reader.readexactly(len(data)), timeout)


def test_bytes_pass_through_unchanged_and_half_close_propagates():
    async def body():
        payload = os.urandom(300_000)
        async with (
            echo_upstream() as echo,
            FaultProxy("127.0.0.1", echo.port, protocol="tcp") as proxy,
        ):
            reader, writer = await _connect(proxy)
            writer.write(payload)
            writer.write_eof()
            echoed = await read_until_eof(reader)
            writer.close()
            assert echoed == payload
            assert bytes(echo.received) == payload
            assert proxy.counters.connections == 1
            assert not proxy.counters.faults

    run(body())


def test_refuse_resets_new_and_open_connections():
    async def body():
        async with (
            echo_upstream() as echo,
            FaultProxy("127.0.0.1", echo.port, protocol="tcp") as proxy,
        ):
            open_reader, open_writer = await _connect(proxy)
            assert await _round_trip(open_reader, open_writer, b"before") == b"before"
            proxy.set_fault(Partition(mode="refuse"))
            with pytest.raises(ConnectionResetError):
                await _round_trip(open_reader, open_writer, b"after")
            reader, writer = await _connect(proxy)
            with pytest.raises(ConnectionResetError):
                await _round_trip(reader, writer, b"new")
            assert echo.connections == 1  # the refused connection never reached upstream
            assert proxy.counters.faults["partition"] == 2

    run(body())


@pytest.mark.parametrize(
    ("direction", "upstream_gets_bytes"),
    [("upstream", False), ("downstream", True), ("both", False)],
)
def test_blackhole_swallows_bytes_until_healed(direction, upstream_gets_bytes):
    async def body():
        async with (
            echo_upstream() as echo,
            FaultProxy("127.0.0.1", echo.port, protocol="tcp") as proxy,
        ):
            reader, writer = await _connect(proxy)
            assert await _round_trip(reader, writer, b"warm") == b"warm"
            proxy.set_fault(Partition(direction=direction, mode="blackhole"))
            with pytest.raises(TimeoutError):
                await _round_trip(reader, writer, b"lost", timeout=0.3)
            assert (b"lost" in echo.received) is upstream_gets_bytes
            proxy.heal()
            # The same open connection carries bytes again once healed.
            assert await _round_trip(reader, writer, b"back") == b"back"
            writer.close()

    run(body())


@pytest.mark.parametrize(
    ("direction", "crossings"), [("upstream", 1), ("downstream", 1), ("both", 2)]
)
def test_latency_delays_each_chunk_in_its_direction(direction, crossings):
    delay_ms = 80

    async def body():
        async with (
            echo_upstream() as echo,
            FaultProxy("127.0.0.1", echo.port, protocol="tcp") as proxy,
        ):
            reader, writer = await _connect(proxy)
            start = time.perf_counter()
            await _round_trip(reader, writer, b"x")
            fast = time.perf_counter() - start
            proxy.set_fault(Latency(delay_ms=delay_ms, direction=direction))
            start = time.perf_counter()
            await _round_trip(reader, writer, b"y")
            slow = time.perf_counter() - start
            writer.close()
            assert fast < delay_ms / 1000
            assert slow >= crossings * delay_ms / 1000
            assert proxy.counters.faults["latency"] == crossings

    run(body())


def test_jitter_stays_within_its_bounds():
    async def body():
        async with (
            echo_upstream() as echo,
            FaultProxy("127.0.0.1", echo.port, protocol="tcp") as proxy,
        ):
            proxy.set_fault(Latency(delay_ms=30, jitter_ms=20, direction="upstream"))
            reader, writer = await _connect(proxy)
            times = []
            for _ in range(5):
                start = time.perf_counter()
                await _round_trip(reader, writer, b"j")
                times.append(time.perf_counter() - start)
            writer.close()
            assert min(times) >= 0.010

    run(body())


def test_drop_closes_new_connection_without_reaching_upstream():
    async def body():
        async with (
            echo_upstream() as echo,
            FaultProxy("127.0.0.1", echo.port, protocol="tcp") as proxy,
        ):
            proxy.set_fault(Drop(probability=1.0))
            reader, writer = await _connect(proxy)
            # Nothing is written first: a close with unread bytes would turn into an RST.
            assert await read_until_eof(reader) == b""
            writer.close()
            assert echo.connections == 0
            assert proxy.counters.faults["drop"] == 1

    run(body())


def test_reset_after_n_bytes_cuts_the_stream_mid_way():
    async def body():
        async with (
            echo_upstream() as echo,
            FaultProxy("127.0.0.1", echo.port, protocol="tcp") as proxy,
        ):
            # 100 bytes up, then the echo down: the reset fires 50 bytes into the reply.
            proxy.set_fault(Reset(after_bytes=150))
            reader, writer = await _connect(proxy)
            writer.write(b"a" * 100)
            received = b""
            with pytest.raises(ConnectionResetError):
                while chunk := await asyncio.wait_for(reader.read(1024), 5):
                    received += chunk
            # The bytes before the cut arrive (Linux keeps queued data readable after an RST).
            assert received == b"a" * 50
            assert bytes(echo.received) == b"a" * 100
            assert proxy.counters.faults["reset"] == 1

    run(body())


def test_reset_cuts_open_connections_past_the_threshold_at_once():
    async def body():
        async with (
            echo_upstream() as echo,
            FaultProxy("127.0.0.1", echo.port, protocol="tcp") as proxy,
        ):
            reader, writer = await _connect(proxy)
            assert await _round_trip(reader, writer, b"hello") == b"hello"
            proxy.set_fault(Reset(after_bytes=10))
            with pytest.raises(ConnectionResetError):
                await asyncio.wait_for(reader.read(1024), 5)

    run(body())


def test_unreachable_upstream_resets_the_client():
    async def body():
        async with echo_upstream() as echo:
            dead_port = echo.port
        async with FaultProxy("127.0.0.1", dead_port, protocol="tcp") as proxy:
            reader, writer = await _connect(proxy)
            with pytest.raises(ConnectionResetError):
                await _round_trip(reader, writer, b"x")
            assert proxy.counters.upstream_errors == 1

    run(body())


def test_http_faults_are_refused_on_a_tcp_proxy():
    proxy = FaultProxy("127.0.0.1", 9, protocol="tcp")
    with pytest.raises(ValueError, match="http_error needs an HTTP proxy"):
        proxy.set_fault(HttpError())


def test_a_slow_reader_gets_every_byte_in_order():
    async def body():
        payload = os.urandom(8 * 1024 * 1024)
        async with (
            echo_upstream() as echo,
            FaultProxy("127.0.0.1", echo.port, protocol="tcp") as proxy,
        ):
            reader, writer = await _connect(proxy)
            writer.write(payload)
            await asyncio.sleep(0.2)  # every buffer on the way back fills up meanwhile
            echoed = await asyncio.wait_for(reader.readexactly(len(payload)), 10)
            writer.close()
            assert echoed == payload

    run(body())


def test_bytes_arriving_during_a_delay_keep_their_order():
    async def body():
        async with (
            echo_upstream() as echo,
            FaultProxy("127.0.0.1", echo.port, protocol="tcp") as proxy,
        ):
            proxy.set_fault(Latency(delay_ms=50, direction="upstream"))
            reader, writer = await _connect(proxy)
            parts = [b"%03d," % n for n in range(40)]
            await send_pieces(writer, parts, gap=0.001)
            echoed = await asyncio.wait_for(reader.readexactly(len(b"".join(parts))), 5)
            writer.close()
            assert echoed == b"".join(parts)
            # Bytes that arrive while a chunk is held back travel together as the next chunk.
            assert 2 <= proxy.counters.faults["latency"] < len(parts)

    run(body())


def test_an_upstream_reset_passes_on_as_a_reset():
    async def reset_at_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    async def body():
        server = await asyncio.start_server(reset_at_once, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with FaultProxy("127.0.0.1", port, protocol="tcp") as proxy:
            reader, writer = await _connect(proxy)
            writer.write(b"x")
            with pytest.raises(ConnectionResetError):
                await read_until_eof(reader)
            writer.close()
        server.close()

    run(body())


def test_a_half_close_into_a_blackhole_is_swallowed_too():
    async def body():
        async with (
            echo_upstream() as echo,
            FaultProxy("127.0.0.1", echo.port, protocol="tcp") as proxy,
        ):
            reader, writer = await _connect(proxy)
            assert await _round_trip(reader, writer, b"warm") == b"warm"
            proxy.set_fault(Partition(direction="upstream", mode="blackhole"))
            writer.write_eof()
            # Had the end reached the echo server, it would have ended its side as well.
            with pytest.raises(TimeoutError):
                await read_until_eof(reader, timeout=0.3)
            writer.close()

    run(body())
