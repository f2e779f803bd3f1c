"""``docs/validation.md``: the model against the fitted patterns and the held-out episodes.

:func:`build` runs each fitted pattern of :mod:`missionsim.analysis.validation` (G1–G4) and
each held-out episode (:data:`~missionsim.analysis.validation.HELD_OUT`, H1, H2, C1), all on
shipped scenario files over paired seeds, draws each as the model's band against the observed
data points (:func:`missionsim.writeup.figures.validation`, ``images/validation-g1.png`` …
``-c1.png``) and writes the page (:func:`render`). Which parameters were fitted to which
pattern is data (``data/patterns.toml``, ``[[fitted]]``); a held-out episode has none.
Settings (``missionsim docs validation``): ``--replicates`` (for every pattern and episode;
default :data:`FULL`) and ``--quick`` (2 replicates each); each runs on its own scenario's
world and horizon.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Mapping
from pathlib import Path

from missionsim import __version__
from missionsim.analysis import calibration, validation, validation_councils
from missionsim.analysis.observed import Fitted, observed, series
from missionsim.analysis.validation import MINUS, Pattern
from missionsim.model.missions import MISSIONS
from missionsim.writeup import figures
from missionsim.writeup.building import check_keys, command, log, run_options, table
from missionsim.writeup.docs import Built, DocSettings
from missionsim.writeup.validation_prose import ABOUT, HELD_OUT_INTRO, READING

FULL = {"G1": 10, "G1s": 10, "G2": 20, "G3": 10, "G4": 20, "H1": 10, "H2": 10, "C1": 20}
"""Replicates per pattern and held-out episode at full size."""
QUICK_REPLICATES = 2
"""Replicates per pattern of the reduced build (``--quick``)."""
FIGURES = "images"
"""Folder of the figures, beside the document."""


def sizes(settings: DocSettings) -> dict[str, int]:
    """Replicates per pattern and held-out episode for a build's settings.

    Raises:
        ValueError: A setting the document does not take (it has no ``--set`` keys, and each
            pattern runs on its own scenario's world and horizon).
    """
    check_keys(settings, "validation", ())
    for option in ("preset", "horizon"):
        if getattr(settings, option) is not None:
            raise ValueError(f"--{option}: each validation pattern runs on its own scenario's "
                             "world and horizon; leave it out")
    n = settings.replicates or (QUICK_REPLICATES if settings.quick else None)
    return {key: n or full for key, full in FULL.items()}


def build(path: Path, settings: DocSettings) -> Built:
    """Run every pattern and held-out episode, draw the figures and write the page."""
    replicates = sizes(settings)
    patterns, seconds = {}, {}
    for key, pattern in {**validation.PATTERNS, **validation.HELD_OUT}.items():
        started = time.perf_counter()
        patterns[key] = pattern(replicates=replicates[key],
                                options=run_options(settings, key.lower()))
        seconds[key] = time.perf_counter() - started
        p = patterns[key]
        verdict = (f"{sum(c.ok for c in p.checks)} of {len(p.checks)} checks within tolerance"
                   if p.held_out else "reproduced" if p.ok else "NOT reproduced")
        log(f"{key}: {verdict} ({replicates[key]} replicates, {seconds[key]:.0f} s)")
    images = {key: f"{FIGURES}/validation-{key.lower()}.png" for key in patterns}
    text = render(patterns, images, sum(seconds.values()), command("validation", settings),
                  None if replicates == FULL else settings.replicates or QUICK_REPLICATES)
    fitted = [p for p in patterns.values() if not p.held_out]
    checks = [c for p in patterns.values() if p.held_out for c in p.checks]
    misses = sum(not c.ok for c in checks)
    # G1s is drawn as G1 is (the same tables, another scenario)
    return Built(text=text,
                 figures={images[k]: figures.validation(dataclasses.replace(p, key=k[:2]))
                          for k, p in patterns.items()},
                 summary=f"{sum(p.ok for p in fitted)} of {len(fitted)} fitted patterns "
                         f"reproduced; held-out episodes: {misses} misses in {len(checks)} "
                         "checks")


def _verdicts(p: Pattern) -> list[list[str]]:
    if p.held_out:
        return [[c.label, c.model, c.observed, c.tolerance, c.difference,
                 "within" if c.ok else "**miss**"] for c in p.checks]
    return [[c.label, c.model, c.observed, c.tolerance, "✓" if c.ok else "✗"]
            for c in p.checks]


def render(patterns: Mapping[str, Pattern], images: Mapping[str, str], seconds: float,
           how: str, replicates: int | None = None) -> str:
    """The Markdown of ``docs/validation.md``.

    Args:
        patterns: Each fitted pattern's and held-out episode's checks, by key.
        images: Each one's figure, relative to the document.
        seconds: How long the runs took.
        how: The command that built it.
        replicates: Replicates of every pattern (``None``: full size, :data:`FULL`).
    """
    today = dt.date.today().isoformat()
    seen = observed()
    fitted = {k: p for k, p in patterns.items() if not p.held_out}
    held = {k: p for k, p in patterns.items() if p.held_out}

    def parameters(key: str) -> str:
        return ", ".join(f"`{f.parameter}`" for f in seen.fitted_to(key)) or "none"

    lines = [
        "# Validation against observed patterns",
        "",
        "The model is judged against history in two ways. The *fitted patterns* are the four "
        "patterns of the calibration brief (section G; [model.md](model.md) section 1), the "
        "first of them twice: as it is (G1) and with the decade's squeeze to council money "
        "applied (G1s). Some parameters were set or fitted to meet them, and each pattern "
        "lists those parameters: a check a parameter was fitted to is a fit, not a test. The "
        f"*held-out episodes* ({', '.join(seen.held_out)}) are histories nothing in the "
        "model was fitted to, run as they are, without any refit; where the model misses "
        "them, the page says by how much and why. Each is a study of shipped scenario files "
        "over paired seeds; the historical ones are in `scenarios/history/`, each with its "
        "observed series as a CSV file giving a source for every value "
        "(`scenarios/history/README.md`), or, for C1, the places file of its world. Each "
        "figure shows the model's band (the middle 95% of runs, and their mean) against the "
        "observed data points. The same checks run, with fewer replicates, in "
        "`tests/validation/test_patterns.py`, `tests/validation/test_history.py` and "
        "`tests/validation/test_councils.py`.",
        "",
        f"Generated by `{how}` on {today} with missionsim {__version__}"
        + (f", {replicates} replicates per pattern" if replicates else
           ", full size (" + ", ".join(f"{k}: {n} replicates" for k, n in FULL.items()) + ")")
        + f"; {seconds:.0f} s in all.",
        "",
        "**Fitted patterns.**",
        "",
        table(["pattern", "reproduced", "checks passed", "parameters fitted to it"],
              [[f"{key}: {p.title}", "yes" if p.ok else "**no**",
                f"{sum(c.ok for c in p.checks)} of {len(p.checks)}", parameters(key)]
               for key, p in fitted.items()], "llll"),
        "",
        "**Held-out episodes** (nothing fitted to them; each miss is reported in the "
        "episode's section, by how much and why).",
        "",
        table(["episode", "checks within tolerance", "parameters fitted to it"],
              [[f"{key}: {p.title}", f"{sum(c.ok for c in p.checks)} of {len(p.checks)}",
                parameters(key)] for key, p in held.items()], "lll"),
    ]
    for key, p in patterns.items():
        if key == next(iter(held), None):
            lines += ["", "## Held-out episodes", "", *HELD_OUT_INTRO]
        header = (["check", "model", "observed", "tolerance", "difference", ""] if p.held_out
                  else ["check", "model", "observed", "tolerance", ""])
        lines += ["", f"## {key}: {p.title}", "", ABOUT[key], "",
                  f"![{key}: model band against the data]({images[key]})", "",
                  table(header, _verdicts(p), "l" * len(header))]
        for note in p.notes:
            lines += ["", note]
        lines += ["", *READING[key]]
    lines += ["", "## What was fitted to what", "", *fitted_lines()]
    lines += ["", "## Data", "", *data_lines(), ""]
    return "\n".join(lines)



def _value(f: Fitted) -> str:
    """The value a fitted parameter has in its mission (a world parameter as ``world.NAME``)."""
    mission = MISSIONS[f.mission]
    name = f.parameter.removeprefix("world.")
    v = float(mission.world[name] if f.parameter.startswith("world.") else getattr(mission, name))
    return (f"{v:,.0f}" if v.is_integer() else f"{v:.4g}") + (f" {f.unit}" if f.unit else "")


def _to(f: Fitted) -> str:
    """What a parameter was fitted to; for a calibrated one, with the calibration's targets."""
    if f.calibrated is None:
        return f.to
    targets = (calibration.FUNDING_TARGETS if f.parameter in calibration.FUNDING_FREE
               else calibration.TARGETS)
    return f"{f.to}: " + ", ".join(t.name for t in targets)


def fitted_lines() -> list[str]:
    """The table of which parameter was fitted to which pattern, with the value and source."""
    rows = [[f"`{f.mission}` `{f.parameter}`"
             + "".join(f" (and `{m}`)" for m in f.also), _to(f), _value(f), f.target]
            for f in observed().fitted]
    return [
        "Checks that a parameter was fitted to are a fit, not a test: G1's A and k (from "
        "`momentum` and `response_months`), its 2015/16 council SD and its share of councils "
        "improving (`noise` of the first profile), G2's gain a year "
        "(`momentum` of `early_years`), and G3's cut by June 2001 (`cohort_total` of the "
        "rough-sleeping world is a fit, not a test). G1s's A, series and share of councils "
        "improving are targets of the funding response (`elasticity`), together with an "
        "assumed effect of a 30% cut (about −2 pp in four years, range −1 to −3), which is "
        "G4's national effect: there the checks show that one elasticity meets history and "
        "the assumption at once. Not fitted: councils converging, the later council SDs, the "
        "early-intervention spending leverage of G1s, G2's misses, G3's hold, counterfactual "
        "and path, G4's shift of spending and its deprivation gradient, and every check of "
        "the held-out episodes. The table is `data/patterns.toml` (`[[fitted]]`), the values "
        "those of the mission files.",
        "",
        table(["parameter", "fitted to", "value", "source of the target"], rows, "llll"),
    ]


def data_lines() -> list[str]:
    """The observed data, in words (the last section of the page)."""
    seen = observed()
    first, reformed, rough = seen.first_profile, seen.reformed_profile, seen.rough_sleeping
    sd, squeeze = seen.first_profile_sd, seen.squeeze
    when = seen.first_profile_sd_dates

    def split(early: float) -> str:
        return f"{100 * early:.0f}:{100 * (1 - early):.0f}"

    def cut(share: float) -> str:
        return f"{share:.0%}".replace("-", "\u2212")

    def held_out(key: str, words: Mapping[str, str], unit: str) -> str:
        table_ = series(str(seen.held_out[key].observed)).table
        return "; ".join(f"{words[m]} " + ", ".join(
            f"{r.date} {r.value:,g}{unit}" for r in rows.sort_values("month").itertuples())
                         for m, rows in table_.groupby("measure", sort=False))

    return [
        "First profile: " + ", ".join(f"{y} {g}%" for y, g in zip(first["year"], first["gld"],
                                                                 strict=True))
        + "; council SD " + ", ".join(f"{v:g} ({when[m]})" for m, v in sd.items())
        + f"; {seen.improving:.0%} of councils improved 2016→18 (CALIBRATION §A).",
        "Reformed profile: " + ", ".join(f"{y} {g}%" for y, g in
                                         zip(reformed["year"], reformed["gld"], strict=True))
        + " (§A). Rough sleeping: " + ", ".join(
            f"{d} {c:,}" for d, c in zip(rough["date"], rough["count"], strict=True))
        + "; \"just over 500\" in 2006 (§B). Capacity: early:late spend "
        f"{split(squeeze['early_share_from'])} → {split(squeeze['early_share_to'])} "
        f"2010/11→2020/21; core funding per person {cut(squeeze['cut_most_deprived'])} in the "
        f"most deprived tenth, {cut(squeeze['cut_least_deprived'])} in the least (§C).",
        "A&E within four hours (H1): " + held_out(
            "H1", {"outcome": "patients' survey", "outcome_reported": "trusts' returns"}, "%")
        + ". Rough sleeping, counts and estimates (H2): " + held_out(
            "H2", {"outcome_reported": "", "outcome": "true"}, "").strip()
        + ". Each value's source is in its row of the episode's CSV file in "
        "`scenarios/history/`.",
        councils_line(),
    ]


def councils_line() -> str:
    """C1's observed figures, computed from the places file, beside the published ones."""
    episode = observed().held_out[validation_councils.KEY]
    published = episode.settings["published"]
    places = validation.scenario(episode.scenarios[0]).places_data()
    seen = validation_councils.council_figures(validation_councils.compared(places))
    years = validation_councils.YEARS
    lo, med, hi = seen.fsm_gap
    plo, pmed, phi = published["fsm_gap"]
    return (
        f"Councils (C1), computed from `{Path(places.path).name}` over the {seen.n} councils "
        f"with more than {validation_councils.MIN_COHORT} children assessed in "
        f"{years[max(years)]}, with the figures quoted for the pattern in brackets "
        "(CALIBRATION §A gives the SDs to one decimal and the median gap as 16.9): "
        "council SD of GLD " + ", ".join(
            f"{seen.sd[m]:.2f} ({p:g}) in {y}" for (m, y), p in zip(years.items(),
                                                                   published["sd"],
                                                                   strict=True))
        + f"; {seen.improving:.1%} of councils improved {min(years.values())}→"
        f"{max(years.values()) % 100:02d} ({published['improving']:.0%}); within-council FSM "
        f"gap in {years[max(years)]} median {med:.2f} pp, IQR {lo:.2f}–{hi:.2f} "
        f"({pmed:.1f}, {plo:.1f}–{phi:.1f}); correlation of the FSM share with GLD "
        + f"{seen.fsm_correlation:.2f} ({published['fsm_correlation']:g})".replace("-", MINUS)
        + ". Source: DfE, Social mobility and the early years (SMAPEY), Open Government "
        "Licence v3.0 (`data/places/README.md`).")
