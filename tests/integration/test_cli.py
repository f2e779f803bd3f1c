"""The ``missionsim`` command line, end to end (real files, real stores, real processes)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from missionsim.cli import main
from missionsim.experiments.results import Results
from missionsim.experiments.scenario import shipped_dir

ROOT = Path(__file__).resolve().parents[2]
EXE = shutil.which("missionsim", path=str(Path(sys.executable).parent))
COMMANDS = ["run", "compare", "sweep", "sensitivity", "report", "repair", "validate",
            "list"]


def small(tmp_path: Path, name: str, extra: str = "", horizon: int = 40) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(f'name = "{name}"\nhorizon = {horizon}\nreplicates = 3\nseed = 3\n'
                    f'[world]\npreset = "small"\n{extra}\n')
    return path


def cli(*args: str) -> subprocess.CompletedProcess:
    assert EXE, "the missionsim console script is not installed in this environment"
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_command_has_help(command, capsys):
    argv = ["--help"] if command is None else [command, "--help"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Usage:" in out
    if command is None:
        assert all(c in out for c in COMMANDS)


def test_console_script_runs_and_lists():
    done = cli("list", "reforms")
    assert done.returncode == 0, done.stderr
    assert "devolution" in done.stdout and "mission_leadership" in done.stdout


def test_list_everything(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for heading in ("Missions", "Presets", "Reforms", "Parameters", "Shipped scenarios"):
        assert f"## {heading}" in out
    assert "labour_market_tightness" in out and "england_early_years" in out


def test_validate_shipped_and_bad_files(tmp_path, capsys):
    shipped = sorted(str(p) for p in shipped_dir().glob("*.toml"))
    assert main(["validate", *shipped]) == 0
    assert capsys.readouterr().out.count("ok ") == len(shipped)
    bad = tmp_path / "bad.toml"
    bad.write_text('extends = "{}"\n[reforms.devolution]\nintensity = 2\n'.format(
        shipped_dir() / "baseline.toml"))
    assert main(["validate", shipped[0], str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip() == (f"{bad}: reforms.devolution.intensity: expected at most 1 "
                                    "(devolution_max_intensity), got 2")


def test_errors_are_one_line_with_status_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("horizon = [\n")
    for args in (["compare", str(bad), "--out", str(tmp_path / "o")],
                 ["run", str(tmp_path / "missing.toml"), "--out", str(tmp_path / "o")],
                 ["report", str(tmp_path / "nothing"), "--report", str(tmp_path / "r.html")],
                 ["compare", str(small(tmp_path, "a")), "--out", str(tmp_path / "o2"),
                  "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"],
                 ["list", "nonsense"]):
        done = cli(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
        assert done.stderr.startswith("missionsim: error: ")


def test_run_writes_a_store(tmp_path, capsys):
    out = tmp_path / "one"
    scenario = small(tmp_path, "base")
    assert main(["run", str(scenario), "--seed", "42", "--out", str(out)]) == 0
    assert "base: seed 42" in capsys.readouterr().out
    results = Results.load(out)
    assert list(results.runs["seed"]) == [42]
    assert len(results.months) == 41
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "run" and manifest["version"]


def test_compare_with_report_then_report_from_store(tmp_path, capsys):
    base = small(tmp_path, "base")
    cap = small(tmp_path, "capacity", "[reforms.local_capacity]\nstart = 0")
    out, html = tmp_path / "cmp", tmp_path / "report.html"
    assert main(["compare", str(base), str(cap), "--replicates", "3", "--workers", "2",
                 "--out", str(out), "--report", str(html), "--no-progress"]) == 0
    stdout = capsys.readouterr().out
    assert "| capacity |" in stdout.replace("| 1 | capacity", "| capacity |") or \
        "capacity" in stdout
    assert html.exists() and html.stat().st_size > 10_000
    results = Results.load(out)
    assert sorted(results.scenarios) == ["base", "capacity"] and len(results.runs) == 6
    again = tmp_path / "again.html"
    assert main(["report", str(out), "--report", str(again)]) == 0
    assert again.exists()
    # the report command reads the store: it works with the scenario files gone
    base.unlink()
    assert main(["report", str(out), "--report", str(tmp_path / "third.html")]) == 0


def test_compare_with_separate_baseline_file(tmp_path, capsys):
    base = small(tmp_path, "base")
    dev = small(tmp_path, "devolved", "[reforms.devolution]\nstart = 0")
    out = tmp_path / "cmp"
    assert main(["compare", str(dev), "--baseline", str(base), "--replicates", "2",
                 "--workers", "1", "--out", str(out), "--no-progress"]) == 0
    results = Results.load(out)
    assert results.manifest["baseline"] == "base"
    assert results.scenarios == ["base", "devolved"]


def test_compare_resume_completes_without_rerunning(tmp_path):
    base = small(tmp_path, "base", horizon=12)
    out = tmp_path / "cmp"
    args = ["compare", str(base), "--replicates", "2", "--workers", "1", "--out", str(out),
            "--no-progress"]
    assert main(args) == 0
    first = Results.load(out)
    assert main(args) == 2  # refuses to overwrite
    assert main([*args, "--resume"]) == 0
    pd.testing.assert_frame_equal(first.months, Results.load(out).months)


def test_sweep_and_sensitivity(tmp_path, capsys):
    sweep = tmp_path / "screen.toml"
    sweep.write_text(
        'name = "screen"\ndesign = "morris"\nsamples = 2\nreplicates = 1\nseed = 4\n'
        '[scenario]\nname = "base"\nhorizon = 24\n[scenario.world]\npreset = "small"\n'
        '[output]\nmetric = "outcome"\nmonth = 24\n'
        '[factors.programme_success_share]\nlow = 0.1\nhigh = 0.4\n'
        '[factors."local_capacity.intensity"]\nlow = 0.0\nhigh = 1.0\n')
    out = tmp_path / "sw"
    assert main(["validate", str(sweep)]) == 0
    assert main(["sweep", str(sweep), "--out", str(out), "--workers", "2",
                 "--no-progress"]) == 0
    results = Results.load(out)
    assert len(results.runs) == 2 * (2 + 1)
    capsys.readouterr()
    assert main(["sensitivity", str(sweep), "--out", str(out), "--workers", "1",
                 "--no-progress"]) == 0
    out_text = capsys.readouterr().out
    assert "programme_success_share" in out_text and "local_capacity.intensity" in out_text
    table = pd.read_csv(out / "sensitivity.csv")
    assert len(table) == 2
