"""``python -m missionsim``: the ``missionsim`` command."""

import sys

from missionsim.cli import main

sys.exit(main())
