"""The errors missionsim reports to users, in a module that imports nothing.

Each message is one line. The CLI prints it and exits with status 2 (the input or the
environment is at fault) or 1 (a run failed inside the model); ``import missionsim.errors``
is cheap, so the CLI can catch them without loading the model.
"""


class ScenarioError(ValueError):
    """A scenario (or sweep) file or mapping is invalid; the message is one line."""


class StoreError(ValueError):
    """The output folder cannot be used as asked (the message is one line)."""


class RunError(RuntimeError):
    """A run failed inside the model; the message names the run."""


class ClusterError(RuntimeError):
    """The dask cluster cannot be used: unreachable, not a scheduler, lost or without workers.

    Runs completed before the fault are kept in the store; the message is one line.
    """
