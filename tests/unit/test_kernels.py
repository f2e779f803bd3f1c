"""The compiled staff passes give exactly the results of the NumPy passes they replace.

Random establishments (employers with and without posts, every post status, tenures full of
ties, cuts to zero, growth past the spare posts, repeated employers) go through the compiled
kernel, its NumPy reference, and the model's ``set_establishment`` next to the method as it
was before the kernel (kept here verbatim as the reference), and must leave identical arrays.
Random months of the workforce (posts of every status, morale at and past its bounds, draws
at the thresholds, hiring freezes) go through the two workforce kernels and their NumPy
references; whole runs of the ``small`` and ``workshop`` presets with the kernels and with
the NumPy passes must leave identical staff arrays and reporters.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from missionsim.model import kernels
from missionsim.model.agents import StaffAgents
from missionsim.model.organisations import Organisations
from missionsim.model.state import FILLED, UNFUNDED, VACANT, StaffArrays

CASES = 400


def original_set_establishment(self, slots: np.ndarray, targets: np.ndarray) -> None:
    """``Organisations.set_establishment`` as it was before the compiled kernel (reference)."""
    s = self.staff
    slots = np.asarray(slots, dtype=np.int64)
    targets = np.maximum(np.asarray(targets, dtype=np.int64), 0)
    funded = s.funded_by_org(self.orgs.n)[slots]
    change = targets - funded
    if not change.any():
        return
    changing = np.zeros(max(self.orgs.n, int(s.org.max(initial=0)) + 1), dtype=bool)
    changing[slots[change != 0]] = True
    mine = np.flatnonzero(changing[s.org])
    order = mine[np.argsort(s.org[mine], kind="stable")]
    starts = np.searchsorted(s.org[order], slots, side="left")
    ends = np.searchsorted(s.org[order], slots, side="right")
    new_org: list[int] = []
    for i in np.flatnonzero(change):
        posts = order[starts[i]:ends[i]]
        d = int(change[i])
        if d < 0:
            st = s.status[posts]
            live = posts[st != UNFUNDED]
            # vacant first (status 1 < 2), then shortest tenure
            key = np.lexsort((s.tenure[live], s.status[live]))
            s.status[live[key[:-d]]] = UNFUNDED
        else:
            spare = posts[s.status[posts] == UNFUNDED][:d]
            s.status[spare] = VACANT
            new_org.extend([int(slots[i])] * (d - spare.size))
    if new_org:
        orgs = np.array(new_org, dtype=np.int64)
        pool = np.flatnonzero(s.status == UNFUNDED)[: orgs.size]
        s.org[pool] = orgs[: pool.size]
        s.loc[pool] = self.orgs.locality[orgs[: pool.size]]
        s.status[pool] = VACANT
        orgs = orgs[pool.size:]
    if new_org and orgs.size:
        new = s.append(orgs, self.orgs.locality[orgs])
        s.status[new] = VACANT
        self.staff_views.open(new)
    s.funding_changed()


def random_world(rng: np.random.Generator, big: bool = False) -> SimpleNamespace:
    """A model-shaped namespace: employers, their localities and a staff of random posts."""
    n_orgs = int(rng.integers(1, 200 if big else 12))
    n_posts = int(rng.integers(0, 5000 if big else 60))
    # some employers have no posts at all
    employers = rng.choice(n_orgs, size=int(rng.integers(1, n_orgs + 1)), replace=False)
    org = np.sort(rng.choice(employers, size=n_posts)) if rng.random() < 0.3 else \
        rng.choice(employers, size=n_posts)
    locality = rng.integers(-1, 5, size=n_orgs)
    staff = StaffArrays()
    staff.append(org, locality[org])
    staff.status[:] = rng.choice([UNFUNDED, VACANT, FILLED], size=n_posts, p=rng.dirichlet(
        np.ones(3)))
    # tenures all equal, with many ties, or nearly all distinct
    staff.tenure[:] = rng.integers(0, int(rng.choice([1, 3, 8, 1000])), size=n_posts)
    staff.skill[:] = rng.random(n_posts)
    staff.funding_changed()
    views = StaffAgents(SimpleNamespace(agent_id_counter=1))  # ids only: no agent is read
    views.open(np.arange(n_posts))
    return SimpleNamespace(staff=staff, orgs=SimpleNamespace(n=n_orgs, locality=locality),
                           staff_views=views)


def random_change(rng: np.random.Generator, world: SimpleNamespace) -> tuple:
    """Employers to change (some repeated, some without posts) and their targets."""
    n = world.orgs.n
    funded = world.staff.funded_by_org(n)
    slots = rng.choice(n, size=int(rng.integers(1, n + 1)), replace=False)
    if rng.random() < 0.15:
        slots = np.concatenate([slots, rng.choice(slots, size=int(rng.integers(1, 4)))])
    targets = funded[slots] + rng.integers(-8, 12, size=slots.size)
    targets[rng.random(slots.size) < 0.2] = 0  # cuts to zero
    targets[rng.random(slots.size) < 0.2] += int(rng.integers(0, 40))  # growth past spares
    targets[rng.random(slots.size) < 0.2] -= 50  # below zero (the caller clips)
    return slots, targets


def staff_arrays(world: SimpleNamespace) -> dict:
    return {name: getattr(world.staff, name) for name, _ in StaffArrays._FIELDS}


def grouped_kernel(org, loc, status, tenure, locality, funded, slots, change):
    """The compiled change, given the posts grouped by employer as ``org`` stands."""
    return kernels._establishment_kernel(org, loc, status, tenure, locality, funded, slots,
                                         change, *kernels.posts_by_employer(org, funded.size))


def test_posts_by_employer_groups_every_post_in_post_order():
    rng = np.random.default_rng(20261202)
    for case in range(CASES):
        n_orgs = int(rng.integers(1, 40))
        org = rng.integers(-2, n_orgs + 3, size=int(rng.choice([0, 1, 7, 500])))
        first, posts = kernels.posts_by_employer(org, n_orgs)
        assert first.size == n_orgs + 1 and first[0] == 0, case
        for o in range(n_orgs):
            np.testing.assert_array_equal(posts[first[o]:first[o + 1]], np.flatnonzero(org == o),
                                          err_msg=str(case))
        assert posts.size == np.count_nonzero((org >= 0) & (org < n_orgs)), case
        if kernels.COMPILED:  # the NumPy grouping, as used without numba, agrees
            order = np.argsort(org, kind="stable")
            inside = order[(org[order] >= 0) & (org[order] < n_orgs)]
            np.testing.assert_array_equal(posts, inside, err_msg=str(case))


@pytest.mark.parametrize("big", [False, True], ids=["small", "large"])
def test_the_kernel_gives_the_reference_result(big):
    rng = np.random.default_rng(20261201 + big)
    moves = []
    for case in range(CASES if not big else CASES // 20):
        world = random_world(rng, big)
        slots, targets = random_change(rng, world)
        s = world.staff
        funded = s.funded_by_org(world.orgs.n)
        change = np.maximum(targets, 0) - funded[slots]
        results = []
        for fn in (kernels.establishment_reference, grouped_kernel):
            arrays = {k: v.copy() for k, v in staff_arrays(world).items()}
            counts = funded.copy()
            extra, moved = fn(arrays["org"], arrays["loc"], arrays["status"], arrays["tenure"],
                              world.orgs.locality, counts, slots, change)
            results.append((arrays, counts, extra))
            moves.append(moved)
        (ref, ref_counts, ref_extra), (got, got_counts, got_extra) = results
        # every post whose employer changed was moved (one could move back to its own)
        assert moves[-1] == moves[-2] >= np.count_nonzero(got["org"] != s.org), case
        for name in ref:
            np.testing.assert_array_equal(got[name], ref[name], err_msg=f"{case}: {name}")
            assert got[name].dtype == ref[name].dtype
        np.testing.assert_array_equal(got_extra, ref_extra, err_msg=str(case))
        np.testing.assert_array_equal(got_counts, ref_counts, err_msg=str(case))
        # the counts kept equal a fresh count, the posts still to append included
        fresh = np.bincount(np.concatenate([got["org"][got["status"] != UNFUNDED], got_extra]),
                            minlength=funded.size)
        np.testing.assert_array_equal(got_counts, fresh, err_msg=str(case))


def test_set_establishment_gives_the_original_result():
    rng = np.random.default_rng(16)
    grew = cut = kept_calls = 0
    for case in range(CASES):
        world = random_world(rng)
        before = copy.deepcopy(world)
        for _ in range(int(rng.integers(1, 4))):  # a few changes in a row, as in a month
            slots, targets = random_change(rng, world)
            mirror = copy.deepcopy(world)
            Organisations.set_establishment(world, slots, targets)
            original_set_establishment(mirror, slots, targets)
            for name, ref in staff_arrays(mirror).items():
                got = getattr(world.staff, name)
                np.testing.assert_array_equal(got, ref, err_msg=f"{case}: {name}")
                assert got.dtype == ref.dtype
            np.testing.assert_array_equal(world.staff_views.ids, mirror.staff_views.ids)
            kept = world.staff.by_employer  # the grouping kept for the next change holds
            if kept is not None:
                fresh = kernels.posts_by_employer(world.staff.org, kept[0].size - 1)
                np.testing.assert_array_equal(kept[0], fresh[0], err_msg=str(case))
                np.testing.assert_array_equal(kept[1], fresh[1], err_msg=str(case))
                kept_calls += 1
            assert world.staff_views.ids.size == world.staff.n
            n = world.orgs.n
            kept = world.staff.funded_by_org(n)
            np.testing.assert_array_equal(kept, mirror.staff.funded_by_org(n))
            assert not kept.flags.writeable
        grew += world.staff.n > before.staff.n
        cut += world.staff.funded_count() < before.staff.funded_count()
    assert grew > CASES // 10 and cut > CASES // 10  # both directions were exercised
    assert kept_calls > CASES // 10 or not kernels.COMPILED  # changes in a row kept a grouping


def test_a_change_of_nothing_leaves_everything_alone():
    world = random_world(np.random.default_rng(3))
    world.staff.funded_by_org(world.orgs.n)
    before = copy.deepcopy(world)
    slots = np.arange(world.orgs.n)
    Organisations.set_establishment(world, slots, world.staff.funded_by_org(world.orgs.n)[slots])
    for name, ref in staff_arrays(before).items():
        np.testing.assert_array_equal(getattr(world.staff, name), ref)


def test_the_kept_counts_are_trimmed_like_a_fresh_count():
    s = StaffArrays()
    s.append(np.array([0, 5, 5]), np.zeros(3, dtype=np.int64))
    s.status[:] = VACANT
    counts = s.funded_by_org(3).copy()
    assert counts.size == 6
    counts[5] = 0
    s.funding_known(counts, 3)
    assert s.funded_by_org(3).size == 3


def test_without_numba_the_model_takes_the_numpy_path_with_the_same_results():
    probe = ("import sys\n"
             "sys.modules['numba'] = None  # numba cannot be imported\n"
             "from missionsim.model import kernels\n"
             "from missionsim import MissionModel\n"
             "assert not kernels.COMPILED\n"
             "m = MissionModel(preset='small', rng=4, horizon=24)\n"
             "m.run()\n"
             "print(m.datacollector.get_model_vars_dataframe().to_json())\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, timeout=300).stdout
    from missionsim import MissionModel

    m = MissionModel(preset="small", rng=4, horizon=24)
    m.run()
    assert out.strip() == m.datacollector.get_model_vars_dataframe().to_json()


# --- workforce.update -------------------------------------------------------------------------
def random_staff_month(rng: np.random.Generator) -> dict:
    """Random posts, draws and parameters for a month of the workforce, edge cases included."""
    n = int(rng.integers(0, 300))
    n_orgs, n_places = int(rng.integers(1, 20)), int(rng.integers(1, 10))

    def unit(size: int, lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
        x = rng.uniform(lo, hi, size)
        x[rng.random(size) < 0.05] = 0.0
        x[rng.random(size) < 0.05] = 1.0
        return x

    morale = unit(n)
    morale[rng.random(n) < 0.02] = -0.0
    return {
        "status": rng.choice(np.array([UNFUNDED, VACANT, FILLED], dtype=np.int8), size=n),
        "skill": unit(n), "morale": morale, "tenure": rng.integers(0, 200, size=n),
        "org": rng.integers(0, n_orgs, size=n), "loc": rng.integers(0, n_places, size=n),
        "u": unit(n),
        "target": unit(n, -0.1, 1.1), "noise": rng.normal(0.0, 1.0, n) * rng.choice([0, 1, 5]),
        "kind": rng.integers(0, 4, size=n_orgs).astype(np.int8),
        "capacity": unit(n_places), "reserves": rng.choice([0.0, 0.25, 0.5, 1.0, 3.0], n_orgs),
        "months": float(rng.choice([1.0, 3.0, 6.0, 36.0])),
        "noise_sd": float(rng.choice([0.0, 0.01, 0.3])),
        "turnover": float(rng.uniform(0.0, 8.0)), "reference": float(rng.uniform(0.0, 1.0)),
        "hazard_par": (float(rng.uniform(0.0, 0.5)), float(rng.choice([0.5, 1.0, 2.0])),
                       float(rng.choice([0.05, 0.5, 1.0]))),
        "fill_par": (float(rng.uniform(0.0, 1.0)), float(rng.uniform(0.0, 1.0)),
                     float(rng.uniform(0.2, 2.0)), float(rng.choice([0.0, 0.5, 1.0]))),
        "hire_par": (float(rng.uniform(0.0, 1.0)), float(rng.uniform(0.0, 1.0)),
                     float(rng.uniform(0.5, 1.0)), float(rng.uniform(0.0, 0.3)),
                     float(rng.choice([1.0, 12.0, 36.0]))),
    }


def run_staff_month(case: dict, turnover_fn) -> tuple:
    """Morale, then the turnover pass, on copies of ``case``'s arrays: the arrays and counts."""
    c = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in case.items()}
    kernels.morale_reference(c["morale"], c["target"], c["noise"], c["months"], c["noise_sd"])
    counts = turnover_fn(c["status"], c["skill"], c["morale"], c["tenure"], c["org"], c["loc"],
                         c["u"], c["target"], c["noise"], c["kind"], c["capacity"],
                         c["reserves"], (*c["hazard_par"], c["turnover"], c["reference"]),
                         c["fill_par"], c["hire_par"])
    return c, counts


