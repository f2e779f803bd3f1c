"""Running the model: scenario and sweep files, runs, studies, executors and the results store.

This layer uses ``model`` and is used by ``analysis``, ``writeup``, ``ui`` and the CLI.
"""
