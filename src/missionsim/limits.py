"""Input limits, declared once and applied to files, the command line and the Python API.

Every limit here bounds what one request may cost: the memory of reading a file, the number
of runs a study plans, the size of a world, the length of a name or of a message. A value
beyond a limit is refused with one line naming the file and key (or the argument) and the
limit, before any work starts. The module imports nothing, so every layer may use it.
"""

MAX_FILE_BYTES = 1_000_000
"""Largest scenario, sweep or mission file read (bytes); larger files are refused unread."""

MAX_NESTING = 16
"""Deepest nesting of tables and arrays in a file (the scenario schema needs 4)."""

MAX_EXTENDS_DEPTH = 32
"""Longest chain of ``extends`` from one file."""

MAX_NAME_CHARS = 100
"""Longest scenario or sweep name (characters, after stripping spaces)."""

MAX_TEXT_CHARS = 2_000
"""Longest free text (a description)."""

MAX_KEY_CHARS = 100
"""Longest key quoted in a message; longer keys are shortened there."""

MAX_QUOTED_CHARS = 80
"""Longest value quoted in a message; longer values are shortened with an ellipsis."""

MAX_HORIZON = 600
"""Most months a run may simulate (50 years)."""

MAX_REPLICATES = 100_000
"""Most replicates per scenario in a study."""

MAX_RUNS = 1_000_000
"""Most runs one study (a comparison or a sweep) may plan."""

MAX_WORLD_AGENTS = 300_000
"""Largest world: organisations plus frontline posts at month 0 (the England preset has
about 31,000, so this is ten times England). A run's time grows with it."""

MAX_WORKERS = 1024
"""Most local worker processes a study may start."""

MAX_SEED = 2**63 - 1
"""Largest root or model seed (a non-negative 64-bit integer)."""

MAX_INTENSITY = 10.0
"""The largest intensity any reform accepts; each reform declares its own maximum
(``<reform>_max_intensity``), at most this."""

MAX_BUDGET = 1e9
"""The largest equal-cost budget (£m, a thousand times England's public spending)."""

CLUSTER_CONNECT_SECONDS = 10.0
"""How long a study waits to connect to a dask scheduler before giving up."""

CLUSTER_NO_WORKERS_SECONDS = 60.0
"""How long a study on a dask cluster waits with no worker before it stops (runs completed
until then are kept)."""


def quote(value: object, limit: int = MAX_QUOTED_CHARS) -> str:
    """``repr(value)`` on one line, shortened to ``limit`` characters with an ellipsis."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def whole_number(value: object, name: str, low: int = 0, high: int | None = None) -> int:
    """``value`` as an ``int`` when it is a whole number in ``[low, high]``.

    Booleans, floats (even ``2.0``) and strings are refused: a count or a seed written as
    ``1.5`` or ``"7"`` is a mistake to report, not to round.

    Raises:
        ValueError: One line naming the argument, the value (shortened) and what is allowed.
    """
    import numbers

    whole = not isinstance(value, bool) and isinstance(value, numbers.Integral)
    if whole and int(value) >= low and (high is None or int(value) <= high):
        return int(value)
    expected = (f"a whole number from {low:,} to {high:,}" if high is not None
                else f"a whole number ≥ {low:,}")
    raise ValueError(f"{name} = {quote(value)}: expected {expected}")


MAX_CHOICES_CHARS = 160
"""Longest list of allowed values quoted in a message; the rest are counted."""


def choices(names: list[str] | tuple[str, ...]) -> str:
    """Allowed values for a message, cut to :data:`MAX_CHOICES_CHARS` with a count."""
    shown: list[str] = []
    for name in names:
        if len(", ".join([*shown, name])) > MAX_CHOICES_CHARS:
            return f"{', '.join(shown)}, … ({len(names)} in all)"
        shown.append(name)
    return ", ".join(shown)

MAX_PATH_POINTS = 600
"""Most points in a time path (a reform's intensity, a policy setting or a mission's trend):
one a month over the longest run."""

MAX_PLACES = 10_000
"""Most places in a places file (England has 152 upper-tier councils)."""

MAX_TARGET_PLACES = MAX_PLACES
"""Most places a reform's ``target.places`` list may name (as many as a places file holds)."""

MAX_NEIGHBOURS = 20
"""Most statistical neighbours a place may list (the DfE lists ten)."""

MAX_CODE_CHARS = 20
"""Longest place code (ONS codes have nine characters)."""

MAX_TAKEUP = 200.0
"""Largest take-up of funded early education accepted (%): take-up is counted where children
attend, so a council with few residents and many places can exceed 100 (the City of London:
120 in 2017)."""


MAX_PATH_CHARS = 4_096
"""Longest file path a setting may give (a scenario's places file); the usual system limit."""


MAX_FUTURES = 1_000
"""Most futures in one advice's common ensemble (``missionsim advise --futures``)."""

MAX_POPULATION = 1_000
"""Largest population of an advice's package search (candidates per generation)."""

MAX_GENERATIONS = 1_000
"""Most generations of an advice's package search (the initial population is the first)."""

MAX_EVALUATIONS = 1_000_000
"""Most evaluations one advice may plan: population × generations × futures, each one run
(a package in one future). Equal to :data:`MAX_RUNS`, the most runs one study may plan."""

MAX_GRID = 100
"""Most values in one of an advice's grids (intensities, start months, targeting options)."""


MAX_ROOM_PARTICIPANTS = 40
"""Most participants who may join one room (``missionsim ui --room``): a large workshop."""

MAX_ROOM_PROPOSALS_EACH = 3
"""Most proposals one participant may hold in a room at once (withdraw one to add another)."""

MAX_ROOM_PROPOSALS = 12
"""Most proposals a room holds at once: the room's comparison runs each of them beside the
baseline, so this bounds its runs (with :data:`MAX_ROOM_REPLICATES`)."""

MAX_ROOM_REPLICATES = 20
"""Most paired replicates per proposal in a room's comparison (13 scenarios × 20 replicates
is 260 runs, a few minutes on a laptop)."""

MAX_ROOM_HORIZON = 120
"""Most months a room's runs simulate (ten years, the shipped baseline's horizon)."""

MAX_PROPOSAL_NAME_CHARS = 40
"""Longest name of a proposal in a room (characters), short enough for a chart's legend."""

MAX_JOIN_ATTEMPTS = 10
"""Wrong room codes one browser session may type before it is refused for good: guessing one
of 31⁶ codes ten at a time is hopeless."""
