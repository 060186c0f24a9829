"""The lineage of an artifact version or a run: the runs and versions around it, to a depth.

    graph = lineage(catalog, version)            # or lineage(catalog, RunRef(project, run_id))
    graph.runs(), graph.artifacts()              # the nodes of each kind
    graph = graph.expand(node_id)                # one step further from a node

Edges point the way data flows: a version a run used is ``(artifact -> run, "input")``,
a version it logged is ``(run -> artifact, "output")``, and a registry link is
``(source -> link, "link")``. The walk goes both directions, ``depth`` steps from the
start, and stops adding nodes at ``max_nodes`` (``truncated`` says so). A node whose
neighbours are not all in the graph counts them in ``hidden``: expanding it adds them.
Edges between two nodes already in the graph are always there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

from ..store.base import RunNotFound, Store
from ..store.catalog.base import Catalog
from ..store.catalog.records import RunRef, VersionRecord
from ..textout import counted

MAX_NODES = 200
EXPAND_NODES = 50  # the most one expansion adds, however many nodes the graph has
NodeKind = Literal["run", "artifact"]
EdgeKind = Literal["input", "output", "link"]
RunNames = Callable[[RunRef], str]


@dataclass(frozen=True)
class Node:
    """A run (``run`` set) or an artifact version (``version`` set). ``hidden``: how many
    of its neighbours the graph leaves out (0 once it is expanded)."""

    id: str
    kind: NodeKind
    label: str
    version: VersionRecord | None = None
    run: RunRef | None = None
    hidden: int = 0


@dataclass(frozen=True)
class Edge:
    """``src`` -> ``dst`` by node id: an input, an output or a registry link."""

    src: str
    dst: str
    kind: EdgeKind


def version_id(v: VersionRecord) -> str:
    """A version's node id."""
    return f"artifact:{v.id}"


def run_id(run: RunRef) -> str:
    """A run's node id."""
    return f"run:{run.project}/{run.run_id}"


@dataclass
class Lineage:
    """Runs and artifact versions joined by their edges, nodes in the order found
    (breadth first from ``root``); see the module doc."""

    root: str
    nodes: dict[str, Node]
    edges: list[Edge]
    truncated: bool = False
    catalog: Catalog | None = field(default=None, repr=False, compare=False)
    run_names: RunNames | None = field(default=None, repr=False, compare=False)
    max_nodes: int = MAX_NODES
    # Each node's neighbours as read from the catalog, so that growing the graph reads
    # only the nodes it has not read (a remote catalog answers each read over HTTP).
    known: dict[str, list[tuple[Node, Edge]]] = field(default_factory=dict, repr=False, compare=False)

    def __repr__(self) -> str:
        more = ", truncated" if self.truncated else ""
        runs, versions = counted(len(self.runs()), "run"), counted(len(self.artifacts()), "version")
        return f"<Lineage of {self.root}: {runs}, {versions}{more}>"

    def runs(self) -> list[RunRef]:
        """The runs in the graph."""
        return [n.run for n in self.nodes.values() if n.run is not None]

    def artifacts(self) -> list[VersionRecord]:
        """The artifact versions in the graph."""
        return [n.version for n in self.nodes.values() if n.version is not None]

    def expand(self, node_id: str, depth: int = 1) -> Lineage:
        """A graph that also holds what lies ``depth`` steps from ``node_id``: up to
        ``EXPAND_NODES`` more nodes, past ``max_nodes`` if need be (a click on a node
        of a cut graph still shows its neighbours)."""
        if self.catalog is None:
            raise ValueError("this lineage graph has no catalog to read more from")
        if node_id not in self.nodes:
            raise KeyError(f"no node {node_id!r} in this lineage graph; its nodes: {', '.join(self.nodes)}")
        cap = max(self.max_nodes, len(self.nodes) + EXPAND_NODES)
        walk = _Walk(self.catalog, self.run_names, cap, dict(self.nodes), list(self.edges), self.known)
        walk.truncated = self.truncated
        walk.walk([node_id], depth)
        return replace(walk.graph(self.root), max_nodes=self.max_nodes)


