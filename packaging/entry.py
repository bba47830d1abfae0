"""The frozen app's entry point: the same ``plm-desktop`` command as the pip install."""

import sys

from plm_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
