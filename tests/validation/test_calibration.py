"""The calibration procedure: reproducible, bounded, and honest about its fit (reduced size)."""

from __future__ import annotations

import json

from missionsim import calibration
from missionsim.cli import main
from missionsim.missions import MISSIONS

SMALL = {"seeds": (0, 1), "preset": "small", "max_evaluations": 6}


def test_calibration_reproduces_and_reports_every_target(tmp_path):
    first = calibration.calibrate(**SMALL)
    second = calibration.calibrate(**SMALL)
    assert first.values == second.values and first.objective == second.objective
    assert [row["name"] for row in first.fit] == [t.name for t in calibration.TARGETS]
    for name, value in first.values.items():
        lo, hi = calibration.FREE[name]
        assert lo <= value <= hi
    # the reported objective is the distance of the reported moments
    reported = {row["name"]: row["model"] for row in first.fit}
    assert abs(calibration.distance(reported) - first.objective) < 1e-9
    # and re-running the model at the fitted values gives those moments again
    import dataclasses

    again = calibration.moments(dataclasses.replace(MISSIONS["early_years"], **first.values),
                                SMALL["seeds"], SMALL["preset"])
    assert again == reported
    assert first.objective <= calibration.distance(
        {r["name"]: r["model"] for r in calibration.current_fit(SMALL["seeds"],
                                                                SMALL["preset"])}) + 1e-9
    path = tmp_path / "fit.json"
    path.write_text(first.to_json())
    assert calibration.Calibration.load(path) == first
    assert {"method", "data", "seeds", "preset", "date", "version"} <= set(first.procedure)
    assert "early_years" == first.mission and "_calibrating" not in "".join(MISSIONS)


def test_calibrate_command_writes_the_fit_with_its_provenance(tmp_path, capsys):
    out = tmp_path / "calibration.json"
    status = main(["calibrate", "--out", str(out), "--seeds", "2", "--preset", "small",
                   "--max-evaluations", "4", "--no-progress"])
    assert status == 0
    data = json.loads(out.read_text())
    assert set(data["values"]) == set(calibration.FREE)
    assert "| gain_per_year |" in capsys.readouterr().out
    assert main(["calibrate", "--out", str(out), "--preset", "moon"]) == 2
