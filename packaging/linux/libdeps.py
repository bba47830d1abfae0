"""Which system libraries the Linux bundle loads from outside itself, and from which packages.

The bundle carries Python, Qt and most libraries; what it leaves to the system (glibc,
the GL dispatch libraries, libxcb, zlib for the launcher) must be in the ``.deb``'s
``Depends``. Two views are compared with the list declared in ``depends.txt``:

* static: ``ldd`` over every ELF file in the bundle, with the library path the launcher
  sets for itself (the bundle's ``_internal`` folder), the launcher itself without it;
* at run time: the libraries the dynamic loader reported loading (``LD_DEBUG=libs``)
  while the installed app ran its self-test, which also sees ``dlopen``.

Each library found outside the bundle is mapped to its package with ``dpkg -S``. The check
fails when a package is needed but not declared, or declared but not needed.

Usage::

    python packaging/linux/libdeps.py show BUNDLE
    python packaging/linux/libdeps.py check BUNDLE [--loaded LD_DEBUG_LOG]

where LD_DEBUG_LOG is what ``LD_DEBUG=libs`` wrote while the app ran.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

DEPENDS_FILE = Path(__file__).resolve().parent / "depends.txt"

_LDD_LINE = re.compile(r"^\s*(\S+)\s*=>\s*(not found|\S+)")
_LDD_DIRECT = re.compile(r"^\s*(/\S+)\s+\(0x")
_NEEDED_LINE = re.compile(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]")
_LOADED_LINE = re.compile(r"calling init:\s+(\S+)")


class DependsError(Exception):
    """The bundle's outside libraries and the declared Depends disagree."""


@dataclass(frozen=True)
class DeclaredDepends:
    """The packages of ``depends.txt``.

    Attributes:
        libraries: Depends, checked against what the bundle links (``ldd``).
        data: Depends marked ``[data]``: files the bundle reads, which ``ldd`` cannot see.
        recommends: Recommends (``[recommends]``): libraries loaded with ``dlopen`` when
            present, for a feature that degrades gracefully without them.
    """

    libraries: tuple[str, ...]
    data: tuple[str, ...]
    recommends: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[str, ...]:
        """Every package of ``Depends``."""
        return self.libraries + self.data


@dataclass
class OutsideLibraries:
    """Libraries resolved outside the bundle: path -> the bundle files that need it."""

    found: dict[str, set[str]] = field(default_factory=dict)
    missing: dict[str, set[str]] = field(default_factory=dict)

    def add(self, library: str, path: str | None, needed_by: str) -> None:
        target = self.found if path else self.missing
        target.setdefault(path or library, set()).add(needed_by)


