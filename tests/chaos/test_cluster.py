"""A whole system as real processes behind per-edge fault proxies: front (the entry) calls
back through the env var its `calls` entry names; every test leaves nothing running."""

from __future__ import annotations

import asyncio
import json
import random
import shlex
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from stormproof.chaos import Partition
from stormproof.chaos import cluster as cluster_module
from stormproof.chaos.cluster import Cluster
from stormproof.chaos.errors import ChaosError
from stormproof.chaos.ports import port_in_use, reserved_ports
from stormproof.chaos.process import faketime_library
from stormproof.manifest import Manifest, load_manifest
from tests.chaos.apps import SERVICE, group_gone, reaped, soon
from tests.chaos.upstreams import run

APP = f"python {shlex.quote(str(SERVICE))}"
FRONT = f"{APP} --port {{port}}"
BACK = f"{APP} --port {{port}} --db {{data}}/back.db"
NEVER_HEALTHY = "python -m http.server {port} --bind 127.0.0.1"  # 404 for /health


def write_manifest(tmp_path: Path, back: dict[str, object] | None = None) -> Manifest:
    """front (edge) calls back; ``back`` replaces back's entry. JSON is YAML too."""
    services = {
        "front": {"role": "edge", "run": FRONT, "calls": {"back": {"env": "BACK_URL"}}},
        "back": {"run": BACK} if back is None else back,
    }
    path = tmp_path / "system" / "stormproof.yaml"
    path.parent.mkdir()
    path.write_text(json.dumps({"version": 1, "name": "pair", "services": services}))
    return load_manifest(path)


@pytest.fixture
def clusters() -> Iterator[list[Cluster]]:
    """Clusters a test made; whatever a failing test leaves running is killed afterwards."""
    made: list[Cluster] = []
    yield made
    for cluster in made:
        cluster.stop_now()


def make(
    clusters: list[Cluster],
    tmp_path: Path,
    back: dict[str, object] | None = None,
    *,
    clock_control: bool = False,
    health_timeout: float = 10.0,
) -> Cluster:
    cluster = Cluster(
        write_manifest(tmp_path, back),
        tmp_path / "run",
        entry="front",
        rng=random.Random(7),
        clock_control=clock_control,
        health_timeout=health_timeout,
    )
    clusters.append(cluster)
    return cluster


def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(trust_env=False, timeout=5)


def assert_nothing_left(cluster: Cluster) -> None:
    """No process of the cluster's, nor any of their children, is left."""
    for process in cluster.processes.values():
        pid = process.pid
        assert pid is not None and reaped(pid), process.name
        assert soon(lambda pid=pid: group_gone(pid)), process.name


