"""Commands about files and the app: validate, list, ui, init."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from missionsim.cli.base import (
    UserError,
    _echo_err,
    app,
)


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario, sweep or mission files (.toml), "
                                                "or names of shipped ones.")],
) -> None:
    """Check scenario, sweep and mission files; one line per file, exit 2 if any is invalid."""
    from missionsim.errors import ScenarioError
    from missionsim.experiments.scenario import load_scenario
    from missionsim.files import read_chain
    from missionsim.resources import find_shipped

    bad = 0
    for path in files:
        path = (find_shipped(path, "scenarios") or find_shipped(path, "sweeps")
                or find_shipped(path, "missions") or path)
        try:
            data = read_chain(path)
            if "indicator" in data:
                from missionsim.model.missions import load_mission, register

                m = register(load_mission(path))
                typer.echo(f"ok {path}: mission {m.name!r}, {m.indicator} {m.baseline:g} → "
                           f"{m.target:g} {m.unit} by month {m.deadline}")
            elif "design" in data or "factors" in data:
                from missionsim.experiments.sweeps import load_sweep, specs

                design = load_sweep(path)
                typer.echo(f"ok {path}: sweep {design.name!r}, {len(specs(design))} runs")
            else:
                scn = load_scenario(path)
                typer.echo(f"ok {path}: {scn.title} — {scn.summary()}")
        except ScenarioError as exc:
            _echo_err(str(exc))
            bad += 1
    if bad:
        raise typer.Exit(2)


LIST_WHAT = ("missions", "presets", "places", "reforms", "parameters", "scenarios", "sweeps")


@app.command("list")
def list_cmd(
    what: Annotated[str | None, typer.Argument(
        help=f"One of: {', '.join(LIST_WHAT)} (default: all).")] = None,
) -> None:
    """List missions, presets, places files, reforms, parameters, scenarios and sweeps."""
    from missionsim.experiments.scenario import load_scenario, shipped
    from missionsim.model.missions import MISSIONS
    from missionsim.model.params import PARAMETERS, PRESET_DESCRIPTIONS, PRESETS
    from missionsim.model.reforms import REFORMS
    from missionsim.writeup.markdown import table

    if what is not None and what not in LIST_WHAT:
        raise UserError(f"list {what!r}: expected one of {', '.join(LIST_WHAT)}")
    sections = []
    if what in (None, "missions"):
        rows = [[m.name, m.title, f"{m.baseline:g} → {m.target:g} {m.unit}",
                 f"month {m.deadline}", f"{m.gameability:g}",
                 "yes" if m.trend else "no", f"missions/{m.name}.toml"]
                for m in MISSIONS.values()]
        sections.append("## Missions\n\n" + table(
            ["name", "mission", "baseline → target", "deadline", "gameability", "trend",
             "file"], rows, "lllllll"))
    if what in (None, "presets"):
        rows = [[name, PRESET_DESCRIPTIONS.get(name, ""),
                 ", ".join(f"{k} = {v:,}" for k, v in values.items())]
                for name, values in PRESETS.items()]
        sections.append("## Presets\n\n" + table(["name", "world", "parameters"], rows, "lll"))
    if what in (None, "places"):
        from missionsim.model.params import PRESET_PLACES
        from missionsim.model.placesfile import load_places, shipped_places

        rows = []
        for name in shipped_places():
            data = load_places(name)
            presets = ", ".join(k for k, v in PRESET_PLACES.items() if v == name)
            columns = ", ".join(f"{k} {v[0]}–{v[-1]}" if len(v) > 1 else f"{k} {v[0]}"
                                for k, v in data.years.items())
            rows.append([name, f"{data.n:,}", f"{data.cohort.sum():,.0f}", columns,
                         presets, f"places/{name}.csv"])
        sections.append("## Places files\n\n" + table(
            ["name", "places", "cohort", "columns (years)", "preset", "file"], rows, "lrrlll"))
    if what in (None, "reforms"):
        rows = [[name, cls.title, cls.tradeoff] for name, cls in REFORMS.items()]
        sections.append("## Reforms\n\n" + table(["name", "reform", "trade-off"], rows, "lll"))
    if what in (None, "parameters"):
        rows = [[p.name, p.default, f"{p.low:g}–{p.high:g}",
                 "" if p.role == "setting" else f"{p.plausible[0]:g}–{p.plausible[1]:g}",
                 p.unit, p.group, p.role, p.reform, p.source] for p in PARAMETERS.values()]
        sections.append("## Parameters\n\n" + table(
            ["name", "default", "bounds", "plausible", "unit", "group", "role", "reform",
             "source"], rows, "lrlllllll"))
    if what in (None, "scenarios"):
        rows = []
        for name, path in shipped().items():
            try:
                scn = load_scenario(path)
                rows.append([name, scn.title, scn.summary()])
            except ValueError as exc:  # pragma: no cover - shipped files are tested
                rows.append([name, "", f"invalid: {exc}"])
        sections.append("## Shipped scenarios\n\n" + table(["name", "title", "summary"], rows,
                                                              "lll"))
    if what in (None, "sweeps"):
        from missionsim.experiments.sweeps import load_sweep
        from missionsim.resources import shipped as shipped_files

        rows = [[name, load_sweep(path).summary()]
                for name, path in shipped_files("sweeps").items()]
        sections.append("## Shipped sweeps\n\n" + table(["name", "summary"], rows, "ll"))
    typer.echo("\n\n".join(sections))


@app.command()
def ui(
    host: Annotated[str, typer.Option(
        help="Address to listen on. The default serves this machine only; 0.0.0.0 serves "
             "the network (anyone who can reach it can open the app).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8765,
    room: Annotated[bool, typer.Option(
        "--room", help="Open a room: participants join with a printed code and propose "
             "packages within a budget; a printed facilitator link gathers and compares "
             "them.")] = False,
    scenario: Annotated[str | None, typer.Option(
        help="With --room: the room's scenario (a shipped name; default: baseline).")] = None,
    budget: Annotated[str | None, typer.Option(
        metavar="£Xm", help="With --room: the budget of each package, £m in present value "
             "over the horizon (default: £30m).")] = None,
    replicates: Annotated[int | None, typer.Option(
        help="With --room: paired replicates per proposal in the room's comparison "
             "(default: 5).")] = None,
    horizon: Annotated[int | None, typer.Option(
        help="With --room: months simulated (default: 60).")] = None,
) -> None:
    """Start the workshop browser app (Explore, Compare, Explain) and print its address."""
    from missionsim.ui.server import ServeError, serve

    given = {"scenario": scenario, "budget": budget, "replicates": replicates,
             "horizon": horizon}
    opening = None
    if not room:
        extra = [k for k, v in given.items() if v is not None]
        if extra:
            raise UserError(f"--{extra[0]}: only with --room")
    else:
        from missionsim.analysis.advise.settings import parse_budget
        from missionsim.ui.room.launch import open_room
        from missionsim.ui.room.settings import RoomError

        settings = {k: v for k, v in given.items() if v is not None}
        try:
            if budget is not None:
                settings["budget"] = parse_budget(budget)
        except ValueError as exc:
            raise UserError(f"--budget: {exc}") from None
        try:
            opening = open_room(**settings)
        except RoomError as exc:
            name, _, rest = str(exc).partition(": ")
            raise UserError(f"--{name.lower()}: {rest}") from None
    try:
        serve(host, port, opening)
    except ServeError as exc:
        raise UserError(str(exc)) from None


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="Folder to create or fill.")],
    force: Annotated[bool, typer.Option(
        "--force", help="Overwrite files that already exist.")] = False,
) -> None:
    """Copy the shipped scenarios, sweeps, missions, places and advice files into DIR to edit."""
    from missionsim.resources import copy_templates

    try:
        written = copy_templates(folder, force=force)
    except (FileExistsError, NotADirectoryError) as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"{folder}: cannot write ({exc.strerror})") from None
    kinds = sorted({p.parent.name for p in written})
    typer.echo(f"Wrote {len(written)} files to {folder} ({', '.join(kinds)}). Edit a copy, "
               f"check it with `missionsim validate {folder}/scenarios/NAME.toml`, then run "
               f"`missionsim compare {folder}/scenarios/baseline.toml "
               f"{folder}/scenarios/NAME.toml --out results`.")
