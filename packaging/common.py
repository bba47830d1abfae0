"""What every installer recipe shares: names, the version, and what goes in the bundle.

The PyInstaller spec (one for all three platforms), the ``.deb`` builder, the Inno
Setup script generator and the macOS ``.dmg`` script all read from here, so the app's
name, version, icon and the list of Qt parts shipped cannot drift between platforms.

This module runs at build time only; it is not part of the app.
"""

from __future__ import annotations

import ast
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGING_DIR = REPO_ROOT / "packaging"
ICONS_DIR = REPO_ROOT / "resources" / "icons"
# Folders of the build, relative to the repository: PyInstaller's work files and the
# staged install of the project go under build/, everything shipped under dist/.
BUILD_DIR = REPO_ROOT / "build"
DIST_DIR = REPO_ROOT / "dist"
STAGE_DIR = BUILD_DIR / "stage"

APP_NAME = "PLM Desktop"
APP_ID = "plm-desktop"
# Reverse-DNS id for the macOS bundle and the Windows installer's AppId seed.
BUNDLE_ID = "app.plmdesktop.PLMDesktop"
PUBLISHER = "PLM Desktop"
SUMMARY = "Rank your advocates, celebrate their wins, share win cards"
HOMEPAGE = "https://plmdesktop.app"
MAINTAINER = "PLM Desktop <support@plmdesktop.app>"

# The name of the one-folder bundle under dist/, and of the executable inside it.
BUNDLE_NAME = APP_ID
EXECUTABLE_NAME = APP_ID
# Windows only: the executable that opens the window without a console (the menu entry
# starts it); EXECUTABLE_NAME stays the console command there.
WINDOWED_EXECUTABLE_NAME = APP_NAME

# The Qt modules the app is allowed to ship. PyInstaller collects only what the code
# imports; this list is the ceiling, and every other PySide6 module is excluded so that
# a library link or a hook cannot drag it in. tests/test_packaging.py fails when the Qt
# layer imports a module that is not listed here.
QT_MODULES = ("QtCore", "QtGui", "QtWidgets", "QtSvg", "QtSvgWidgets", "QtUiTools")

# Qt plugins kept, by plugin folder. Folders not listed are left out entirely. Within a
# listed folder, only files whose name contains one of the given stems are kept (None
# keeps the whole folder).
#  - platforms: the native one, plus "offscreen" for --self-test and headless runs.
#    Linux ships xcb only: Wayland sessions run it through XWayland, and the Wayland
#    plugin would pull in libwayland and its own Qt libraries.
#  - xcbglintegrations: OpenGL on X11, which Qt's widgets use when compositing.
#  - imageformats: the formats a founder may pick as a logo or that Qt draws icons from.
#  - iconengines: SVG icons.
#  - platforminputcontexts: dead keys and input methods (compose, ibus) so founders can
#    type accented and CJK names.
#  - platformthemes: the XDG portal (native file dialogs in sandboxes); gtk3 is left out
#    because it would make GTK 3 a dependency.
#  - styles: the native look on Windows and macOS.
_IMAGE_FORMATS = ("qgif", "qico", "qjpeg", "qsvg")
QT_PLUGINS: dict[str, dict[str, tuple[str, ...] | None]] = {
    "linux": {
        "platforms": ("qxcb", "qoffscreen"),
        "xcbglintegrations": None,
        "imageformats": _IMAGE_FORMATS,
        "iconengines": None,
        "platforminputcontexts": ("compose", "ibus"),
        "platformthemes": ("xdgdesktopportal",),
    },
    "win32": {
        "platforms": ("qwindows", "qoffscreen"),
        "imageformats": _IMAGE_FORMATS,
        "iconengines": None,
        "styles": None,
    },
    "darwin": {
        "platforms": ("qcocoa", "qoffscreen"),
        "imageformats": _IMAGE_FORMATS,
        "iconengines": None,
        "styles": None,
    },
}

