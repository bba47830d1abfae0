"""The packaging recipes' shared parts, without running PyInstaller (CI builds for real)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from PIL import Image

import plm_desktop

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "packaging"), str(REPO / "packaging" / "linux")]

import common  # noqa: E402
import deb  # noqa: E402
import libdeps  # noqa: E402
import make_icons  # noqa: E402

_QT_IMPORT = re.compile(r"(?:from|import)\s+PySide6\.(Qt\w+)|from\s+PySide6\s+import\s+([\w, ]+)")


def test_version_is_read_from_the_one_place() -> None:
    assert common.read_version() == plm_desktop.__version__


def test_every_qt_module_the_app_imports_is_shipped() -> None:
    imported = set()
    for path in (REPO / "plm_desktop").rglob("*.py"):
        for dotted, listed in _QT_IMPORT.findall(path.read_text("utf-8")):
            imported |= {dotted} if dotted else {n.strip() for n in listed.split(",")}
    assert imported, "found no PySide6 import at all: the scan is broken"
    assert imported <= set(common.QT_MODULES), (
        f"add to packaging/common.py QT_MODULES: {sorted(imported - set(common.QT_MODULES))}"
    )


def test_unused_qt_modules_are_excluded() -> None:
    excluded = common.excluded_qt_modules(["QtCore", "QtGui", "QtNetwork", "QtQml", "QtWidgets"])
    assert excluded == ["PySide6.QtNetwork", "PySide6.QtQml"]


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
        ("PySide6/Qt/plugins/imageformats/libqpdf.so", False),
        ("PySide6/Qt/plugins/egldeviceintegrations/libqeglfs-kms-integration.so", False),
        ("PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so", True),
        ("PySide6/Qt/lib/libQt6Core.so.6", True),
        ("plm_desktop/resources_data/plugins/readme.txt", True),
    ],
)
def test_linux_qt_plugin_selection(dest: str, kept: bool) -> None:
    assert common.keep_qt_plugin(dest, common.QT_PLUGINS["linux"]) is kept


def test_windows_plugin_layout_is_understood() -> None:
    plugins = common.QT_PLUGINS["win32"]
    assert common.keep_qt_plugin("PySide6/plugins/platforms/qwindows.dll", plugins)
    assert not common.keep_qt_plugin("PySide6/plugins/platforms/qdirect2d.dll", plugins)


def test_qt_translations_are_left_out_but_app_files_are_not() -> None:
    assert common.is_qt_translation("PySide6/Qt/translations/qtbase_de.qm")
    assert not common.is_qt_translation("plm_desktop/resources_data/fonts/Inter-Bold.otf")


def test_committed_icons_match_the_drawing_script(tmp_path: Path) -> None:
    written = make_icons.write_icons(tmp_path)

    for size in make_icons.ICON_SIZES:
        with (
            Image.open(tmp_path / f"plm-desktop-{size}.png") as fresh,
            Image.open(common.ICONS_DIR / f"plm-desktop-{size}.png") as committed,
        ):
            assert fresh.size == committed.size == (size, size)
            assert fresh.mode == "RGBA"
            assert fresh.tobytes() == committed.tobytes(), f"run packaging/make_icons.py ({size})"
    with Image.open(tmp_path / "plm-desktop.ico") as ico:
        assert (256, 256) in ico.info["sizes"] and (16, 16) in ico.info["sizes"]
    assert {p.name for p in written} >= {"plm-desktop.icns", "plm-desktop.png"}


def test_icon_is_opaque_in_the_middle_and_clear_in_the_corner() -> None:
    image = make_icons.draw_icon(128)
    assert image.getpixel((0, 0))[3] == 0
    assert image.getpixel((64, 64))[3] == 255


def test_declared_depends_parse(tmp_path: Path) -> None:
    declared = libdeps.read_declared()
    assert "libc6" in declared.libraries
    assert "fontconfig-config" in declared.data
    assert "libfribidi0" in declared.recommends

    bad = tmp_path / "depends.txt"
    bad.write_text("libc6\nlibgl1 [maybe]\n")
    with pytest.raises(libdeps.DependsError, match=r"depends.txt:2: .*\[maybe\]"):
        libdeps.read_declared(bad)


def test_loaded_libraries_count_only_for_the_app_process(tmp_path: Path) -> None:
    bundle = tmp_path / "opt" / "plm-desktop"
    log = "\n".join(
        [
            "       101:\tinitialize program: plm-desktop",
            "       101:\ttransferring control: plm-desktop",
            f"       101:\tcalling init: {bundle}/_internal/libpython3.11.so.1.0",
            "       101:\tcalling init: /lib/x86_64-linux-gnu/libGL.so.1",
            "       102:\ttransferring control: /usr/bin/dbus-daemon",
            "       102:\tcalling init: /lib/x86_64-linux-gnu/libselinux.so.1",
        ]
    )

    assert libdeps.loaded_outside(log, bundle) == {"/lib/x86_64-linux-gnu/libGL.so.1"}


def test_deb_tree_layout_and_control(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "plm-desktop").write_text("#!/bin/sh\n")
    (bundle / "plm-desktop").chmod(0o755)

    root = deb.stage_tree(bundle, tmp_path / "root", "9.8.7", "amd64")

    launcher = root / "usr/bin/plm-desktop"
    assert launcher.is_symlink()
    assert str(launcher.readlink()) == "/opt/plm-desktop/plm-desktop"
    assert (root / "opt/plm-desktop/plm-desktop").stat().st_mode & 0o111
    desktop = (root / "usr/share/applications/plm-desktop.desktop").read_text()
    assert "Exec=plm-desktop %F" in desktop and "Icon=plm-desktop" in desktop
    for size in make_icons.ICON_SIZES:
        assert (root / f"usr/share/icons/hicolor/{size}x{size}/apps/plm-desktop.png").is_file()
    control = (root / "DEBIAN/control").read_text()
    assert "Version: 9.8.7\n" in control
    declared = libdeps.read_declared()
    assert f"Depends: {', '.join(declared.all)}\n" in control
    assert "Recommends: libfribidi0\n" in control
