"""PLM Desktop: product-led marketing by hand, on the founder's own laptop.

The engine (store, import, scoring, milestones, cards, copy, sharing, outbox, loop, CLI)
is plain Python and never imports Qt; the Qt layer lives in :mod:`plm_desktop.gui`.
"""

# The one place the version is set: pyproject.toml, the CLI, the About dialog and the
# installer recipes all read it from here.
__version__ = "0.1.0"

APP_NAME = "PLM Desktop"
APP_ID = "plm-desktop"
