"""Section 9: every assumption and seed, and how the page was made.

Every setting of the advice; the scenario; every factor the futures drew, with the range
drawn, its unit, role, meaning and source from the declared parameters
(:data:`missionsim.model.params.PARAMETERS`); the factors held at the scenario's values and the
scenario's own draws; every seed (the root, the search's, the Latin hypercube's, each future's
and each replicate's of the comparison at equal cost); the versions and dates.
"""

from __future__ import annotations

from typing import Any

from missionsim import __version__
from missionsim.analysis.advise.engine import package_versions
from missionsim.analysis.advise.futures import ranges
from missionsim.analysis.robustness.plan import default_values
from missionsim.model.params import PARAMETERS
from missionsim.writeup.appraisal import text as t
from missionsim.writeup.appraisal.evidence import role
from missionsim.writeup.appraisal.gather import REACHABLE, Appraisal, comparison_seeds, scaled
from missionsim.writeup.report import html as h

INTERNAL = {"source", "given", "labels"}
"""Settings fields that say where a value came from, not what it is (shown elsewhere)."""
SETTING_UNITS = {"budget": "£m, present value over the horizon", "horizon": "months",
                 "discount_rate": "a year", "search.starts": "months from month 0",
                 "search.intensities": "× the reform's standard intensity",
                 "search.population": "packages a generation", "futures.count": "futures"}
"""The unit of each setting that has one."""
MORE_VERSIONS = ("matplotlib", "ema_workbench", "scikit-learn", "patsy", "SALib")
"""Packages the appraisal's own steps use, recorded beside the advice's versions."""


def _flat(data: dict[str, Any], prefix: str = "") -> list[list[str]]:
    rows = []
    for key, v in data.items():
        if isinstance(v, dict) and v and key != "reform_intensities":
            rows += _flat(v, f"{prefix}{key}.")
        else:
            name = f"{prefix}{key}"
            rows.append([name, "not set (the default applies)" if v is None else t.value(v),
                         SETTING_UNITS.get(name, "")])
    return rows


def versions(a: Appraisal) -> dict[str, str]:
    """The advice's recorded versions, and those of the packages the appraisal used."""
    out = {str(k): str(v) for k, v in a.advice.info.get("versions", {}).items()}
    out.setdefault("missionsim", __version__)
    out.update(package_versions(MORE_VERSIONS))
    return out


def assumptions(a: Appraisal) -> str:
    """Section 9."""
    return t.section("assumptions", 9, "Assumptions and seeds", [
        "<h3>How this appraisal was made</h3>", _made(a),
        "<h3>Settings of the advice</h3>", _settings(a),
        "<h3>The scenario</h3>", _scenario(a),
        "<h3>Factors the futures drew</h3>", _factors(a),
        "<h3>Seeds</h3>", _seeds(a),
        "<h3>Versions</h3>",
        h.table(["package", "version"], [[k, v] for k, v in versions(a).items()],
                cls="versions")])


def _made(a: Appraisal) -> str:
    advice = a.advice
    info = advice.info
    counts = info.get("counts", {})
    rows = [
        ("appraisal made by", a.call or "missionsim.writeup.appraisal.write_appraisal(advice, "
         "path)"),
        ("appraisal generated (UTC)", a.generated),
        ("advice created (UTC)", info.get("created", "not recorded")),
        ("advice settings file", advice.settings.source or "(given in Python or by flags)"),
        ("advice output folder", str(advice.out) if advice.out else "(held in memory)"),
        ("advice executor", info.get("executor", "not recorded")),
        ("advice runs", f"{counts.get('evaluations', len(advice.evaluations)):,} evaluations "
         f"({counts.get('ran', '?')} run, {counts.get('reused', '?')} read back from the "
         f"store) in {info.get('seconds', '?')} s"),
        ("comparison at equal cost", _comparison(a)),
        ("figures", "Pareto front: the advice's candidates table (mean cost, P(target met) "
         "and mean outcome at the deadline over the futures). Change by tenth of deprivation "
         "and places helped: the comparison at equal cost. Switching values, value of "
         "information and failure conditions: the advice's evaluations and futures."),
    ]
    return t.pairs(rows, "made")


def _comparison(a: Appraisal) -> str:
    if a.results is None:
        return "not run (" + (" ".join(a.notes) or "no options") + ")"
    scale = scaled(a)
    names = [str(a.base), *a.options]
    level = ("" if not scale else ', equal_cost="reachable"' if a.level == REACHABLE
             else f", equal_cost={float(scale['budget']):g}")
    reached = (f"; the options reached {t.money(scale['budget'])} each" if scale else
               "; the options ran at their own costs")
    return (f"missionsim.compare([advice.scenario(n) for n in {names!r}], "
            f"replicates={a.replicates}, baseline={str(a.base)!r}, seed={a.advice.plan.seed}"
            f"{level}, discount_rate={a.advice.plan.rate:g}){reached}; each option also ran "
            "as found")


