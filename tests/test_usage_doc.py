"""docs/usage.md stays true: its Python examples run, its commands and options exist, and it
(with scenarios/README.md) lists every shipped scenario file."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from missionsim.cli import main
from missionsim.experiments.scenario import load_scenario, shipped_dir
from missionsim.experiments.sweeps import load_sweep
from missionsim.model.reforms import REFORMS

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "usage.md"
TEXT = GUIDE.read_text(encoding="utf-8")

# Made smaller for the test, each replacement checked so that none goes stale: the guide's
# local cluster opens dask's dashboard, which a test does not need.
SUBSTITUTIONS = [
    ("LocalCluster(n_workers=2, threads_per_worker=1)",
     "LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)"),
]

FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
COMMAND = re.compile(r"(?:^|(?<=[\s/]))missionsim[ \t]+(--?[\w-]+|[A-Za-z][\w-]*)([^\n|>;&]*)")
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


def python_blocks(text: str) -> list[str]:
    return [body for lang, body in FENCE.findall(text) if lang == "python"]


def shell_snippets(text: str) -> list[str]:
    """Command lines of the non-Python code blocks (continuations joined, comments cut) and
    every inline code span outside the blocks."""
    snippets = []
    for lang, body in FENCE.findall(text):
        if lang == "python":
            continue
        for line in body.replace("\\\n", " ").splitlines():
            snippets.append(re.sub(r"(^|\s)#.*$", "", line))
    outside = FENCE.sub("", text)
    snippets += re.findall(r"`([^`\n]+)`", outside)
    return snippets


def mentioned_commands(text: str) -> list[tuple[str, list[str]]]:
    """Every ``missionsim COMMAND ...`` shown, with the options written after it."""
    found = []
    for snippet in shell_snippets(text):
        for match in COMMAND.finditer(snippet):
            word, rest = match.groups()
            if word.startswith("-"):  # `missionsim --help`: an option of the program itself
                found.append(("", [word, *OPTION.findall(rest)]))
            else:
                found.append((word, OPTION.findall(rest)))
    return found


@pytest.fixture
def helps(capsys) -> dict[str, str]:
    """``--help`` of the program ("") and of every command it lists, read through the CLI."""

    def read(*command: str) -> str:
        capsys.readouterr()
        assert main([*command, "--help"]) == 0
        return capsys.readouterr().out

    top = read()
    listed = re.search(r"^Commands:\n(.*)", top, re.M | re.S)
    assert listed, top
    names = re.findall(r"^  ([a-z][\w-]*)  ", listed.group(1), re.M)
    assert names, top
    return {"": top, **{name: read(name) for name in names}}


def test_python_examples_run(tmp_path, monkeypatch):
    blocks = python_blocks(TEXT)
    assert len(blocks) >= 10, "docs/usage.md lost its Python examples"
    for folder in ("scenarios", "sweeps"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)  # the examples use paths relative to the repository's root
    code = "\n".join(blocks)
    for old, _ in SUBSTITUTIONS:
        assert old in code, f"docs/usage.md no longer contains {old!r}"
    # run as a script does, so the `if __name__ == "__main__":` examples run too
    namespace: dict = {"__name__": "__main__"}
    for i, block in enumerate(blocks, 1):
        for old, new in SUBSTITUTIONS:
            block = block.replace(old, new)
        exec(compile(block, f"<docs/usage.md: python block {i}>", "exec"), namespace)  # noqa: S102
    results = tmp_path / "results"
    assert (results / "quick" / "manifest.json").is_file()
    assert (results / "quick" / "report.html").is_file()
    assert (results / "quick-screen" / "manifest.json").is_file()
    assert namespace["stored"].complete and len(namespace["stored"].runs) == 10
    assert set(namespace["parallel"].runs["scenario"]) == {"baseline", "devolution"}
    assert namespace["on_dask"].months.equals(namespace["results"].months)


def test_every_command_shown_is_real(helps):
    shown = mentioned_commands(TEXT)
    commands = {c for c, _ in shown}
    assert {"run", "compare", "sweep", "sensitivity", "report", "validate", "list"} <= commands
    for command, _ in shown:
        if command and not command.isupper():  # COMMAND is a placeholder
            assert command in helps, f"docs/usage.md shows `missionsim {command}`: no such command"


def test_every_option_shown_is_in_the_help(helps):
    for command, options in mentioned_commands(TEXT):
        targets = [t for t in helps if t] if command.isupper() else [command]
        for option in options:
            for target in targets:
                assert option in OPTION.findall(helps[target]), (
                    f"docs/usage.md shows `missionsim {command} {option}`, but "
                    f"`missionsim {target} --help` has no {option}")


def test_option_tables_match_the_help(helps):
    """Options named in a section about a command (its table and notes) are that command's."""
    sections = re.split(r"^### ", FENCE.sub("", TEXT), flags=re.M)[1:]
    checked = 0
    for section in sections:
        title, _, body = section.partition("\n")
        named = re.findall(r"missionsim (\w+)", title)
        if not named:
            continue
        for option in set(re.findall(r"`(--[a-z][a-z-]*)", body)):
            assert any(option in OPTION.findall(helps[c]) for c in named), (
                f"docs/usage.md, section '{title}': {option} is not an option of "
                + " or ".join(f"`missionsim {c}`" for c in named))
            checked += 1
    assert checked >= 10