def refuses(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


# -- ports -------------------------------------------------------------------------------------


def test_reserved_ports_are_distinct_avoid_the_fixed_ones_and_are_held() -> None:
    with reserved_ports(20) as taken:
        pass
    with reserved_ports(3, avoid=taken) as ports:
        assert len(set(ports)) == 3 and not set(ports) & set(taken)
        assert all(port_in_use(port) for port in ports)
    assert not any(port_in_use(port) for port in ports)


# -- start and close ---------------------------------------------------------------------------


def test_start_runs_every_service_and_close_leaves_nothing(
    clusters: list[Cluster], tmp_path: Path
) -> None:
    cluster = make(clusters, tmp_path)

    async def body() -> None:
        async with cluster:
            ports = [proxy.port for proxy in cluster.proxies.values()]
            ports += [process.port for process in cluster.processes.values()]
            assert set(cluster.processes) == {"front", "back"}
            assert all(process.alive for process in cluster.processes.values())
            assert set(cluster.proxies) == {("client", "front"), ("front", "back")}
            async with client() as http:
                for url in cluster.urls.values():
                    assert (await http.get(f"{url}/health")).status_code == 200
                assert (await http.get(f"{cluster.entry_url}/health")).status_code == 200
        assert_nothing_left(cluster)
        assert all(refuses(port) for port in ports)
        assert cluster.entry_url == f"http://127.0.0.1:{ports[0]}"  # still known, for reports
        await cluster.close()  # idempotent

    run(body())
    assert cluster.data_dir == tmp_path / "run" / "data" and cluster.data_dir.is_dir()
    for name in ("front", "back"):
        assert "--- stormproof: started at" in (cluster.logs_dir / f"{name}.log").read_text()


def test_the_callee_url_is_the_edge_proxy(clusters: list[Cluster], tmp_path: Path) -> None:
    cluster = make(clusters, tmp_path)
    with pytest.raises(RuntimeError, match=r"^cluster not started$"):
        _ = cluster.entry_url

    async def body() -> None:
        async with cluster:
            edge = cluster.proxies[("front", "back")]
            assert cluster.processes["front"].env["BACK_URL"] == f"http://127.0.0.1:{edge.port}"
            assert edge.upstream_port == cluster.processes["back"].port
            assert cluster.edges_into("back") == [("front", "back")]
            assert cluster.edges_into("front") == [("client", "front")]

    run(body())


def test_traffic_goes_through_the_edge_proxies(clusters: list[Cluster], tmp_path: Path) -> None:
    cluster = make(clusters, tmp_path)

    async def body() -> None:
        async with cluster, client() as http:
            assert (await http.post(f"{cluster.urls['back']}/items/a")).status_code == 200
            before = cluster.counters()
            answer = await http.get(f"{cluster.entry_url}/forward/items")
            assert (answer.status_code, answer.json()) == (200, ["a"])
            after = cluster.counters()
            assert after["client->front"]["requests"] == before["client->front"]["requests"] + 1
            assert after["front->back"]["requests"] == before["front->back"]["requests"] + 1
            json.dumps(after)  # JSON-ready

    run(body())


def test_a_partition_breaks_only_its_edge(clusters: list[Cluster], tmp_path: Path) -> None:
    cluster = make(clusters, tmp_path)

    async def body() -> None:
        async with cluster, client() as http:
            cluster.proxies[("front", "back")].set_fault(Partition(mode="refuse"))
            assert (await http.get(f"{cluster.entry_url}/forward/items")).status_code == 502
            assert (await http.get(f"{cluster.entry_url}/health")).status_code == 200
            assert (await http.get(f"{cluster.urls['back']}/items")).status_code == 200
            cluster.heal()
            assert (await http.get(f"{cluster.entry_url}/forward/items")).status_code == 200

    run(body())


# -- process faults ----------------------------------------------------------------------------


def test_kill_and_restart_keep_the_port_and_the_data(
    clusters: list[Cluster], tmp_path: Path
) -> None:
    cluster = make(clusters, tmp_path)

    async def body() -> None:
        async with cluster, client() as http:
            back = cluster.urls["back"]
            await http.post(f"{back}/items/kept")
            first = cluster.processes["back"].pid
            assert first is not None

            await cluster.kill("back")

            assert not cluster.processes["back"].alive and reaped(first)
            with pytest.raises(httpx.ConnectError):
                await http.get(f"{back}/items")
            assert (await http.get(f"{cluster.entry_url}/forward/items")).status_code == 502

            await cluster.restart("back")

            assert cluster.urls["back"] == back and cluster.processes["back"].pid != first
            assert (await http.get(f"{cluster.entry_url}/forward/items")).json() == ["kept"]
        assert_nothing_left(cluster)

    run(body())
    assert "--- stormproof: restarted at" in (cluster.logs_dir / "back.log").read_text()


def test_pause_makes_requests_hang_until_resume(clusters: list[Cluster], tmp_path: Path) -> None:
    cluster = make(clusters, tmp_path)

    async def body() -> None:
        async with cluster, client() as http:
            cluster.pause("back")
            with pytest.raises(httpx.ReadTimeout):
                await http.get(f"{cluster.urls['back']}/items", timeout=0.5)
            cluster.resume("back")
            assert (await http.get(f"{cluster.urls['back']}/items")).status_code == 200

    run(body())


def test_heal_all_resumes_restarts_and_clears_every_fault(
    clusters: list[Cluster], tmp_path: Path
) -> None:
    cluster = make(clusters, tmp_path)

    async def body() -> None:
        async with cluster, client() as http:
            cluster.proxies[("client", "front")].set_fault(Partition(mode="refuse"))
            cluster.pause("front")
            await cluster.kill("back")

            await cluster.heal_all()

            assert all(process.alive for process in cluster.processes.values())
            assert not cluster.processes["front"].paused
            assert not any(proxy.faults for proxy in cluster.proxies.values())
            assert (await http.get(f"{cluster.entry_url}/forward/items")).status_code == 200

    run(body())


def test_an_unknown_service_is_a_chaos_error(clusters: list[Cluster], tmp_path: Path) -> None:
    cluster = make(clusters, tmp_path)

    async def body() -> None:
        async with cluster:
            with pytest.raises(ChaosError, match=r"^no running service named 'nope'$"):
                await cluster.kill("nope")

    run(body())


@pytest.mark.skipif(
    faketime_library() is None,
    reason="libfaketime (Debian package faketime) is not installed",
)
def test_skew_moves_the_service_clock_and_only_its(clusters: list[Cluster], tmp_path: Path) -> None:
    cluster = make(clusters, tmp_path, clock_control=True)

    async def offset(http: httpx.AsyncClient, service: str) -> float:
        answer = (await http.get(f"{cluster.urls[service]}/whoami")).json()
        return float(answer["time"]) - time.time()

    async def body() -> None:
        async with cluster, client() as http:
            assert abs(await offset(http, "back")) < 30
            cluster.set_skew("back", 3600)
            assert abs(await offset(http, "back") - 3600) < 30
            assert abs(await offset(http, "front")) < 30
            cluster.set_skew("front", -3600)
            assert abs(await offset(http, "front") + 3600) < 30
            cluster.heal()
            assert abs(await offset(http, "back")) < 30
            assert abs(await offset(http, "front")) < 30

    run(body())
    assert (tmp_path / "run" / "clock" / "back").read_text() == "+0.000\n"


def test_clock_control_without_libfaketime_is_refused(
    clusters: list[Cluster], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cluster_module, "faketime_library", lambda: None)
    cluster = make(clusters, tmp_path, clock_control=True)
    with pytest.raises(ChaosError) as error:
        run(cluster.start())
    assert str(error.value) == (
        "clock skew needs libfaketime (Debian package faketime); it is not installed"
    )
    assert not cluster.processes and not cluster.proxies


# -- a system that cannot run ------------------------------------------------------------------


def test_a_service_without_run_is_refused_before_anything_starts(
    clusters: list[Cluster], tmp_path: Path
) -> None:
    cluster = make(clusters, tmp_path, back={})
    with pytest.raises(ChaosError) as error:
        run(cluster.start())
    assert str(error.value) == (
        "service back has no run command; chaos starts every service from its run command"
    )
    assert not cluster.processes and not cluster.proxies


def test_a_service_that_is_not_told_its_port_is_refused(
    clusters: list[Cluster], tmp_path: Path
) -> None:
    cluster = make(clusters, tmp_path, back={"run": APP})
    with pytest.raises(ChaosError, match=r"^service back: its run command has no \{port\} and it"):
        run(cluster.start())
    assert not cluster.processes


def test_a_port_given_through_env_is_enough(clusters: list[Cluster], tmp_path: Path) -> None:
    back = {"run": APP, "env": {"PORT": "{port}"}}
    cluster = make(clusters, tmp_path, back=back)

    async def body() -> None:
        async with cluster, client() as http:
            assert (await http.get(f"{cluster.urls['back']}/health")).status_code == 200

    run(body())


def test_a_declared_fixed_port_is_used(clusters: list[Cluster], tmp_path: Path) -> None:
    with reserved_ports(1) as ports:
        port = ports[0]
    fixed = {"run": f"{APP} --port {port} --db {{data}}/back.db", "port": port}
    cluster = make(clusters, tmp_path, back=fixed)

    async def body() -> None:
        async with cluster, client() as http:
            assert cluster.urls["back"] == f"http://127.0.0.1:{port}"
            assert (await http.get(f"{cluster.entry_url}/forward/items")).status_code == 200

    run(body())


def test_a_fixed_port_in_use_is_refused(clusters: list[Cluster], tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        cluster = make(clusters, tmp_path, back={"run": f"{APP} --port {port}", "port": port})
        with pytest.raises(ChaosError) as error:
            run(cluster.start())
    assert str(error.value) == f"port {port} (service back) is in use by another process"
    assert not cluster.processes


def test_a_service_that_exits_at_start_stops_the_others(
    clusters: list[Cluster], tmp_path: Path
) -> None:
    crash = (
        "python -c 'import sys; print(\"boom: no config for\", sys.argv[1]); sys.exit(3)' {port}"
    )
    cluster = make(clusters, tmp_path, back={"run": crash})
    with pytest.raises(ChaosError) as error:
        run(cluster.start())
    assert str(error.value) == "service back exited with code 3 before it became healthy"
    assert "boom: no config for" in error.value.detail
    assert_nothing_left(cluster)


def test_a_service_that_never_gets_healthy_times_out(
    clusters: list[Cluster], tmp_path: Path
) -> None:
    cluster = make(clusters, tmp_path, back={"run": NEVER_HEALTHY}, health_timeout=1.0)
    with pytest.raises(
        ChaosError, match=r"^service back did not become healthy within \d+\.\ds of its start "
    ):
        run(cluster.start())
    assert_nothing_left(cluster)


def test_cancelling_start_leaves_nothing_running(clusters: list[Cluster], tmp_path: Path) -> None:
    cluster = make(clusters, tmp_path, back={"run": NEVER_HEALTHY}, health_timeout=30.0)

    async def body() -> None:
        starting = asyncio.create_task(cluster.start())
        async with client() as http:
            while True:  # until front is up: start() is then waiting for back's health
                await asyncio.sleep(0.05)
                if "front" in cluster.urls:
                    try:
                        await http.get(f"{cluster.urls['front']}/health")
                        break
                    except httpx.ConnectError:
                        continue
        starting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await starting

    run(body())
    assert set(cluster.processes) == {"front", "back"}
    assert_nothing_left(cluster)


def test_an_entry_that_is_not_a_service_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ChaosError, match=r"^entry service 'gateway' is not a service"):
        Cluster(write_manifest(tmp_path), tmp_path / "run", entry="gateway", rng=random.Random())