def _settings(a: Appraisal) -> str:
    settings = a.advice.settings
    data = settings.model_dump(exclude=INTERNAL)
    given = settings.given
    note = (t.para("Set by flags or keywords rather than the file: "
                   + ", ".join(f"{k} ({v})" for k, v in given.items()) + ".", "note")
            if given else "")
    return (h.table(["setting", "value", "unit"], _flat(data), numeric_from=3, cls="settings")
            + note)


def _scenario(a: Appraisal) -> str:
    plan = a.advice.plan
    s = plan.scenario
    m = s.mission_record()
    rows = [("name", s.name), ("source", s.source or "(built in Python)"),
            ("digest", s.digest()), ("mission", f"{m.name}: {m.title}"),
            ("world preset", s.world.preset), ("horizon (months)", str(s.horizon)),
            ("seed in the file", str(s.seed)), ("root seed of the advice", str(plan.seed)),
            ("reforms in every option", t.value(list(s.reform_settings()))),
            ("discount rate (a year)", f"{plan.rate:.1%}")]
    rows += [(f"world parameter {k} (set by the scenario; {PARAMETERS[k].unit})"
              if k in PARAMETERS else f"world parameter {k}", t.value(v))
             for k, v in s.world.params.items()]
    return t.pairs(rows, "scenario")


def _factors(a: Appraisal) -> str:
    plan = a.advice.plan
    drawn = ranges(plan)
    scenario_values = default_values(plan.scenario, [*plan.factors, *plan.held])
    rows, attrs = [], []
    for name in plan.factors:
        p = PARAMETERS[name]
        span = drawn.get(name)
        where = ("the scenario's [uncertainties]" if name in plan.scenario.uncertainties
                 else "declared plausible range")
        rows.append([name, p.meaning, p.unit or t.DASH, role(name),
                     (f"{t.value(span['low'])} to {t.value(span['high'])} ({where})" if span
                      else "not varied: its range is a single value"),
                     t.value(scenario_values.get(name)), p.source or t.DASH])
        attrs.append({"data-factor": name})
    header = ["factor", "meaning", "unit", "role", "range drawn (uniform, Latin hypercube)",
              "value in the scenario", "source"]
    parts = [t.para(f"{t.plural(len(plan.factors), 'factor')} drawn afresh in each of the "
                    f"{len(a.advice.futures)} futures, every candidate meeting the same "
                    "draws (common random numbers)."),
             h.table(header, rows, numeric_from=4, cls="factors", row_attributes=attrs)]
    if plan.held:
        held = [[n, PARAMETERS[n].unit or t.DASH, t.value(plan.scenario.world.params[n]),
                 PARAMETERS[n].source or t.DASH] for n in plan.held]
        parts += [t.para("Held at the scenario's values (it sets them in [world.params], so "
                         "the advice takes them as known):"),
                  h.table(["factor", "unit", "value", "source"], held, numeric_from=2,
                          cls="held")]
    own = [c for c in a.advice.futures.columns if c != "seed" and c not in plan.factors]
    if own:
        parts.append(t.para("Also varying between futures, drawn by the scenario itself (its "
                            "own uncertainties): " + ", ".join(own) + "."))
    return "\n".join(parts)


def _seeds(a: Appraisal) -> str:
    seeds = a.advice.info.get("seeds", {})
    rows = [("root seed", str(a.advice.plan.seed)),
            ("search (NSGA-II) seed", t.value(seeds.get("search"))),
            ("Latin hypercube of the futures", t.value(seeds.get("futures_sample"))),
            ("PRIM and the value of information", "deterministic (noise floor: seed 0)")]
    parts = [t.pairs(rows, "seeds")]
    futures = [[int(k), str(int(s))] for k, s in a.advice.futures["seed"].items()]
    parts += [t.para("Each future's model seed (the same for every candidate):"),
              h.table(["future", "seed"], futures, numeric_from=2, cls="future-seeds")]
    replicates = comparison_seeds(a)
    if not replicates.empty:
        parts += [t.para(f"Each replicate's seed in the comparison at equal cost (root seed "
                         f"{a.advice.plan.seed}; the same for every option):"),
                  h.table(["replicate", "seed"],
                          [[int(r), str(int(s))] for r, s in replicates.itertuples(index=False)],
                          numeric_from=2, cls="replicate-seeds")]
    return "\n".join(parts)
