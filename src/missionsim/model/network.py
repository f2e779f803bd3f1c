"""The partnership network: ties between organisations that form, strengthen, erode and break.

The networkx graph ``Partnerships.graph`` is what users see (``model.partnerships``): nodes are
organisation ids with attributes ``sector``, ``locality``, ``kind``; edges carry ``kind``
("funding", "contract", "partnership", "coordination", and "neighbour" between councils that
are statistical neighbours on a world built from a places file) and ``trust``. For speed the
ties live in NumPy arrays (endpoints as organisation slots, trust, kind code) that the monthly
update works on; the graph's nodes follow the organisations as they open and close, and its
edges are drawn from the arrays when the graph is read (``model.partnerships`` calls
:meth:`Partnerships.sync_trust`), so a reader never sees the two differ and a month pays
nothing for the graph.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from missionsim.model import network_kernels
from missionsim.model.compiled import COMPILED

EDGE_KINDS = ("funding", "contract", "partnership", "coordination", "neighbour")
FUNDING, CONTRACT, PARTNERSHIP, COORDINATION, NEIGHBOUR = range(5)  # structural: the tie kinds


class Partnerships:
    """Ties between organisation slots, mirrored in a networkx graph.

    Args:
        node_ids: Graph node id of each organisation slot.
    """

    def __init__(self, node_ids: np.ndarray) -> None:
        self.graph = nx.Graph()
        self.node_ids = node_ids
        self.u = np.zeros(0, dtype=np.int64)
        self.v = np.zeros(0, dtype=np.int64)
        self.kind = np.zeros(0, dtype=np.int8)
        self.trust = np.zeros(0, dtype=np.float64)
        self._index: set[tuple[int, int]] = set()
        self.version = 0  # counts changes to the ties (not to trust): keys memo()
        self._memo: dict[str, tuple[int, np.ndarray]] = {}

    def memo(self, name: str, compute) -> np.ndarray:
        """``compute()``, kept (read-only) until the ties change: who is tied, and how.

        For values of the ties' ends and kinds only (never of trust), which a month asks for
        several times between changes.
        """
        kept = self._memo.get(name)
        if kept is not None and kept[0] == self.version:
            return kept[1]
        value = compute()
        value.setflags(write=False)
        self._memo[name] = (self.version, value)
        return value

    # --- structure ------------------------------------------------------------------------
    def add_node(self, index: int, **attrs) -> None:
        """Add organisation slot ``index`` to the graph with its attributes."""
        self.graph.add_node(int(self.node_ids[index]), **attrs)

    def remove_node(self, slot: int) -> None:
        """Remove organisation ``slot`` and all its ties."""
        self.remove_edges(self.edges_of(slot))
        node = int(self.node_ids[slot])
        if self.graph.has_node(node):
            self.graph.remove_node(node)

    def has_edge(self, a: int, b: int) -> bool:
        """Whether slots ``a`` and ``b`` are tied."""
        return (min(a, b), max(a, b)) in self._index

    def add_edges(self, us, vs, kinds, trusts) -> int:
        """Add ties (skipping self-ties and ties that already exist); return how many.

        A tie is kept with its lower slot first; a tie given twice is added once, the first
        time.
        """
        us, vs = np.asarray(us, dtype=np.int64), np.asarray(vs, dtype=np.int64)
        kinds, trusts = np.asarray(kinds, dtype=np.int8), np.asarray(trusts, dtype=np.float64)
        if not us.size == vs.size == kinds.size == trusts.size:
            raise ValueError("add_edges: the ends, kinds and trusts differ in length")
        lo, hi = np.minimum(us, vs), np.maximum(us, vs)
        index = self._index
        kept = []
        for i, key in enumerate(zip(lo.tolist(), hi.tolist(), strict=True)):
            if key[0] != key[1] and key not in index:
                index.add(key)
                kept.append(i)
        if not kept:
            return 0
        if len(kept) < lo.size:
            lo, hi, kinds, trusts = lo[kept], hi[kept], kinds[kept], trusts[kept]
        self.version += 1
        self.u = np.concatenate([self.u, lo])
        self.v = np.concatenate([self.v, hi])
        self.kind = np.concatenate([self.kind, kinds])
        self.trust = np.concatenate([self.trust, trusts])
        return len(kept)

    def remove_edges(self, idx: np.ndarray) -> None:
        """Remove the ties at array positions ``idx``."""
        idx = np.asarray(idx, dtype=np.int64)
        if idx.size == 0:
            return
        self._index.difference_update(zip(self.u[idx].tolist(), self.v[idx].tolist(), strict=True))
        self.version += 1
        self.u, self.v, self.kind, self.trust = network_kernels.drop(
            COMPILED, self.u, self.v, self.kind, self.trust, idx)

    def edges_of(self, slot: int) -> np.ndarray:
        """Array positions of the ties touching ``slot``."""
        return network_kernels.touching(COMPILED, self.u, self.v, slot)

    def set_kinds(self, idx: np.ndarray, kinds: np.ndarray) -> None:
        """Change the kind of the ties at array positions ``idx``."""
        self.version += 1
        self.kind[np.asarray(idx, dtype=np.int64)] = kinds

    def sync_trust(self) -> None:
        """Draw the graph's edges afresh from the arrays, with their kind and trust."""
        ids = self.node_ids
        self.graph.remove_edges_from(list(self.graph.edges))
        self.graph.add_edges_from(
            (int(ids[a]), int(ids[b]), {"kind": EDGE_KINDS[k], "trust": t})
            for a, b, k, t in zip(self.u.tolist(), self.v.tolist(), self.kind.tolist(),
                                  self.trust.tolist(), strict=True))

    # --- queries --------------------------------------------------------------------------
    @property
    def n_edges(self) -> int:
        """Number of ties."""
        return int(self.u.size)

    def degree(self, n_slots: int, mask: np.ndarray | None = None) -> np.ndarray:
        """Number of ties per slot, counting only the ties in ``mask`` if given."""
        u, v = (self.u, self.v) if mask is None else (self.u[mask], self.v[mask])
        return np.bincount(u, minlength=n_slots) + np.bincount(v, minlength=n_slots)

    def trust_sum(self, n_slots: int, mask: np.ndarray | None = None) -> np.ndarray:
        """Sum of trust on the ties of each slot, counting only ties in ``mask`` if given."""
        if mask is None:
            mask = np.ones(self.u.size, dtype=bool)
        t = self.trust[mask]
        return (np.bincount(self.u[mask], weights=t, minlength=n_slots)
                + np.bincount(self.v[mask], weights=t, minlength=n_slots))

    def neighbours(self, slot: int) -> np.ndarray:
        """Slots tied to ``slot``."""
        idx = self.edges_of(slot)
        return np.where(self.u[idx] == slot, self.v[idx], self.u[idx])
