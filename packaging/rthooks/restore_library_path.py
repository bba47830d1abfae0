"""PyInstaller runtime hook: give programs the app starts the system's library path.

On Linux the bundle's launcher re-executes itself with ``LD_LIBRARY_PATH`` pointing at
the bundle's libraries (keeping the caller's value in ``LD_LIBRARY_PATH_ORIG``). Every
program the app starts would inherit that: the browser opened for a LinkedIn share,
``xdg-open``, ``dbus-launch``, and could load the bundle's copies of libraries instead
of its own. The loader read the variable when this process started, so restoring it
now changes nothing for the app itself, only for what it starts.
"""

import os
import sys

if sys.platform.startswith("linux") and getattr(sys, "frozen", False):
    original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original:
        os.environ["LD_LIBRARY_PATH"] = original
    else:
        os.environ.pop("LD_LIBRARY_PATH", None)
