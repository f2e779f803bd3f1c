"""The calibration's goodness of fit, as ``missionsim calibrate`` prints it."""

from __future__ import annotations

from missionsim.analysis.calibration import Calibration
from missionsim.writeup import markdown as md


def fit_table(calibration: Calibration) -> str:
    """Goodness of fit per target, as a Markdown table (observed, model, scaled distance).

    A fit to an observed series (rows with a ``month``) names each target by its month and
    measure, and shows the scale its distance is divided by.
    """
    series = bool(calibration.fit) and all("month" in row for row in calibration.fit)
    rows = [[*([str(row["month"]), row["measure"]] if series else [row["name"]]),
             f"{row['observed']:g} {row['unit']}", md.number(row["model"], 3),
             *([f"{row['scale']:g}"] if series else []),
             md.number(row["z"], 2, sign=True), row["source"]] for row in calibration.fit]
    if series:
        return md.table(["month", "measure", "observed", "model", "scale", "scaled distance",
                         "source"], rows, "rlrrrrl")
    return md.table(["target", "observed", "model", "scaled distance", "source"], rows, "lrrrl")
