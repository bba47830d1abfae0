"""Allow ``python -m plm_desktop``."""

import sys

from plm_desktop.cli import main

sys.exit(main())
