"""The workshop browser app (Solara): Explore, Compare and Explain pages.

Start it with ``missionsim ui`` (or ``make ui``); :func:`missionsim.ui.server.serve` does the
same from Python. Importing this package imports nothing heavy; the pages import Solara, which
comes with the ``ui`` extra (``pip install 'missionsim[ui]'``).
"""