@pytest.mark.skipif(not kernels.COMPILED, reason="numba is not in use")
def test_the_workforce_kernels_give_the_reference_result():
    rng = np.random.default_rng(1612)
    quits = hires = 0
    for case_no in range(CASES):
        case = random_staff_month(rng)
        ref, ref_counts = run_staff_month(case, kernels.turnover_reference)
        got, got_counts = run_staff_month(case, kernels._turnover_kernel)
        for name in ("status", "skill", "morale", "tenure"):
            np.testing.assert_array_equal(got[name], ref[name], err_msg=f"{case_no}: {name}")
            assert got[name].dtype == ref[name].dtype
        # bit for bit, the sign of zero included
        assert got["morale"].tobytes() == ref["morale"].tobytes(), case_no
        assert got["skill"].tobytes() == ref["skill"].tobytes(), case_no
        assert tuple(got_counts[:3]) == tuple(ref_counts[:3]), case_no
        *_, sums, outside = got_counts
        assert outside == (ref_counts[3] is None), case_no
        if not outside:  # the sums by employer of the posts now in post
            for g, r in zip(sums, ref_counts[3], strict=True):
                assert g.dtype == r.dtype and g.tobytes() == r.tobytes(), case_no
        quits += ref_counts[0]
        hires += ref_counts[2]
    assert quits > CASES and hires > CASES  # both moves were exercised


def model_state(model) -> dict:
    """Every staff array, the staff counters and the recorded reporters of ``model``."""
    s = model.staff
    out = {name: getattr(s, name).copy() for name, _ in StaffArrays._FIELDS}
    out["counters"] = (s.quits, s.hires, s.quits_month, s.filled_before)
    out["reporters"] = model.datacollector.get_model_vars_dataframe()
    return out


@pytest.mark.skipif(not kernels.COMPILED, reason="numba is not in use")
@pytest.mark.parametrize("preset", ["small", "workshop"])
def test_the_compiled_workforce_month_gives_the_numpy_result(preset, monkeypatch):
    from missionsim import MissionModel

    runs = []
    for compiled in (True, False):
        monkeypatch.setattr(kernels, "COMPILED", compiled)
        model = MissionModel(preset=preset, rng=7, horizon=60)
        model.run()
        runs.append(model_state(model))
    got, ref = runs
    for name, _ in StaffArrays._FIELDS:
        assert got[name].tobytes() == ref[name].tobytes(), name
        assert got[name].dtype == ref[name].dtype
    assert got["counters"] == ref["counters"]
    assert got["reporters"].to_json() == ref["reporters"].to_json()
    assert got["reporters"].equals(ref["reporters"])
