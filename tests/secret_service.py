"""A real Secret Service for the keyring tests: gnome-keyring on a private D-Bus session.

``secret_service`` starts a ``dbus-daemon`` session bus of its own and a
``gnome-keyring-daemon`` (secrets component only) unlocked with a throwaway password,
points ``DBUS_SESSION_BUS_ADDRESS`` at that bus for the test, and stops both afterwards.
The founder's own keyring is never touched. ``no_secret_service`` points the bus address at
a socket nobody listens on, which is what a bare Linux box looks like to ``keyring``.

Registered as a pytest plugin in ``tests/conftest.py``. Without the programs (non-Linux
machines) the fixture fails with the name of what is missing, rather than skipping.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class SecretServiceSession:
    """The private bus and keyring daemon of one test."""

    bus_address: str
    home: Path


def _require(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        raise RuntimeError(
            f"{program} is not installed; packaging/linux/system-deps.sh installs it "
            "(dbus, gnome-keyring)"
        )
    return found


def _wait_for_secrets(address: str, deadline: float) -> None:
    """Wait until the daemon owns org.freedesktop.secrets on the bus."""
    import secretstorage

    while True:
        try:
            connection = secretstorage.dbus_init()
            try:
                if secretstorage.check_service_availability(connection):
                    return
            finally:
                connection.close()
        except secretstorage.exceptions.SecretServiceNotAvailableException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"gnome-keyring did not appear on {address}")
        time.sleep(0.05)


@pytest.fixture
def secret_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SecretServiceSession]:
    """A running, unlocked gnome-keyring on a private session bus."""
    dbus_daemon = _require("dbus-daemon")
    keyring_daemon = _require("gnome-keyring-daemon")
    home = tmp_path / "keyring-home"
    runtime = tmp_path / "keyring-run"
    for folder in (home, runtime):
        folder.mkdir(mode=0o700)
    env = dict(os.environ)
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "share"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_RUNTIME_DIR=str(runtime),
    )

    bus = subprocess.Popen(
        [dbus_daemon, "--session", "--nofork", "--nopidfile", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    daemon = None
    try:
        address = bus.stdout.readline().strip()
        if not address:
            raise RuntimeError("dbus-daemon did not print its address")
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        daemon = subprocess.Popen(
            [keyring_daemon, "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        daemon.stdin.write(b"test-keyring-password")
        daemon.stdin.close()

        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
        monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
        monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
        _wait_for_secrets(address, time.monotonic() + 10)
        yield SecretServiceSession(bus_address=address, home=home)
    finally:
        for process in (daemon, bus):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if bus.stdout is not None:
            bus.stdout.close()


@pytest.fixture(autouse=True)
def _forget_session_secrets() -> Iterator[None]:
    """Secrets kept for "this session only" do not leak from one test into the next."""
    yield
    from plm_desktop.sharing.secrets import forget_session_secrets

    forget_session_secrets()


@pytest.fixture
def no_secret_service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A session bus address where nothing listens: no keyring backend is available."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus-here")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "empty-config"))
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