def test_scenario_examples_are_valid(tmp_path):
    blocks = [body for lang, body in FENCE.findall(TEXT) if lang == "toml"]
    assert blocks, "docs/usage.md shows no scenario file"
    folder = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", folder)  # `extends = "baseline.toml"` resolves here
    shutil.copytree(ROOT / "places", tmp_path / "places")  # as `missionsim init` lays them out
    for i, block in enumerate(blocks, 1):
        path = folder / f"example_{i}.toml"
        path.write_text(block, encoding="utf-8")
        assert load_scenario(path).reform_settings(), f"TOML block {i} sets no reform"


def test_files_the_guide_names_exist():
    created = set(re.findall(r"\bcp \S+ (\S+)", TEXT))
    for path in set(re.findall(r"\b((?:scenarios|sweeps)/[\w.-]+\.toml)\b", TEXT)):
        assert path in created or (ROOT / path).is_file(), f"docs/usage.md names {path}"


def test_sweep_table_gives_the_runs_of_each_file():
    rows = re.findall(r"^\| `(sweeps/[\w.-]+\.toml)` \|[^|]*\| ([\d,]+) \|", TEXT, re.M)
    assert len(rows) == len(list((ROOT / "sweeps").glob("*.toml")))
    for path, runs in rows:
        assert load_sweep(ROOT / path).n_runs == int(runs.replace(",", "")), path


def test_the_demo_is_described_as_the_makefile_runs_it():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    listed = re.search(r"^DEMO_SCENARIOS :=(.*?)(?<!\\)\n", makefile, re.M | re.S)
    assert listed, "Makefile has no DEMO_SCENARIOS"
    names = listed.group(1).replace("\\\n", " ").split()
    demo = TEXT.split("## 2 ")[0]
    for name in names:
        assert f"scenarios/{name}.toml" in demo, f"docs/usage.md section 1 lacks {name}"
    assert f"{len(names)} scenarios" in demo


@pytest.mark.parametrize("path", sorted(shipped_dir().glob("*.toml")), ids=lambda p: p.name)
def test_every_shipped_scenario_is_listed(path):
    readme = (ROOT / "scenarios" / "README.md").read_text(encoding="utf-8")
    # scenarios/README.md lists the nine single-reform files in one row, "named after the reform"
    one_row = "one file per reform" in readme and "named after the reform" in readme
    assert f"`{path.name}`" in readme or (one_row and path.stem in REFORMS), (
        f"scenarios/README.md does not list {path.name}")
    assert f"`{path.name}`" in TEXT, f"docs/usage.md does not list {path.name}"


@pytest.mark.parametrize("reform", sorted(REFORMS))
def test_every_reform_has_its_own_scenario_file(reform):
    assert (shipped_dir() / f"{reform}.toml").is_file()