def store_run_names(store: Store | None) -> RunNames:
    """Label a run with its display name in ``store`` (its id when the store has no such run)."""

    def name(run: RunRef) -> str:
        if store is None:
            return run.run_id
        try:
            return store.run(run.project, run.run_id).get("name") or run.run_id
        except RunNotFound:
            return run.run_id

    return name


def lineage(
    catalog: Catalog,
    start: VersionRecord | RunRef,
    depth: int = 2,
    *,
    max_nodes: int = MAX_NODES,
    run_names: RunNames | None = None,
) -> Lineage:
    """The runs and versions within ``depth`` steps of ``start`` (a version or a run),
    at most ``max_nodes`` of them. ``run_names`` labels a run (default: its id)."""
    walk = _Walk(catalog, run_names, max_nodes, {}, [], {})
    root = walk.node(start)
    walk.nodes[root.id] = root
    walk.walk([root.id], depth)
    return walk.graph(root.id)


class _Walk:
    """A breadth-first walk that grows ``nodes`` and ``edges``."""

    def __init__(
        self,
        catalog: Catalog,
        run_names: RunNames | None,
        max_nodes: int,
        nodes: dict[str, Node],
        edges: list[Edge],
        known: dict[str, list[tuple[Node, Edge]]],
    ) -> None:
        self.catalog, self.run_names, self.max_nodes = catalog, run_names, max_nodes
        self.nodes, self.edges, self.known = nodes, edges, dict(known)
        self.seen_edges = {(e.src, e.dst, e.kind) for e in edges}
        self.truncated = False

    def node(self, item: VersionRecord | RunRef) -> Node:
        if isinstance(item, RunRef):
            label = self.run_names(item) if self.run_names else item.run_id
            return Node(run_id(item), "run", label, run=item)
        return Node(version_id(item), "artifact", f"{item.name}:{item.version}", version=item)

    def neighbours(self, node: Node) -> list[tuple[Node, Edge]]:
        """Every node one edge from ``node``, with that edge (read once per node)."""
        if node.id not in self.known:
            self.known[node.id] = self.read(node)
        return self.known[node.id]

    def read(self, node: Node) -> list[tuple[Node, Edge]]:
        c, out = self.catalog, []
        if node.version is not None:
            v = node.version
            if v.source_id is not None:
                src = self.node(c.get(v.source_id))
                out.append((src, Edge(src.id, node.id, "link")))
            elif v.logged_by is not None:
                run = self.node(v.logged_by)
                out.append((run, Edge(run.id, node.id, "output")))
            for used in c.used_by(v.id):
                run = self.node(used)
                out.append((run, Edge(node.id, run.id, "input")))
            for linked in c.links(v.id):
                link = self.node(linked)
                out.append((link, Edge(node.id, link.id, "link")))
        elif node.run is not None:
            for used_v in c.inputs(node.run):
                art = self.node(used_v)
                out.append((art, Edge(art.id, node.id, "input")))
            for logged in c.outputs(node.run):
                art = self.node(logged)
                out.append((art, Edge(node.id, art.id, "output")))
        return out

    def edge(self, e: Edge) -> None:
        if (e.src, e.dst, e.kind) not in self.seen_edges:
            self.seen_edges.add((e.src, e.dst, e.kind))
            self.edges.append(e)

    def walk(self, start: list[str], depth: int) -> None:
        frontier = start
        for _ in range(max(depth, 0)):
            nxt: list[str] = []
            for node_id in frontier:
                for other, e in self.neighbours(self.nodes[node_id]):
                    if other.id not in self.nodes:
                        if len(self.nodes) >= self.max_nodes:
                            self.truncated = True
                            continue
                        self.nodes[other.id] = other
                        nxt.append(other.id)
                    self.edge(e)
            frontier = nxt
        self.count_hidden()

    def count_hidden(self) -> None:
        """Each node's neighbours left out; edges between nodes both present added."""
        for node_id, node in list(self.nodes.items()):
            hidden = 0
            for other, e in self.neighbours(node):
                if other.id in self.nodes:
                    self.edge(e)
                else:
                    hidden += 1
            if hidden != node.hidden:
                self.nodes[node_id] = replace(node, hidden=hidden)

    def graph(self, root: str) -> Lineage:
        return Lineage(
            root, self.nodes, self.edges, self.truncated, self.catalog, self.run_names, self.max_nodes, self.known
        )
