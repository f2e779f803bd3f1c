"""The README's quick start and Python examples are true."""

import re
from pathlib import Path

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_readme_shows_the_two_commands():
    assert "make demo" in README and "make test" in README


def test_readme_python_examples_run():
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert len(blocks) >= 2
    namespace: dict = {}
    for block in blocks:
        # the same code, made small: fewer seeds and months
        code = block.replace("rng=range(10)", "rng=range(2)").replace('"horizon": 60',
                                                                          '"horizon": 6')
        code = code.replace('preset="workshop"', 'preset="small"')
        exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102
    assert namespace["model"].month == 120
    assert len(namespace["results"]) == 3 * 2
