"""Shipped files, names that resolve to them, templates, extras and a light package import."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import missionsim
from missionsim import extras, resources
from missionsim.cli import main
from missionsim.experiments.scenario import load_scenario
from missionsim.experiments.sweeps import load_sweep

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_files_are_package_data_and_the_repository_links_to_them():
    for kind in resources.KINDS:
        files = resources.shipped(kind)
        assert files, f"no shipped {kind}"
        assert all(p.is_relative_to(resources.data_path(kind)) for p in files.values())
        assert (ROOT / kind).resolve() == resources.data_path(kind).resolve()
    assert resources.data_path("model.md").read_text() == (ROOT / "docs" / "model.md").read_text()
    with pytest.raises(ValueError, match="expected one of scenarios, sweeps"):
        resources.shipped("missions.txt")


def test_bare_names_resolve_to_shipped_files_and_local_files_win(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shipped = resources.shipped("scenarios")["baseline"]
    assert resources.find_shipped("baseline") == shipped
    assert resources.find_shipped("baseline.toml") == shipped
    assert resources.find_shipped("morris_uncertainties", "sweeps") is not None
    assert resources.find_shipped("nope") is None
    assert resources.find_shipped("sub/baseline.toml") is None  # a path, not a name
    assert load_scenario("devolution").digest() == load_scenario(
        ROOT / "scenarios" / "devolution.toml").digest()
    assert load_sweep("factorial_timing").name == "factorial-timing"
    # a file of the same name in the working folder is what the user means
    (tmp_path / "baseline.toml").write_text('name = "mine"\n[world]\npreset = "small"\n')
    assert resources.find_shipped("baseline.toml") is None
    assert load_scenario("baseline.toml").name == "mine"


def test_templates_copy_refuse_to_overwrite_and_force(tmp_path):
    written = resources.copy_templates(tmp_path / "t")
    names = {p.relative_to(tmp_path / "t").as_posix() for p in written}
    for kind in resources.KINDS:
        folder = resources.data_path(kind)
        assert {f"{kind}/{p.relative_to(folder).as_posix()}"
                for p in resources.shipped(kind).values()} <= names
        assert f"{kind}/README.md" in names
    edited = tmp_path / "t" / "scenarios" / "baseline.toml"
    edited.write_text("# mine\n")
    with pytest.raises(FileExistsError, match="--force"):
        resources.copy_templates(tmp_path / "t")
    assert edited.read_text() == "# mine\n"  # nothing written on refusal
    resources.copy_templates(tmp_path / "t", force=True)
    assert edited.read_text() == resources.shipped()["baseline"].read_text()
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError):
        resources.copy_templates(tmp_path / "file")


def test_init_version_and_list_commands(tmp_path, capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"missionsim {missionsim.__version__}"
    assert main(["init", str(tmp_path / "mine")]) == 0
    assert (tmp_path / "mine" / "sweeps" / "sobol_leading.toml").exists()
    capsys.readouterr()
    assert main(["init", str(tmp_path / "mine")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "already exists" in err
    assert main(["list", "sweeps"]) == 0
    assert "| morris_uncertainties |" in capsys.readouterr().out


def test_importing_the_package_loads_neither_the_model_nor_an_extra():
    probe = ("import sys, missionsim, missionsim.cli\n"
             "heavy = ('mesa', 'numpy', 'pandas', 'solara', 'distributed', 'ema_workbench')\n"
             "print(sorted(m for m in heavy if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    assert out.strip() == "[]"


def test_every_public_name_resolves_lazily():
    assert set(missionsim.__all__) == {*missionsim._EXPORTS, "__version__"}
    for name in missionsim.__all__:
        assert getattr(missionsim, name) is not None
    assert set(missionsim.__all__) <= set(dir(missionsim))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        missionsim.nothing  # noqa: B018


def test_the_extras_checked_are_the_extras_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["optional-dependencies"]
    assert set(extras.EXTRAS) <= set(declared)
    assert declared["all"] == [f"missionsim[{','.join(extras.EXTRAS)}]"]
    core = " ".join(project["dependencies"]).lower()
    for modules in extras.EXTRAS.values():
        for module in modules:
            assert module.replace("_", "") not in core.replace("_", "").replace("-", "")
    extras.require("ui", "the browser app")  # installed here: no error
    with pytest.raises(KeyError):
        extras.require("gpu", "nothing")
