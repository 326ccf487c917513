"""The system as fault targets: its services and the edges between them.

An edge is a (caller, callee) pair, written ``caller->callee``; the workload's traffic into
the entry service is the edge ``client->entry``. A fault target is a service or an edge.
"""

from __future__ import annotations

from dataclasses import dataclass

from stormproof.manifest import Manifest
from stormproof.manifest.chaos import CLIENT

Edge = tuple[str, str]
ARROW = "->"


def edge_name(edge: Edge) -> str:
    return f"{edge[0]}{ARROW}{edge[1]}"


def parse_edge(text: str) -> Edge | None:
    """``"a->b"`` as ("a", "b"); None when ``text`` is not an edge."""
    caller, arrow, callee = text.partition(ARROW)
    if not arrow:
        return None
    return caller.strip(), callee.strip()


@dataclass(frozen=True)
class Topology:
    services: tuple[str, ...]
    edges: tuple[Edge, ...]
    entry: str

    @classmethod
    def from_manifest(cls, manifest: Manifest, entry: str) -> Topology:
        edges = [(caller, callee) for caller, s in manifest.services.items() for callee in s.calls]
        return cls(tuple(manifest.services), ((CLIENT, entry), *edges), entry)

    @property
    def service_edges(self) -> tuple[Edge, ...]:
        """Every edge between two services (the client's edge left out)."""
        return tuple(edge for edge in self.edges if edge[0] != CLIENT)

    def edges_into(self, service: str) -> tuple[Edge, ...]:
        return tuple(edge for edge in self.edges if edge[1] == service)

    def network_edges(self, target: str) -> tuple[Edge, ...]:
        """The proxied edges a network fault on ``target`` acts on; raises ValueError."""
        edge = parse_edge(target)
        if edge is None:
            self._require_service(target)
            return self.edges_into(target)
        if edge not in self.edges:
            known = ", ".join(edge_name(e) for e in self.edges)
            raise ValueError(f"no edge {edge_name(edge)} in the system; its edges are {known}")
        return (edge,)

    def process_target(self, target: str) -> str:
        """The service a process fault on ``target`` acts on; raises ValueError."""
        if parse_edge(target) is not None:
            raise ValueError(f"a process fault targets a service, not the edge {target}")
        self._require_service(target)
        return target

    def _require_service(self, name: str) -> None:
        if name not in self.services:
            raise ValueError(f"no service '{name}'; services are {', '.join(self.services)}")
