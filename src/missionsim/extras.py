"""Optional extras: what each needs, and one line naming the install when it is missing.

The core install runs the model, scenario files, studies on local processes, the results
store, statistics, sweeps and the HTML report. The rest are extras (``pyproject.toml``):

- ``ui``: the workshop browser app (Solara);
- ``cluster``: studies on a dask.distributed cluster, SLURM included (dask-jobqueue);
- ``ema``: the EMA workbench connector.

:func:`require` checks for an extra's modules without importing them, so a missing extra is
reported before any work starts.
"""

from __future__ import annotations

import importlib.util

EXTRAS = {
    "ui": ("solara", "ipyvuetify", "markdown"),
    "cluster": ("distributed",),
    "ema": ("ema_workbench",),
    "advise": ("pymoo", "ema_workbench", "sklearn"),
}
"""Modules each extra provides (checked by :func:`require`)."""


class MissingExtra(ImportError):
    """An optional extra is not installed; the message is one line naming the install."""


def require(extra: str, feature: str) -> None:
    """Raise :class:`MissingExtra` when ``extra``'s modules are not installed.

    Args:
        extra: One of :data:`EXTRAS`.
        feature: What needs it, for the message (``"the browser app"``).
    """
    missing = [m for m in EXTRAS[extra] if importlib.util.find_spec(m) is None]
    if missing:
        raise MissingExtra(f"{feature} needs the '{extra}' extra ({', '.join(missing)} not "
                           f"installed): pip install 'missionsim[{extra}]'")
