"""The calibration's goodness of fit, as ``missionsim calibrate`` prints it."""

from __future__ import annotations

from missionsim.analysis.calibration import Calibration
from missionsim.writeup import markdown as md


def fit_table(calibration: Calibration) -> str:
    """Goodness of fit per target, as a Markdown table (observed, model, scaled distance)."""
    rows = [[row["name"], f"{row['observed']:g} {row['unit']}", md.number(row["model"], 3),
             md.number(row["z"], 2, sign=True), row["source"]] for row in calibration.fit]
    return md.table(["target", "observed", "model", "scaled distance", "source"], rows, "lrrrl")