def read_declared(path: Path = DEPENDS_FILE) -> DeclaredDepends:
    """Parse ``depends.txt``: one package a line, ``#`` comments, ``[data]`` and
    ``[recommends]`` marks after the name."""
    kinds: dict[str, list[str]] = {"": [], "[data]": [], "[recommends]": []}
    for number, raw in enumerate(path.read_text("utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        words = line.split()
        mark = words[1] if len(words) == 2 else ""
        if len(words) > 2 or mark not in kinds:
            raise DependsError(
                f"{path}:{number}: expected 'package', 'package [data]' or "
                f"'package [recommends]', found {line!r}"
            )
        kinds[mark].append(words[0])
    return DeclaredDepends(tuple(kinds[""]), tuple(kinds["[data]"]), tuple(kinds["[recommends]"]))


def is_elf(path: Path) -> bool:
    """True for a regular file that starts with the ELF magic bytes."""
    if path.is_symlink() or not path.is_file():
        return False
    with path.open("rb") as handle:
        return handle.read(4) == b"\x7fELF"


def _ldd(path: Path, library_path: Path | None) -> list[tuple[str, str | None]]:
    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    if library_path is not None:
        env["LD_LIBRARY_PATH"] = str(library_path)
    proc = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env)
    pairs: list[tuple[str, str | None]] = []
    for line in proc.stdout.splitlines():
        match = _LDD_LINE.match(line)
        if match:
            name, where = match.groups()
            pairs.append((name, None if where == "not found" else where))
            continue
        direct = _LDD_DIRECT.match(line)
        if direct:
            pairs.append((os.path.basename(direct.group(1)), direct.group(1)))
    return pairs


def direct_needs(path: Path) -> set[str]:
    """The sonames ``path`` names in its own ``DT_NEEDED`` entries (``readelf -d``)."""
    proc = subprocess.run(
        ["readelf", "-d", "-W", str(path)], capture_output=True, text=True, check=True
    )
    return set(_NEEDED_LINE.findall(proc.stdout))


def outside_libraries(bundle: Path, launcher: str = "plm-desktop") -> OutsideLibraries:
    """Libraries that ELF files of ``bundle`` link directly and that resolve outside it.

    Only direct links count: what ``libGL.so.1`` itself needs is its package's business,
    declared in that package's own Depends.
    """
    bundle = bundle.resolve()
    internal = bundle / "_internal"
    result = OutsideLibraries()
    for path in sorted(bundle.rglob("*")):
        if not is_elf(path):
            continue
        # The launcher starts with the system's library path, then re-executes itself
        # with the bundle's; everything else is loaded after that.
        library_path = None if path == bundle / launcher else internal
        relative = str(path.relative_to(bundle))
        needs = direct_needs(path)
        for name, where in _ldd(path, library_path):
            if name not in needs:
                continue
            if where is None:
                result.add(name, None, relative)
            elif not Path(where).resolve().is_relative_to(bundle):
                result.add(name, where, relative)
    return result


def loaded_outside(ld_debug_log: str, bundle: Path, launcher: str = "plm-desktop") -> set[str]:
    """Libraries the app initialised from outside ``bundle``, from an ``LD_DEBUG=libs`` log.

    Only processes running the bundle's own executable count: the app may start other
    programs (dbus-launch when there is no session bus, for one), whose libraries are
    their packages' business. The loader names a program as it was started (often
    without a folder), so a process is the app's when it started a program called
    ``launcher`` and initialised libraries from ``bundle``.
    """
    bundle = bundle.resolve()
    programs: dict[str, set[str]] = {}
    loaded: dict[str, set[str]] = {}
    for line in ld_debug_log.splitlines():
        pid, _, message = line.strip().partition(":")
        message = message.strip()
        if message.startswith("transferring control:"):
            program = message.split(":", 1)[1].strip()
            programs.setdefault(pid, set()).add(program)
        match = _LOADED_LINE.search(message)
        if match:
            loaded.setdefault(pid, set()).add(match.group(1))
    found = set()
    for pid, libraries in loaded.items():
        named = any(Path(p).name == launcher for p in programs.get(pid, ()))
        if named and any(_inside(Path(lib), bundle) for lib in libraries):
            found |= {lib for lib in libraries if not _inside(Path(lib), bundle)}
    return found


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder)
    except OSError:
        return False


def owning_package(path: str) -> str | None:
    """The Debian package that ships ``path`` (tries the merged-/usr twin too)."""
    candidates = [path, os.path.realpath(path)]
    for candidate in list(candidates):
        if candidate.startswith("/usr/"):
            candidates.append(candidate[len("/usr") :])
        else:
            candidates.append("/usr" + candidate)
    for candidate in dict.fromkeys(candidates):
        proc = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if proc.returncode == 0 and proc.stdout:
            first = proc.stdout.splitlines()[0]
            package = first.split(": ", 1)[0].split(",")[0].strip()
            return package.split(":", 1)[0]  # drop ":amd64"
    return None


@dataclass(frozen=True)
class DependsReport:
    """Packages needed by the bundle, with the libraries that need each."""

    packages: dict[str, set[str]]
    unowned: set[str]
    missing: dict[str, set[str]]

    def lines(self) -> list[str]:
        out = []
        for package in sorted(self.packages):
            libs = ", ".join(sorted(os.path.basename(p) for p in self.packages[package]))
            out.append(f"{package:<14} {libs}")
        for path in sorted(self.unowned):
            out.append(f"(no package)   {path}")
        for name, users in sorted(self.missing.items()):
            out.append(f"(not found)    {name}, needed by {', '.join(sorted(users))}")
        return out


