"""Build the ``.deb`` from the one-folder bundle.

Layout of the package:

* ``/opt/plm-desktop/``: the bundle as PyInstaller made it;
* ``/usr/bin/plm-desktop``: a symlink to the bundle's executable (PyInstaller's launcher
  finds its files through ``/proc/self/exe``, so a symlink is enough);
* ``/usr/share/applications/plm-desktop.desktop``: the applications-menu entry;
* ``/usr/share/icons/hicolor/<N>x<N>/apps/plm-desktop.png``: the icon at every size;
* ``/usr/share/doc/plm-desktop/copyright``: the licences of what the bundle carries.

The icon cache and the menu are refreshed by the triggers of ``hicolor-icon-theme`` and
``desktop-file-utils`` when those are installed, so the package needs no maintainer
scripts. ``Depends`` is ``depends.txt``, checked against the bundle before building.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import libdeps  # noqa: E402

INSTALL_DIR = Path("opt") / common.APP_ID

_DESKTOP_ENTRY = """[Desktop Entry]
Type=Application
Version=1.5
Name={name}
GenericName=Advocate marketing
Comment={summary}
Exec={app_id} %F
TryExec={app_id}
Icon={app_id}
Terminal=false
Categories=Office;Network;
Keywords=advocates;power users;win cards;Slack;LinkedIn;marketing;
MimeType=text/csv;
StartupNotify=true
StartupWMClass={name}
"""

_COPYRIGHT = """Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: {name}
Comment: The bundle under /opt/{app_id} carries Python (PSF licence), Qt and PySide6
 (LGPL-3.0, as unmodified shared libraries in /opt/{app_id}/_internal/PySide6),
 Pillow (MIT-CMU), httpx (BSD-3-Clause), keyring (MIT), the Inter font (SIL OFL 1.1,
 licence beside the font files in _internal/plm_desktop/resources_data/fonts) and the
 libraries those link. Each keeps its own licence.

Files: *
Copyright: {publisher}
License: Proprietary
"""


def architecture() -> str:
    """The Debian architecture of this machine (the bundle is native code)."""
    return subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()


def _installed_size_kib(root: Path) -> int:
    total = sum(p.lstat().st_size for p in root.rglob("*") if not p.is_dir())
    return (total + 1023) // 1024


def control_text(
    version: str,
    arch: str,
    depends: list[str],
    installed_kib: int,
    recommends: list[str] | None = None,
) -> str:
    """The ``DEBIAN/control`` file."""
    recommends_line = f"Recommends: {', '.join(recommends)}\n" if recommends else ""
    return (
        f"Package: {common.APP_ID}\n"
        f"Version: {version}\n"
        f"Architecture: {arch}\n"
        f"Maintainer: {common.MAINTAINER}\n"
        f"Installed-Size: {installed_kib}\n"
        f"Depends: {', '.join(depends)}\n"
        f"{recommends_line}"
        "Section: misc\n"
        "Priority: optional\n"
        f"Homepage: {common.HOMEPAGE}\n"
        f"Description: {common.SUMMARY}\n"
        " PLM Desktop ranks every user of your product with the power-user model, finds\n"
        " the wins worth celebrating, designs branded win cards and prepares personal\n"
        " Slack messages and LinkedIn or X posts. Your data stays in one SQLite file.\n"
    )


def stage_tree(bundle: Path, root: Path, version: str, arch: str) -> Path:
    """Lay out the package's files under ``root``; returns ``root``."""
    if root.exists():
        shutil.rmtree(root)
    app_dir = root / INSTALL_DIR
    shutil.copytree(bundle, app_dir, symlinks=True)

    bin_dir = root / "usr" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / common.APP_ID).symlink_to(Path("/") / INSTALL_DIR / common.EXECUTABLE_NAME)

    apps = root / "usr" / "share" / "applications"
    apps.mkdir(parents=True)
    (apps / f"{common.APP_ID}.desktop").write_text(
        _DESKTOP_ENTRY.format(name=common.APP_NAME, summary=common.SUMMARY, app_id=common.APP_ID)
    )

    for png in sorted(common.ICONS_DIR.glob(f"{common.APP_ID}-*.png")):
        size = png.stem.rsplit("-", 1)[1]
        target = root / "usr/share/icons/hicolor" / f"{size}x{size}" / "apps"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(png, target / f"{common.APP_ID}.png")

    doc = root / "usr" / "share" / "doc" / common.APP_ID
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(
        _COPYRIGHT.format(name=common.APP_NAME, app_id=common.APP_ID, publisher=common.PUBLISHER)
    )

    declared = libdeps.read_declared()
    debian = root / "DEBIAN"
    debian.mkdir()
    (debian / "control").write_text(
        control_text(
            version,
            arch,
            list(declared.all),
            _installed_size_kib(root),
            recommends=list(declared.recommends),
        )
    )
    for path in root.rglob("*"):
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() or path.stat().st_mode & 0o111 else 0o644)
    return root


def build_deb(bundle: Path, out_dir: Path, work_dir: Path) -> Path:
    """Check Depends against ``bundle``, stage the tree and run ``dpkg-deb``.

    zstd at level 9: about 6 s and 59 MB here, where level 19 saves 6 MB for a minute
    and xz takes minutes on two cores. Returns the ``.deb`` path.
    """
    lines = libdeps.check(bundle, libdeps.read_declared())
    print("deb: system libraries the bundle links, all in Depends:")
    for line in lines:
        print(f"  {line}")

    version = common.read_version()
    arch = architecture()
    root = stage_tree(bundle, work_dir / "deb-root", version, arch)
    out_dir.mkdir(parents=True, exist_ok=True)
    deb = out_dir / f"{common.APP_ID}_{version}_{arch}.deb"
    subprocess.run(
        [
            "dpkg-deb",
            "--root-owner-group",
            "-Zzstd",
            "-z9",
            "--build",
            str(root),
            str(deb),
        ],
        check=True,
    )
    return deb
