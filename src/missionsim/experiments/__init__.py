"""Running the model: scenario and sweep files, runs, studies, executors and the results store.

- ``files``: the strict-TOML base that scenario and sweep files share; ``scenario``: the
  scenario schema and loading; ``sweeps/``: sweep files, designs and running them;
- ``runner``: one run (``run(scenario, seed)``, :class:`~missionsim.experiments.runner.RunSpec`);
- ``study``: many runs (``compare``, ``replicate``, ``execute``) under one
  :class:`~missionsim.experiments.options.RunOptions` (``options``);
- ``executors/``: serial, local processes or a dask cluster; ``store/``: the Parquet results
  store; ``results``: the tables of a study, read back; ``live``: one run stepped for the app.

This layer uses ``model`` and is used by ``analysis``, ``writeup``, ``ui`` and the CLI.
"""
