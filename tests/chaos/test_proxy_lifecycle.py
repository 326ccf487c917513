"""Start and shutdown: a port of its own, and nothing left behind by close()."""

import asyncio

import pytest

from stormproof.chaos import Duplicate, FaultProxy, Latency, Partition, proxy
from stormproof.chaos.faults import Kill, Pause, Skew
from tests.chaos.upstreams import http_upstream, run, scripted_upstream


def _other_tasks() -> set[asyncio.Task]:
    return asyncio.all_tasks() - {asyncio.current_task()}


def _proxy_tasks() -> set[asyncio.Task]:
    """The tasks running the proxy module's own coroutines."""
    return {t for t in asyncio.all_tasks() if t.get_coro().cr_code.co_filename == proxy.__file__}


def test_close_ends_every_connection_and_leaves_no_task():
    async def body():
        with http_upstream() as upstream:
            before = _other_tasks()  # the test's own runner
            proxy = await FaultProxy("127.0.0.1", upstream.port).start()
            port = proxy.port
            idle = await asyncio.open_connection("127.0.0.1", port)
            idle[1].write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            await asyncio.wait_for(idle[0].readuntil(b"GET / 0\n"), 5)  # now idle keep-alive
            proxy.set_fault(Latency(delay_ms=60_000, direction="upstream"))
            sleeping = await asyncio.open_connection("127.0.0.1", port)
            sleeping[1].write(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
            await asyncio.sleep(0.1)  # let it reach the delay before the partition is set
            proxy.set_fault(Partition(direction="upstream"))
            hanging = await asyncio.open_connection("127.0.0.1", port)
            hanging[1].write(b"GET /lost HTTP/1.1\r\nHost: x\r\n\r\n")
            await asyncio.sleep(0.1)
            assert len(_other_tasks() - before) == 3  # one per connection

            await asyncio.wait_for(proxy.close(), 5)

            assert _other_tasks() == before
            for reader, writer in (idle, sleeping, hanging):
                assert await asyncio.wait_for(reader.read(), 5) == b""
                writer.close()
            with pytest.raises(ConnectionRefusedError):
                await asyncio.open_connection("127.0.0.1", port)
        assert [r.path for r in upstream.requests()] == ["/"]

    run(body())


def test_two_proxies_get_distinct_free_ports():
    async def body():
        async with FaultProxy("127.0.0.1", 9) as one, FaultProxy("127.0.0.1", 9) as two:
            assert one.port != two.port
            assert one.port > 0

    run(body())


def test_port_before_start_is_a_clear_error():
    with pytest.raises(RuntimeError, match="proxy not started"):
        _ = FaultProxy("127.0.0.1", 9).port


def test_unknown_protocol_is_refused():
    with pytest.raises(ValueError, match="protocol must be http or tcp, got 'udp'"):
        FaultProxy("127.0.0.1", 9, protocol="udp")


@pytest.mark.parametrize("fault", [Kill(), Pause(), Skew(offset_s=5)], ids=lambda f: f.kind)
def test_process_faults_are_refused(fault):
    with pytest.raises(ValueError, match=f"{fault.kind} acts on a service's processes"):
        FaultProxy("127.0.0.1", 9).set_fault(fault)


def test_close_during_a_duplicate_copy_leaves_no_task():
    async def body():
        copy_started = asyncio.Event()

        def answer(connection: int, request: bytes) -> list[bytes]:
            if connection == 0:
                return [b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"]
            copy_started.set()
            return []  # the copy is never answered

        async with scripted_upstream(answer) as upstream:
            proxy = await FaultProxy("127.0.0.1", upstream.port).start()
            proxy.set_fault(Duplicate())
            reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
            writer.write(b"POST /pay HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
            await asyncio.wait_for(copy_started.wait(), 5)
            await asyncio.wait_for(proxy.close(), 5)
            assert await asyncio.wait_for(reader.read(), 5) == b""  # no answer, just the end
            writer.close()
            assert _proxy_tasks() == set()

    run(body())