# Standard-library and third-party modules the app never uses at run time but that
# PyInstaller would otherwise follow into (test frameworks, Tk, build tools).
PYTHON_EXCLUDES = (
    "tkinter",
    "_tkinter",
    "turtle",
    "pydoc_data",
    "lib2to3",
    "idlelib",
    "ensurepip",
    "venv",
    "pytest",
    "_pytest",
    "pytestqt",
    "pytest_xvfb",
    "ruff",
    "PyInstaller",
    "setuptools",
    "pip",
    # Pillow's AVIF and WebP codecs and its Tk bridge: cards are PNG and logos PNG or
    # JPEG, and Pillow treats these plugins as optional (about 6 MB with their libraries).
    "PIL._avif",
    "PIL._webp",
    "PIL._imagingtk",
    "PIL.ImageTk",
    # numpy's random, FFT and polynomial packages: the scoring engine uses arrays only.
    "numpy.random",
    "numpy.fft",
    "numpy.polynomial",
)


@dataclass(frozen=True)
class Platform:
    """The packaging facts of one target platform."""

    key: str  # "linux", "win32" or "darwin", as in sys.platform
    icon: Path  # the icon file the executable / bundle carries
    qt_plugins: dict[str, tuple[str, ...] | None]


def read_version() -> str:
    """The app's version, read from ``plm_desktop/__init__.py`` without importing it.

    Parsing instead of importing keeps the build independent of whatever the package
    would do on import, and works before the project is installed.
    """
    source = (REPO_ROOT / "plm_desktop" / "__init__.py").read_text("utf-8")
    for node in ast.parse(source).body:
        if not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Constant):
            continue
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        if "__version__" in names and isinstance(node.value.value, str):
            return node.value.value
    raise RuntimeError("plm_desktop/__init__.py sets no __version__ string")


def windows_app_id() -> str:
    """The Inno Setup AppId: derived from BUNDLE_ID so it never changes between builds
    (Windows recognises upgrades of the same app by it)."""
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_DNS, BUNDLE_ID)).upper() + "}"


def current_platform() -> Platform:
    """The platform this build runs on (PyInstaller does not cross-compile)."""
    key = "linux" if sys.platform.startswith("linux") else sys.platform
    if key not in QT_PLUGINS:
        raise RuntimeError(f"no packaging recipe for platform {sys.platform!r}")
    icon = {
        "linux": ICONS_DIR / f"{APP_ID}-256.png",
        "win32": ICONS_DIR / f"{APP_ID}.ico",
        "darwin": ICONS_DIR / f"{APP_ID}.icns",
    }[key]
    return Platform(key=key, icon=icon, qt_plugins=QT_PLUGINS[key])


def keep_qt_plugin(dest: str, plugins: dict[str, tuple[str, ...] | None]) -> bool:
    """Whether a bundled file at ``dest`` (a path inside the bundle) should stay.

    Files outside Qt's ``plugins`` folder always stay; plugins stay only when their
    folder is listed in ``plugins`` and their file name matches one of its stems.
    """
    parts = Path(dest).parts
    if "plugins" not in parts:
        return True
    index = parts.index("plugins")
    if index == 0 or parts[index - 1] not in ("Qt", "PySide6") or len(parts) < index + 3:
        return True
    folder, name = parts[index + 1], parts[-1]
    if folder not in plugins:
        return False
    stems = plugins[folder]
    return stems is None or any(stem in name for stem in stems)


def is_qt_translation(dest: str) -> bool:
    """Qt's own ``.qm`` translations: the app's interface is English only, so none ship."""
    parts = Path(dest).parts
    return "translations" in parts and dest.endswith(".qm")


def excluded_qt_modules(available: list[str]) -> list[str]:
    """``PySide6.<name>`` for every available Qt module the app does not ship."""
    return [f"PySide6.{name}" for name in sorted(available) if name not in QT_MODULES]
