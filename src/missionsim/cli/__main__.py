"""``python -m missionsim.cli``: the ``missionsim`` command."""

import sys

from missionsim.cli import main

sys.exit(main())
