"""Access to the bundled files in ``resources/`` and the Designer forms in ``ui/``.

Both folders sit at the top of the repository and are installed as the packages
``plm_desktop.resources_data`` and ``plm_desktop.forms`` (see ``pyproject.toml``), so
they are found through :mod:`importlib.resources` in a checkout, an installed wheel and a
frozen bundle alike.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

_RESOURCES_PACKAGE = "plm_desktop.resources_data"
_FORMS_PACKAGE = "plm_desktop.forms"


def resource(*parts: str) -> Traversable:
    """A file or folder under ``resources/``, e.g. ``resource("fonts", "Inter.ttf")``."""
    node = resources.files(_RESOURCES_PACKAGE)
    for part in parts:
        node = node.joinpath(part)
    return node


def resource_path(*parts: str) -> Path:
    """Like :func:`resource` but as a real filesystem path.

    Pillow, Qt and sqlite need real paths; every way the app is installed (checkout,
    wheel, PyInstaller one-folder bundle) keeps these files on disk, so this holds.
    """
    return Path(str(resource(*parts)))


def form_path(name: str) -> Path:
    """The path of the Designer form ``ui/<name>``."""
    return Path(str(resources.files(_FORMS_PACKAGE).joinpath(name)))
