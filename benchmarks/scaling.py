"""How a month's time splits into a part that grows with the posts and a part that does not.

Usage::

    .venv/bin/python benchmarks/scaling.py                    # 6 sizes, 4 rounds, 120 months
    .venv/bin/python benchmarks/scaling.py --rounds 6 --months 60
    .venv/bin/python benchmarks/scaling.py --localities 10,30,153 --no-save

Worlds of England's make-up are built at several sizes: ``MissionModel(preset="england")`` with
``n_localities`` set to each size and ``cohort_total`` scaled with it, so that every locality
is the size of an English authority (at 153 localities this is the ``england`` world; at 30
it is about the ``workshop`` world's size, which has 8 charities a locality rather than 9).
Each is run in this process for ``--months`` months, the sizes in turn and their order
reversed from round to round, after :func:`missionsim.model.kernels.warm`. The least
milliseconds a month over the rounds (the time least disturbed by other work on the machine)
are fitted by least squares (``scipy.stats.linregress``) to

    ms a month = fixed + per post × posts

``fixed`` is what a month costs whatever the world's size: the Python that runs the phases,
calls the compiled passes and the reporters, and NumPy's cost per call. ``per post`` is the
compiled and NumPy work over the posts (and the organisations, ties and places, which grow
with them). The table gives each size's time, the fit's value and each size's µs per
agent-step (agents: posts and operating organisations, as ``profile.py`` counts them), then
the part of the workshop's and England's month that is ``fixed``.

The report is printed as Markdown and kept in ``benchmarks/results/scaling-<date>.md`` and
``.json`` (``--no-save`` keeps nothing); a second run on the same day gets ``-2``, ``-3``, ….
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import statistics
import sys
import time
from pathlib import Path

from configurations import free_stem, markdown_table, package_version

HERE = Path(__file__).resolve().parent
DEFAULT_LOCALITIES = (10, 30, 60, 100, 153, 250)
"""Sizes run by default: from ``small``'s ten localities past England's 153."""
ENGLAND_LOCALITIES = 153
"""England's upper-tier authorities: the ``england`` preset's size."""
WORKSHOP_LOCALITIES = 30
"""The ``workshop`` preset's localities (its cohort per locality is England's)."""


def build(localities: int, seed: int, months: int):
    """An England-like world of ``localities`` places (a cohort per place as England's)."""
    from missionsim import MissionModel
    from missionsim.model.params import resolve

    total = resolve("england")["cohort_total"] * localities / ENGLAND_LOCALITIES
    return MissionModel(preset="england", rng=seed, horizon=months,
                        params={"n_localities": localities, "cohort_total": round(total)})


def measure(localities: list[int], rounds: int, months: int, seed: int) -> dict:
    """Milliseconds a month of each size in each round, with its posts and agents."""
    from missionsim.model import kernels

    kernels.warm()
    out = {k: {"ms": [], "posts": 0, "agents": 0} for k in localities}
    for r in range(rounds):
        for k in (localities if r % 2 == 0 else localities[::-1]):
            model = build(k, seed + r, months)
            start = time.perf_counter()
            model.run(months)
            out[k]["ms"].append(1e3 * (time.perf_counter() - start) / months)
            out[k]["posts"] = int(model.staff.n)
            out[k]["agents"] = int(model.staff.n + model.orgs.active.sum())
        print(f"round {r + 1}/{rounds}: " + ", ".join(
            f"{k}: {out[k]['ms'][-1]:.2f} ms" for k in localities), file=sys.stderr)
    return out


def report(data: dict, months: int, rounds: int) -> tuple[str, dict]:
    """The Markdown report and the fit."""
    from scipy.stats import linregress

    sizes = sorted(data)
    least = [min(data[k]["ms"]) for k in sizes]
    posts = [data[k]["posts"] for k in sizes]
    fit = linregress(posts, least)
    fixed, per_post = float(fit.intercept), float(fit.slope)
    rows = []
    for k, ms, n in zip(sizes, least, posts, strict=True):
        agents = data[k]["agents"]
        rows.append([f"{k}", f"{n:,}", f"{agents:,}", f"{ms:.3f}",
                     f"{statistics.median(data[k]['ms']):.3f}", f"{fixed + per_post * n:.3f}",
                     f"{1e3 * ms / agents:.3f}", f"{fixed / ms:.0%}"])
    lines = [f"## Month time by size ({months} months, {rounds} rounds, least of the rounds)", "",
             markdown_table(["localities", "posts", "agents", "least ms a month", "median ms",
                             "fit ms", "µs per agent-step", "fixed share"], rows, "rrrrrrrr"),
             "", f"Fit (least squares over the sizes): **{fixed:.3f} ms a month** whatever the "
             f"size, plus **{1e3 * per_post:.4f} µs a post** (r² = {fit.rvalue ** 2:.3f}; "
             f"standard errors {fit.intercept_stderr:.3f} ms and "
             f"{1e3 * fit.stderr:.4f} µs)."]
    summary = {"fixed_ms": fixed, "per_post_us": 1e3 * per_post, "r2": fit.rvalue ** 2,
               "fixed_ms_stderr": fit.intercept_stderr, "per_post_us_stderr": 1e3 * fit.stderr}
    for name, k in (("workshop", WORKSHOP_LOCALITIES), ("england", ENGLAND_LOCALITIES)):
        if k in data:
            ms, agents = min(data[k]["ms"]), data[k]["agents"]
            without = max(ms - fixed, 0.0)
            summary[name] = {"ms": ms, "fixed_share": fixed / ms,
                             "us_per_agent_step": 1e3 * ms / agents,
                             "us_per_agent_step_without_fixed": 1e3 * without / agents}
            lines.append(f"- **{name}** ({k} localities): {ms:.3f} ms a month, of which the "
                         f"fixed part is {fixed / ms:.0%}; without it "
                         f"{1e3 * without / agents:.3f} µs per agent-step (with it "
                         f"{1e3 * ms / agents:.3f}).")
    return "\n".join(lines), summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--localities", default=",".join(map(str, DEFAULT_LOCALITIES)),
                        help="Sizes to run, in localities (comma-separated).")
    parser.add_argument("--rounds", type=int, default=4, help="Rounds over the sizes.")
    parser.add_argument("--months", type=int, default=120, help="Months a run.")
    parser.add_argument("--seed", type=int, default=1, help="Seed of the first round.")
    parser.add_argument("--out", type=Path, default=HERE / "results",
                        help="Folder the report is kept in.")
    parser.add_argument("--no-save", action="store_true", help="Keep no report.")
    args = parser.parse_args(argv)
    try:
        sizes = sorted({int(k) for k in args.localities.split(",")})
    except ValueError:
        parser.error(f"--localities {args.localities}: expected whole numbers, comma-separated")
    if len(sizes) < 2 or sizes[0] < 1:
        parser.error(f"--localities {args.localities}: expected two sizes or more, each ≥ 1")
    if args.rounds < 1 or args.months < 1:
        parser.error("--rounds and --months: expected whole numbers ≥ 1")
    data = measure(sizes, args.rounds, args.months, args.seed)
    text, summary = report(data, args.months, args.rounds)
    machine = {"date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
               "python": platform.python_version(), "platform": platform.platform(),
               "missionsim": package_version("missionsim"), "numpy": package_version("numpy"),
               "numba": package_version("numba"), "mesa": package_version("mesa")}
    text += "\n\n" + ", ".join(f"{k} {v}" for k, v in machine.items())
    print(text)
    if not args.no_save:
        args.out.mkdir(parents=True, exist_ok=True)
        dest = args.out / free_stem(args.out, f"scaling-{machine['date'][:10]}")
        dest.with_suffix(".md").write_text(text + "\n")
        dest.with_suffix(".json").write_text(json.dumps(
            {"machine": machine, "months": args.months, "rounds": args.rounds,
             "sizes": {str(k): v for k, v in data.items()}, "fit": summary}, indent=2) + "\n")
        print(f"\nkept in {dest.with_suffix('.md')} and .json", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