def needed_packages(paths: set[str] | dict[str, set[str]], missing=None) -> DependsReport:
    """Map outside library paths to their packages."""
    packages: dict[str, set[str]] = {}
    unowned = set()
    for path in paths:
        package = owning_package(path)
        if package is None:
            unowned.add(path)
        else:
            packages.setdefault(package, set()).add(path)
    return DependsReport(packages, unowned, dict(missing or {}))


def package_closure(packages: tuple[str, ...] | list[str]) -> set[str]:
    """``packages`` plus everything their installed Depends and Pre-Depends pull in.

    Takes the first installed alternative of each ``a | b`` dependency, as apt would.
    """
    seen: set[str] = set()
    queue = list(packages)
    while queue:
        package = queue.pop()
        if package in seen:
            continue
        seen.add(package)
        proc = subprocess.run(
            ["dpkg-query", "-W", "-f", "${Depends}, ${Pre-Depends}", package],
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            continue
        for clause in proc.stdout.split(","):
            names = [alt.split("(")[0].split(":")[0].strip() for alt in clause.split("|")]
            names = [name for name in names if name]
            installed = [name for name in names if _installed(name)]
            if installed:
                queue.append(installed[0])
    return seen


def _installed(package: str) -> bool:
    proc = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Status}", package], capture_output=True, text=True
    )
    return proc.returncode == 0 and "install ok installed" in proc.stdout


def check(bundle: Path, declared: DeclaredDepends, loaded_log: str | None = None) -> list[str]:
    """Compare what ``bundle`` needs with ``declared``; the report lines, or raise.

    The libraries the bundle links directly must come from exactly the declared library
    packages. Libraries seen loaded at run time (``loaded_log``) may also come from what
    those packages depend on (libGL loads libGLX, for instance).
    """
    outside = outside_libraries(bundle)
    report = needed_packages(set(outside.found), outside.missing)
    problems = []
    undeclared = sorted(set(report.packages) - set(declared.all))
    if undeclared:
        problems.append("linked but not in Depends: " + ", ".join(undeclared))
    unneeded = sorted(set(declared.libraries) - set(report.packages))
    if unneeded:
        problems.append("in Depends but no library of theirs is linked: " + ", ".join(unneeded))
    if report.unowned:
        problems.append("linked from outside any package: " + ", ".join(sorted(report.unowned)))
    # A library no loader can find is fine only when the file needing it is never
    # loaded; there should be none after the spec's pruning.
    if report.missing:
        problems.append("libraries not found: " + ", ".join(sorted(report.missing)))
    lines = report.lines()

    if loaded_log is not None:
        loaded = needed_packages(loaded_outside(loaded_log, bundle))
        allowed = package_closure(declared.all + declared.recommends)
        beyond = sorted(set(loaded.packages) - allowed)
        if beyond:
            problems.append("loaded at run time, outside Depends and theirs: " + ", ".join(beyond))
        if loaded.unowned:
            problems.append(
                "loaded from outside any package: " + ", ".join(sorted(loaded.unowned))
            )
        lines.append(
            f"at run time: {len(loaded_outside(loaded_log, bundle))} libraries loaded from "
            f"outside the bundle, from {', '.join(sorted(loaded.packages))}; all within "
            "Depends, Recommends and their dependencies"
            if not beyond
            else "at run time: see above"
        )
    if problems:
        raise DependsError("\n".join(problems + ["", *lines]))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check the bundle's system libraries.")
    parser.add_argument("action", choices=["show", "check"])
    parser.add_argument("bundle", type=Path, help="the one-folder bundle (or /opt/plm-desktop)")
    parser.add_argument("--loaded", type=Path, help="an LD_DEBUG=files log of a run")
    args = parser.parse_args(argv)

    if args.action == "show":
        outside = outside_libraries(args.bundle)
        for line in needed_packages(set(outside.found), outside.missing).lines():
            print(line)
        return 0
    log_text = args.loaded.read_text("utf-8", errors="replace") if args.loaded else None
    try:
        lines = check(args.bundle, read_declared(), log_text)
    except DependsError as exc:
        print(f"libdeps: the bundle's system libraries and Depends disagree:\n{exc}")
        return 1
    print("libdeps: every library loaded from outside the bundle is in Depends:")
    for line in lines:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
