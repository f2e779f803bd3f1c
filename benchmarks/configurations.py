"""Benchmark configurations and performance targets (data only).

Each configuration is run ``repeats`` times, each repeat in a fresh Python process with
seed ``seed + i``.  ``steps`` is the number of model steps timed in a full run and
``quick_steps`` the number used by ``run.py --quick`` (which also uses one repeat).

``kind`` selects what is built:

* ``"missionsim"``: ``MissionModel(preset=..., rng=seed)``, then ``model.run(steps)``.
* ``"boltzmann"``: Mesa's Boltzmann wealth example as shipped with Mesa,
  ``BoltzmannWealth(BoltzmannScenario(n=..., width=..., height=..., rng=seed))``, then
  ``model.step()`` ``steps`` times (each step also collects data, as in the example).
"""

CONFIGURATIONS = {
    "england": {
        "kind": "missionsim",
        "description": "England: 153 localities, ~29,000 frontline staff",
        "parameters": {"preset": "england"},
        "steps": 120,
        "quick_steps": 24,
        "repeats": 5,
        "seed": 1,
    },
    "england_councils": {
        "kind": "missionsim",
        "description": "England's 152 real councils from the shipped places file",
        "parameters": {"preset": "england_councils"},
        "steps": 120,
        "quick_steps": 24,
        "repeats": 3,
        "seed": 1,
    },
    "workshop": {
        "kind": "missionsim",
        "description": "Workshop: 30 localities",
        "parameters": {"preset": "workshop"},
        "steps": 120,
        "quick_steps": 24,
        "repeats": 3,
        "seed": 1,
    },
    "england_end": {
        "kind": "missionsim",
        "description": "England, recording the reporters at the last month only "
                       "(record_months)",
        "parameters": {"preset": "england", "record_months": [120]},
        "steps": 120,
        "quick_steps": 24,
        "repeats": 3,
        "seed": 1,
    },
    "workshop_end": {
        "kind": "missionsim",
        "description": "Workshop, recording the reporters at the last month only "
                       "(record_months)",
        "parameters": {"preset": "workshop", "record_months": [120]},
        "steps": 120,
        "quick_steps": 24,
        "repeats": 3,
        "seed": 1,
    },
    "boltzmann": {
        "kind": "boltzmann",
        "description": "Mesa Boltzmann wealth example (reference)",
        "parameters": {"n": 10000, "width": 100, "height": 100},
        "steps": 50,
        "quick_steps": 10,
        "repeats": 5,
        "seed": 1,
    },
}

# Metrics (per configuration, median over repeats):
#   build_s            construction time, seconds
#   run_s              time for all steps, seconds
#   ms_per_step        run_s / steps, milliseconds
#   us_per_agent_step  run_s / (steps * mean(agents at start, agents at end)), microseconds
#   peak_rss_mb        peak resident set size of the worker process, MB
#
# A target compares ``metric`` of ``config`` with ``limit`` using ``op``.  When
# ``reference`` is given, the value compared is ``metric`` of ``reference`` divided by
# ``metric`` of ``config`` (how many times cheaper ``config`` is than ``reference``), taken
# round by round (the repeats of a round run one after the other) and the median of the
# rounds' ratios compared.
TARGETS = {
    # the targets of "Studies five times faster" (issue 16), as ratios and limits
    "england_us_per_agent_step": {
        "description": "england ≤ 0.06 µs per agent-step",
        "config": "england",
        "metric": "us_per_agent_step",
        "op": "<=",
        "limit": 0.06,
        "unit": "µs",
    },
    "england_vs_boltzmann": {
        "description": "england ≥ 100× cheaper per agent-step than boltzmann",
        "config": "england",
        "reference": "boltzmann",
        "metric": "us_per_agent_step",
        "op": ">=",
        "limit": 100.0,
        "unit": "×",
    },
    "england_peak_rss": {
        "description": "england peak RSS ≤ 400 MB",
        "config": "england",
        "metric": "peak_rss_mb",
        "op": "<=",
        "limit": 400.0,
        "unit": "MB",
    },
    "england_build": {
        "description": "england build ≤ 0.3 s",
        "config": "england",
        "metric": "build_s",
        "op": "<=",
        "limit": 0.3,
        "unit": "s",
    },
    "england_councils_build": {
        "description": "england_councils build ≤ 0.3 s, reading and checking the places file "
                       "included (England's build limit; its 10% more posts and the file's "
                       "read make it dearer than england's drawn world)",
        "config": "england_councils",
        "metric": "build_s",
        "op": "<=",
        "limit": 0.3,
        "unit": "s",
    },
    "workshop_step": {
        "description": "workshop ≤ 20 ms per step",
        "config": "workshop",
        "metric": "ms_per_step",
        "op": "<=",
        "limit": 20.0,
        "unit": "ms",
    },
}


def package_version(dist: str) -> str:
    """Installed version of a distribution, or "not installed"."""
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def markdown_table(header: list[str], rows: list[list[str]], align: str) -> str:
    """A Markdown table; ``align`` has one character (l/r) per column."""
    marks = {"l": ":---", "r": "---:"}
    lines = ["| " + " | ".join(header) + " |",
             "| " + " | ".join(marks[a] for a in align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def write_record(path, fields: dict) -> None:
    """Write ``fields`` as JSON to ``path``, after the date and the machine they were taken on."""
    import datetime
    import json
    import os
    import platform

    record = {"date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
              "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(),
                          "python": platform.python_version()},
              **fields}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def side_by_side(label: str, old: list[float], new: list[float], digits: int) -> list[str]:
    """A table row: the commit's least and median, the tree's, and the ratio of the least."""
    import statistics

    return [label, f"{min(old):.{digits}f}", f"{statistics.median(old):.{digits}f}",
            f"{min(new):.{digits}f}", f"{statistics.median(new):.{digits}f}",
            f"{min(new) / max(min(old), 1e-9):.2f}×"]


def free_stem(folder, stem: str) -> str:
    """``stem``, else ``stem-2``, ``stem-3``, …: the first name free in ``folder``.

    A name is free when neither its ``.md`` nor its ``.json`` is there, so that a report never
    replaces an earlier one of the same day.
    """
    name, n = stem, 1
    while (folder / f"{name}.md").exists() or (folder / f"{name}.json").exists():
        n += 1
        name = f"{stem}-{n}"
    return name
