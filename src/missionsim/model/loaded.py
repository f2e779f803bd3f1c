"""Importing this module compiles, or loads from numba's cache, every kernel (:func:`warm`).

A fork server preloads it (``missionsim.experiments.executors.local``), so that the workers
it forks start with the kernels loaded: on a fresh install the fork server compiles them once
and writes the cache, where each worker would otherwise compile them at once on the same
cores (about 40 s of work each on 2 cores).
"""

from __future__ import annotations

from missionsim.model.kernels import warm

warm()
