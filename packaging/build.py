"""``make package``: the one build command for the installers.

Steps, each timed:

1. stage: install the project (no dependencies) into ``build/stage`` so the bundle is
   made from exactly what a pip install holds, resources and forms included;
2. bundle: PyInstaller with ``packaging/plm-desktop.spec`` -> ``dist/plm-desktop/``
   (on macOS also ``dist/PLM Desktop.app``);
3. installer: on Linux the ``.deb`` (``packaging/linux/deb.py``); on Windows
   ``setup.exe`` with Inno Setup (``packaging/windows/plm-desktop.iss``) and on macOS a
   ``.dmg`` (``packaging/macos/make-dmg.sh``). The Windows and macOS steps are
   UNTESTED: they cannot run on the Linux machine where this is built and checked.

Prints the bundle and installer sizes and the time of each step at the end.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402


def _run(command: list[str], **kwargs) -> None:
    print("+ " + " ".join(command), flush=True)
    subprocess.run(command, check=True, **kwargs)


def folder_size(path: Path) -> int:
    """Bytes of the regular files under ``path`` (symlinks counted as links)."""
    return sum(p.lstat().st_size for p in path.rglob("*") if not p.is_dir())


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def stage_project(stage: Path) -> None:
    """Install the project without its dependencies into ``stage``."""
    if stage.exists():
        shutil.rmtree(stage)
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-compile",
            "--disable-pip-version-check",
            "--target",
            str(stage),
            str(common.REPO_ROOT),
        ]
    )


def build_bundle(stage: Path) -> Path:
    """Run PyInstaller on the spec; returns the one-folder bundle."""
    _run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--workpath",
            str(common.BUILD_DIR / "pyinstaller"),
            "--distpath",
            str(common.DIST_DIR),
            str(common.PACKAGING_DIR / "plm-desktop.spec"),
            "--",
            "--stage",
            str(stage),
        ],
        cwd=common.REPO_ROOT,
    )
    return common.DIST_DIR / common.BUNDLE_NAME


def restore_vendored_libraries(bundle: Path) -> list[Path]:
    """Put back, unstripped, the shared libraries that wheels vendor in ``<pkg>.libs/``.

    auditwheel rewrites those libraries with patchelf; running ``strip`` over them
    afterwards can leave segments that are no longer page-aligned, and the loader then
    refuses them (numpy's OpenBLAS: "ELF load command address/offset not
    page-aligned"). The wheels ship them stripped already, so the originals cost no
    space. Returns the files restored.
    """
    restored = []
    for site in map(Path, {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}):
        for vendored in sorted(site.glob("*.libs")):
            target_dir = bundle / "_internal" / vendored.name
            if not target_dir.is_dir():
                continue
            for original in sorted(vendored.iterdir()):
                target = target_dir / original.name
                if target.is_file():
                    shutil.copy2(original, target)
                    restored.append(target)
    return restored


def build_windows_installer(version: str) -> Path:
    """UNTESTED here: ``setup.exe`` with Inno Setup 6 (``iscc`` on the PATH)."""
    iscc = shutil.which("iscc") or shutil.which("ISCC")
    if iscc is None:
        raise SystemExit("installer: Inno Setup's iscc is not on the PATH")
    defines = {
        "AppVersion": version,
        "AppName": common.APP_NAME,
        # Inno Setup writes a literal "{" as "{{", the script adds the first one.
        "AppId": common.windows_app_id()[1:],
        "AppExe": f"{common.WINDOWED_EXECUTABLE_NAME}.exe",
        "Publisher": common.PUBLISHER,
        "Homepage": common.HOMEPAGE,
        "RepoRoot": str(common.REPO_ROOT),
    }
    script = common.PACKAGING_DIR / "windows" / "plm-desktop.iss"
    _run([iscc, *(f"/D{key}={value}" for key, value in defines.items()), str(script)])
    return common.DIST_DIR / f"{common.APP_ID}-{version}-setup.exe"


def build_dmg(version: str) -> Path:
    """UNTESTED here: the ``.dmg`` around ``dist/PLM Desktop.app`` (macOS only)."""
    app = common.DIST_DIR / f"{common.APP_NAME}.app"
    script = common.PACKAGING_DIR / "macos" / "make-dmg.sh"
    _run(["bash", str(script), str(app), version, str(common.DIST_DIR)])
    return common.DIST_DIR / f"{common.APP_ID}-{version}.dmg"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the bundle and the installer.")
    parser.add_argument("--no-installer", action="store_true", help="stop after the bundle")
    args = parser.parse_args(argv)

    platform = common.current_platform()
    version = common.read_version()
    print(f"packaging {common.APP_NAME} {version} for {platform.key}", flush=True)
    timings: list[tuple[str, float]] = []
    started = time.perf_counter()

    step = time.perf_counter()
    stage_project(common.STAGE_DIR)
    timings.append(("stage", time.perf_counter() - step))

    step = time.perf_counter()
    bundle = build_bundle(common.STAGE_DIR)
    if platform.key == "linux":
        restored = restore_vendored_libraries(bundle)
        print(f"restored {len(restored)} vendored libraries unstripped", flush=True)
    timings.append(("bundle", time.perf_counter() - step))
    outputs = [("bundle", bundle, folder_size(bundle))]

    if not args.no_installer:
        step = time.perf_counter()
        if platform.key == "linux":
            sys.path.insert(0, str(common.PACKAGING_DIR / "linux"))
            import deb

            installer = deb.build_deb(bundle, common.DIST_DIR, common.BUILD_DIR)
            outputs.append(("deb", installer, installer.stat().st_size))
        elif platform.key == "win32":
            installer = build_windows_installer(version)
            outputs.append(("setup", installer, installer.stat().st_size))
        else:
            installer = build_dmg(version)
            outputs.append(("dmg", installer, installer.stat().st_size))
        timings.append(("installer", time.perf_counter() - step))

    total = time.perf_counter() - started
    print()
    for name, path, size in outputs:
        print(f"{name:<8} {megabytes(size):>9}  {path.relative_to(common.REPO_ROOT)}")
    print("time     " + ", ".join(f"{name} {secs:.0f} s" for name, secs in timings))
    print(f"total    {total:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
