"""Room mode (``missionsim ui --room``): a room proposes packages, the facilitator compares.

A facilitator opens a room; participants join from their own devices with the printed room
code, each proposes up to a few reform packages within the room's budget, and the
facilitator's page gathers them, runs them as one paired comparison against the baseline (and,
if asked, a small advice search for the budget's Pareto front), then shows the results to the
room. ``docs/ui.md`` ("Room mode") is the guide.

Modules, one concern each:

- :mod:`~.settings`: the room's settings, codes and checks of what is typed (no Solara);
- :mod:`~.state`: :class:`~.state.Room`, the room's state behind one lock (no Solara);
- :mod:`~.advice`: the room's advice search and the front chart's data (no Solara);
- :mod:`~.launch`: from the command to the server's one room;
- :mod:`~.participant`, :mod:`~.facilitator`, :mod:`~.shared`: the pages;
- :mod:`~.pages`: the room's routes and layout.
"""
