"""Connectors from missionsim to other modelling tools.

Each connector lives in its own module and imports its tool only when it is used, so importing
missionsim never needs them:

- :mod:`missionsim.connectors.ema`: the EMA workbench (``pip install 'missionsim[ema]'``).
"""
