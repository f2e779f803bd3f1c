"""Compiled contact and trust give exactly the results of their references.

Trust: random ties (with and without a place at either end, between rival charities, every
kind of tie, levers as numbers or per tie, trust at and beyond both bounds) must give the same
trust bit for bit and the same ties to break; so must the sector crossings, the relational
capacities and the cross-sector ties each council keeps up; so must the ties found at an
organisation and the tie arrays left when ties are dropped, and the network must add exactly
the ties a tie-by-tie loop adds. Formation is tested in ``test_formation_kernels.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from kernel_cases import organisations, same

from missionsim.model import kernels, network_kernels, ties_kernels
from missionsim.model.state import COUNCIL

CASES = 300

pytestmark = pytest.mark.skipif(not kernels.COMPILED, reason="numba is not in use")


def test_values_kept_for_the_ties_follow_every_change_of_the_ties():
    from missionsim import MissionModel
    from missionsim.model import ties
    from missionsim.model.network import CONTRACT, COORDINATION, FUNDING, PARTNERSHIP
    from missionsim.model.state import COUNCIL as COUNCIL_KIND

    model = MissionModel(preset="small", rng=3, horizon=24)

    def fresh() -> tuple:
        net, o = model.net, model.orgs
        sec = ties.sector_codes(model)
        cross = sec[net.u] != sec[net.v]
        council = (o.kind[net.u] == COUNCIL_KIND) | (o.kind[net.v] == COUNCIL_KIND)
        kept = cross & council & (net.kind != FUNDING) & (net.kind != COORDINATION)
        deg = net.degree(o.n, kept)
        return cross, model.p["tie_cost"] * deg[model.council_slot(np.arange(model.places.n))]

    def check() -> None:
        cross, used = fresh()
        assert same(ties.cross_sector(model), cross)
        assert same(model.tie_capacity_used(), used)

    for _ in range(12):
        check()
        model.step()
    net = model.net
    check()
    partnership = np.flatnonzero(net.kind == PARTNERSHIP)
    net.set_kinds(partnership[:3], np.full(3, CONTRACT))
    check()
    net.remove_edges(np.arange(5))
    check()
    net.add_edges([0, 1], [model.council_slot(0), model.council_slot(1)],
                  [PARTNERSHIP, PARTNERSHIP], [0.5, 0.5])
    check()
    with pytest.raises(ValueError):  # what is kept cannot be changed by a caller
        model.tie_capacity_used()[0] = 1.0


def random_ties(rng: np.random.Generator) -> tuple:
    """The arguments of :func:`ties_kernels.trust` for a random world and month."""
    n_places = int(rng.integers(1, 8))
    n, kind, locality = organisations(rng, n_places, int(rng.integers(0, 40)))
    n_edges = int(rng.choice([0, 1, 3, 30, 400]))
    eu = rng.integers(0, n, n_edges)
    ev = rng.integers(0, n, n_edges)
    sector_of_kind = np.array([0, 1, 2, 0])
    sector_of_kind.setflags(write=False)  # read-only, as the ties module keeps it
    trust = rng.choice([0.0, 1.0, 0.2, rng.random()], n_edges)
    tie_kind = rng.integers(0, 5, n_edges).astype(np.int8)
    cap = rng.choice([0.0, 1.0, rng.random()], n) * rng.random(n)
    u_contact = rng.choice([0.0, 0.5, rng.random()], n_edges)

    def lever() -> float | np.ndarray:
        if rng.random() < 0.5:
            return float(rng.choice([0.0, rng.random()]))
        return rng.random(n_edges)

    y_then = rng.random(n_places)
    y_now = y_then + rng.choice([-0.1, 0.0, 0.1], n_places)
    direction = int(rng.choice([-1, 1]))
    nation = float(rng.choice([0.0, 1.0]))
    par = (float(rng.uniform(-0.2, 1.0)), float(rng.uniform(0.0, 1.5)), float(rng.random()),
           float(rng.uniform(0.0, 2.5)), float(rng.random()), float(rng.uniform(0.0, 0.5)),
           float(rng.uniform(-0.1, 0.5)), float(rng.choice([0.0, 0.5, 1.0])),
           float(rng.choice([0.0, 0.2, rng.random()])))
    return (u_contact, cap, eu, ev, locality, kind, sector_of_kind, trust, tie_kind, lever(),
            lever(), y_now, y_then, direction, nation, par)


def test_trust_gives_the_reference_trust_and_breaks():
    rng = np.random.default_rng(3003)
    broken = clipped = 0
    for case_no in range(CASES):
        args = random_ties(rng)
        ref = ties_kernels.trust(False, *args)
        got = ties_kernels.trust(True, *args)
        for r, g in zip(ref, got, strict=True):
            assert same(g, r), case_no
        broken += ref[1].size
        clipped += int(np.count_nonzero((ref[0] == 0.0) | (ref[0] == 1.0)))
    assert broken > CASES and clipped > CASES  # ties broke and trust met both bounds


def test_cross_sector_and_capacity_give_the_reference_values():
    rng = np.random.default_rng(3004)
    for case_no in range(CASES):
        args = random_ties(rng)
        eu, ev, kind, sector_of_kind = args[2], args[3], args[5], args[6]
        assert same(ties_kernels.cross(True, sector_of_kind, kind, eu, ev),
                    ties_kernels.cross(False, sector_of_kind, kind, eu, ev)), case_no
        council = np.flatnonzero(kind == COUNCIL)
        effective = rng.random(council.size)
        punitive = float(rng.random()) if rng.random() < 0.5 else rng.random(kind.size)
        par = (float(rng.random()), float(rng.uniform(0.5, 1.0)), float(rng.random()))
        assert same(ties_kernels.capacity(True, kind, council, effective, punitive, par),
                    ties_kernels.capacity(False, kind, council, effective, punitive, par)), case_no


def test_council_ties_give_the_reference_counts():
    rng = np.random.default_rng(3005)
    counted = 0
    for case_no in range(CASES):
        args = random_ties(rng)
        eu, ev, kind, tie_kind = args[2], args[3], args[5], args[8]
        sector_of_kind = np.array([0, 1, 2, 0])
        council = np.flatnonzero(kind == COUNCIL)
        ref = ties_kernels.council_ties(False, sector_of_kind, kind, eu, ev, tie_kind, council)
        got = ties_kernels.council_ties(True, sector_of_kind, kind, eu, ev, tie_kind, council)
        assert same(got, ref), case_no
        counted += int(ref.sum())
    assert counted > CASES  # councils did keep ties up


def test_added_ties_are_those_of_a_tie_by_tie_loop():
    from missionsim.model.network import Partnerships

    rng = np.random.default_rng(3007)
    net = Partnerships(np.arange(40) + 100)
    ties_u, ties_v, ties_k, ties_t, index = [], [], [], [], set()
    for case_no in range(CASES):
        k = int(rng.choice([0, 1, 2, 5, 20]))
        us, vs = rng.integers(0, 40, k), rng.integers(0, 40, k)
        vs[: k // 3] = us[: k // 3][::-1]  # reversed and repeated pairs, self-ties
        kinds, trusts = rng.integers(0, 5, k), rng.random(k)
        if rng.random() < 0.3:  # plain lists, as the organisations' agents give them
            us, vs, kinds, trusts = us.tolist(), vs.tolist(), kinds.tolist(), trusts.tolist()
        version = net.version
        added = 0
        for a, b, kd, t in zip(us, vs, kinds, trusts, strict=True):
            key = (min(int(a), int(b)), max(int(a), int(b)))
            if a != b and key not in index:
                index.add(key)
                ties_u.append(key[0])
                ties_v.append(key[1])
                ties_k.append(int(kd))
                ties_t.append(float(t))
                added += 1
        assert net.add_edges(us, vs, kinds, trusts) == added, case_no
        assert net.version == version + (added > 0), case_no
        assert same(net.u, np.array(ties_u, dtype=np.int64)), case_no
        assert same(net.v, np.array(ties_v, dtype=np.int64)), case_no
        assert same(net.kind, np.array(ties_k, dtype=np.int8)), case_no
        assert same(net.trust, np.array(ties_t, dtype=np.float64)), case_no
        assert net._index == index, case_no
    with pytest.raises(ValueError):
        net.add_edges([1, 2], [3], [0, 0], [0.5, 0.5])


def test_ties_found_and_dropped_are_the_reference_arrays():
    rng = np.random.default_rng(3008)
    dropped = 0
    for case_no in range(CASES):
        n = int(rng.choice([0, 1, 5, 300]))
        arrays = (rng.integers(0, 40, n), rng.integers(0, 40, n),
                  rng.integers(0, 5, n).astype(np.int8), rng.random(n))
        slot = int(rng.integers(0, 40))
        ref = network_kernels.touching(False, arrays[0], arrays[1], slot)
        assert same(network_kernels.touching(True, arrays[0], arrays[1], slot), ref), case_no
        idx = ref if rng.random() < 0.5 else np.flatnonzero(rng.random(n) < 0.2)
        ref = network_kernels.drop(False, *arrays, idx)
        got = network_kernels.drop(True, *arrays, idx)
        for r, g in zip(ref, got, strict=True):
            assert same(g, r), case_no
        dropped += n - ref[0].size
    assert dropped > CASES


def test_drain_gives_the_reference_capacities():
    rng = np.random.default_rng(3009)
    for case_no in range(CASES):
        n = int(rng.choice([1, 7, 200]))
        capacity = rng.choice([-0.3, 0.0, 0.5, 1.0, 1.4, rng.random()], n) * rng.random(n)
        used = np.where(rng.random(n) < 0.3, capacity, rng.choice([0.0, 0.2, 2.0], n))
        ref = ties_kernels.drain(False, capacity, used)
        got = ties_kernels.drain(True, capacity, used)
        for r, g in zip(ref, got, strict=True):
            assert same(g, r), case_no
