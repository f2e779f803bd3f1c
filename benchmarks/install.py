"""Install size and time of each extra, from a wheel, into fresh virtual environments.

Usage::

    .venv/bin/python benchmarks/install.py                 # core, each extra, all
    .venv/bin/python benchmarks/install.py --json benchmarks/results/install.json
    .venv/bin/python benchmarks/install.py --cold          # an empty uv cache: downloads too

The wheel is built from the checkout; each install goes into a new environment in a temporary
folder with ``uv pip install``, constrained by ``requirements.lock`` (the suite's versions).
The table gives the packages installed, the size of the environment on disk and the time of
the install. With a warm uv cache (the default: the one ``make`` filled) the time is mostly
linking; ``--cold`` uses an empty cache, so it includes every download.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from configurations import markdown_table, package_version

ROOT = Path(__file__).resolve().parents[1]
UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or "uv"
EXTRAS = ("", "ui", "cluster", "ema", "all")
"""What is installed: the core alone, then each extra, then all of them."""


def build_wheel(folder: Path) -> Path:
    """The wheel of the checkout, built without network (the venv's setuptools)."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(folder), str(ROOT)], check=True, cwd=folder,
                   capture_output=True)
    return next(folder.glob("missionsim-*.whl"))


def size_mb(folder: Path) -> float:
    """Bytes of the files under ``folder``, in MB."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()
               ) / 1e6


def install(wheel: Path, extra: str, work: Path, env: dict[str, str]) -> dict[str, float]:
    """Install ``wheel[extra]`` into a new environment; its packages, size and seconds."""
    venv = work / (extra or "core")
    subprocess.run([UV, "venv", "-q", "--python", sys.executable, str(venv)], check=True,
                   env=env)
    requirement = f"missionsim[{extra}] @ {wheel.as_uri()}" if extra else str(wheel)
    start = time.perf_counter()
    subprocess.run([UV, "pip", "install", "-q", "--python", str(venv / "bin" / "python"),
                    requirement, "-c", str(ROOT / "requirements.lock")], check=True, env=env)
    seconds = time.perf_counter() - start
    listed = subprocess.run([UV, "pip", "list", "--format", "json", "--python",
                             str(venv / "bin" / "python")], check=True, env=env,
                            capture_output=True, text=True).stdout
    return {"packages": len(json.loads(listed)), "size_mb": size_mb(venv), "seconds": seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--cold", action="store_true", help="use an empty uv cache")
    args = parser.parse_args()
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = dict(os.environ)
        if args.cold:
            env["UV_CACHE_DIR"] = str(work / "cache")
        wheel = build_wheel(work)
        for extra in EXTRAS:
            if args.cold:
                shutil.rmtree(work / "cache", ignore_errors=True)
            figures[extra or "core"] = install(wheel, extra, work, env)
    rows = [[name if name == "core" else f"[{name}]", str(f["packages"]),
             f"{f['size_mb']:.0f}", f"{f['seconds']:.1f}"] for name, f in figures.items()]
    cache = "empty uv cache (downloads included)" if args.cold else "warm uv cache"
    print(f"# Install size per extra ({cache})\n")
    print(markdown_table(["install", "packages", "MB on disk", "install s"], rows, "lrrr"))
    machine = {"python": platform.python_version(), "machine": platform.machine(),
               "uv": package_version("uv"),
               "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")}
    print("\n" + ", ".join(f"{k} {v}" for k, v in machine.items()))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"machine": machine, "cold": args.cold,
                                         "figures": figures}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
