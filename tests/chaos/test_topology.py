"""The system as fault targets: edges read from a manifest, and what a target acts on."""

import pytest

from stormproof.chaos.topology import Topology, edge_name, parse_edge
from stormproof.manifest import parse_manifest

# Both spellings of `calls`: the short list and the mapping with an env var.
MANIFEST = """
version: 1
name: shop
services:
  gateway:
    role: edge
    calls: [orders, search]
  orders:
    calls:
      payments: {env: PAY_URL}
      stock: {env: STOCK_URL}
  search:
    calls: [stock]
  payments: {}
  stock: {}
"""


@pytest.fixture
def topology() -> Topology:
    return Topology.from_manifest(parse_manifest(MANIFEST), entry="gateway")


def test_edges_come_from_both_forms_of_calls_and_the_client(topology):
    assert topology.services == ("gateway", "orders", "search", "payments", "stock")
    assert set(topology.edges) == {
        ("client", "gateway"),
        ("gateway", "orders"),
        ("gateway", "search"),
        ("orders", "payments"),
        ("orders", "stock"),
        ("search", "stock"),
    }
    assert len(topology.edges) == 6
    assert topology.entry == "gateway"


def test_service_edges_leave_out_the_client(topology):
    assert ("client", "gateway") not in topology.service_edges
    assert len(topology.service_edges) == 5


def test_a_service_with_no_callers_has_no_edges_into_it():
    manifest = parse_manifest("version: 1\nname: x\nservices:\n  lone: {role: edge}\n")
    topology = Topology.from_manifest(manifest, entry="lone")
    assert topology.edges == (("client", "lone"),)
    assert topology.service_edges == ()


def test_network_fault_on_a_service_acts_on_every_edge_into_it(topology):
    assert set(topology.network_edges("stock")) == {("orders", "stock"), ("search", "stock")}
    assert topology.network_edges("payments") == (("orders", "payments"),)


def test_network_fault_on_the_entry_includes_the_client_edge(topology):
    assert topology.network_edges("gateway") == (("client", "gateway"),)


def test_a_service_nobody_calls_has_no_network_edges():
    manifest = parse_manifest(
        "version: 1\nname: x\nservices:\n  a: {role: edge}\n  cron: {role: worker}\n"
    )
    assert Topology.from_manifest(manifest, entry="a").network_edges("cron") == ()


@pytest.mark.parametrize("target", ["orders->stock", "client->gateway", " orders -> stock "])
def test_network_fault_on_an_edge_acts_on_that_edge_only(topology, target):
    assert topology.network_edges(target) == (parse_edge(target),)


def test_unknown_service_is_one_line_listing_the_services(topology):
    with pytest.raises(ValueError) as caught:
        topology.network_edges("stocks")
    message = str(caught.value)
    assert message == ("no service 'stocks'; services are gateway, orders, search, payments, stock")


@pytest.mark.parametrize("target", ["stock->orders", "client->orders", "gateway->nowhere"])
def test_unknown_edge_is_one_line_listing_the_edges(topology, target):
    with pytest.raises(ValueError) as caught:
        topology.network_edges(target)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"no edge {target} in the system; its edges are ")
    for edge in topology.edges:
        assert edge_name(edge) in message


def test_process_target_is_a_service(topology):
    assert topology.process_target("payments") == "payments"


def test_process_target_refuses_an_edge(topology):
    with pytest.raises(
        ValueError, match=r"^a process fault targets a service, not the edge orders->stock$"
    ):
        topology.process_target("orders->stock")


def test_process_target_refuses_an_unknown_service_and_the_client(topology):
    with pytest.raises(ValueError, match=r"^no service 'client'; services are gateway, "):
        topology.process_target("client")


def test_edge_names_round_trip():
    assert edge_name(("a", "b")) == "a->b"
    assert parse_edge("a->b") == ("a", "b")
    assert parse_edge("booking") is None
