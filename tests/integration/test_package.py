"""The package as a user installs it: a wheel in a fresh environment, outside the checkout.

The wheel is built from a copy of the source, installed with uv into new virtual environments
under a temporary folder (versions constrained by ``requirements.lock``, so the suite's own
versions), and driven through its console script from that folder. The core install must run
studies on its shipped scenarios; the extras must be missing from it with one line naming the
install; the ``ui`` extra must offer the shipped scenarios.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import missionsim

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"
UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "src", "docs/model.md")
"""What the wheel is built from (the package's model.md links to docs/model.md)."""

pytestmark = pytest.mark.skipif(UV is None, reason="uv is not installed (make installs it)")


def sh(*argv: str | Path, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"{result.args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    tree = tmp_path_factory.mktemp("tree")
    for name in SOURCES:
        source, dest = ROOT / name, tree / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, dest, symlinks=False,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copyfile(source, dest)
    dist = tmp_path_factory.mktemp("dist")
    ok(sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
          "-w", dist, ".", cwd=tree))
    (found,) = dist.glob("missionsim-*.whl")
    return found


def environment(root: Path, requirement: str) -> Path:
    """A fresh virtual environment at ``root`` with ``requirement`` installed; its bin/."""
    ok(sh(UV, "venv", "-q", "--python", sys.executable, root / "venv", cwd=root))
    python = root / "venv" / "bin" / "python"
    ok(sh(UV, "pip", "install", "-q", "--python", python, requirement, "-c", LOCK, cwd=root))
    return python.parent


@pytest.fixture(scope="module")
def core(tmp_path_factory, wheel) -> Path:
    return environment(tmp_path_factory.mktemp("core"), str(wheel))


def test_the_wheel_ships_the_data_and_the_licence(wheel):
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    for kind in ("scenarios", "sweeps"):
        shipped = {p.name for p in (ROOT / "src" / "missionsim" / "data" / kind).glob("*.toml")}
        assert shipped and shipped <= {Path(n).name for n in names
                                       if n.startswith(f"missionsim/data/{kind}/")}
    assert "missionsim/data/model.md" in names
    assert "missionsim/data/calibrated/early_years.json" in names
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(meta).decode()
    assert "License-Expression: Apache-2.0" in text
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


def test_a_core_install_runs_shipped_scenarios_from_any_folder(core, tmp_path):
    exe = core / "missionsim"
    assert ok(sh(exe, "--version", cwd=tmp_path)).strip() == f"missionsim {missionsim.__version__}"
    listing = ok(sh(exe, "list", cwd=tmp_path))
    for name in ("baseline", "devolution", "mission_ready"):
        assert f"| {name} |" in listing
    assert "| morris_uncertainties |" in listing
    assert "baseline" in ok(sh(exe, "validate", "baseline", "devolution.toml", cwd=tmp_path))
    out = tmp_path / "study"
    ok(sh(exe, "compare", "baseline", "devolution", "--replicates", "2", "--workers", "1",
          "--out", out, "--report", out / "report.html", "--no-progress", cwd=tmp_path))
    manifest = json.loads((out / "manifest.json").read_text())
    assert list(manifest["scenarios"]) == ["baseline", "devolution"]
    assert manifest["planned"] == 4 and len(list((out / "chunks").glob("*.runs.parquet")))
    assert (out / "report.html").stat().st_size > 10_000


def test_init_copies_editable_templates_that_validate(core, tmp_path):
    exe = core / "missionsim"
    ok(sh(exe, "init", "mine", cwd=tmp_path))
    scenarios = sorted((tmp_path / "mine" / "scenarios").glob("*.toml"))
    sweeps = sorted((tmp_path / "mine" / "sweeps").glob("*.toml"))
    assert len(scenarios) >= 10 and len(sweeps) >= 1
    assert (tmp_path / "mine" / "scenarios" / "README.md").exists()
    ok(sh(exe, "validate", *scenarios, *sweeps, cwd=tmp_path))
    # a second init refuses to overwrite, with one line; --force overwrites
    again = sh(exe, "init", "mine", cwd=tmp_path)
    assert again.returncode == 2 and len(again.stderr.strip().splitlines()) == 1
    assert "--force" in again.stderr
    ok(sh(exe, "init", "mine", "--force", cwd=tmp_path))


def test_the_core_imports_no_extra_and_a_missing_extra_is_one_line(core, tmp_path):
    probe = ("import sys, missionsim, missionsim.experiments.study, "
             "missionsim.experiments.sweeps, missionsim.writeup.report, "
             "missionsim.cli, missionsim.connectors\n"
             "print(sorted(m for m in ('solara', 'ipyvuetify', 'distributed', 'dask', "
             "'dask_jobqueue', 'ema_workbench') if m in sys.modules))")
    assert ok(sh(core / "python", "-c", probe, cwd=tmp_path)).strip() == "[]"
    ui = sh(core / "missionsim", "ui", cwd=tmp_path)
    assert ui.returncode == 2
    assert ui.stderr.strip().splitlines() == [ui.stderr.strip()]
    assert "pip install 'missionsim[ui]'" in ui.stderr
    cluster = sh(core / "missionsim", "compare", "baseline", "--replicates", "1", "--out",
                 tmp_path / "c", "--scheduler", "tcp://127.0.0.1:9", cwd=tmp_path)
    assert cluster.returncode == 2 and len(cluster.stderr.strip().splitlines()) == 1
    assert "pip install 'missionsim[cluster]'" in cluster.stderr


def test_the_ui_extra_offers_the_shipped_scenarios(tmp_path, wheel):
    bin_dir = environment(tmp_path, f"missionsim[ui] @ {wheel.as_uri()}")
    probe = ("from missionsim.ui.live import choices\n"
             "from missionsim.ui.explain import MODEL_DOC\n"
             "print(','.join(choices())); print(MODEL_DOC.is_file())")
    lines = ok(sh(bin_dir / "python", "-c", probe, cwd=tmp_path)).splitlines()
    offered = lines[0].split(",")
    assert {"baseline", "devolution", "mission_ready"} <= set(offered)
    assert lines[1] == "True"
