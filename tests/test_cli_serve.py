"""``pulseaugur serve``: several worker processes come up, answer, and all stop on a
signal; a worker count below one is refused."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from pulseaugur.cli import main

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc for the workers")

STARTUP_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 15.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _descendants(pid: int) -> set[int]:
    """The processes below ``pid`` (Linux: /proc/<pid>/task/*/children)."""
    found: set[int] = set()
    pending = [pid]
    while pending:
        parent = pending.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    pending.append(child)
    return found


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting to be reaped does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status


def _wait_until_healthy(base: str, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output, _ = server.communicate()
            pytest.fail(f"serve exited with {server.returncode} before answering:\n{output}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"/healthz did not answer 200 within {STARTUP_TIMEOUT_S:.0f} s")


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_with_two_workers_answers_and_stops_cleanly(
    tmp_path: Path, stop: signal.Signals
) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PULSEAUGUR_") and key not in {"http_proxy", "https_proxy"}
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pulseaugur",
            "serve",
            "--db",
            f"sqlite:///{tmp_path / 'site.sqlite3'}",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        cwd=tmp_path,  # no pulseaugur.toml here
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    workers: set[int] = set()
    try:
        _wait_until_healthy(base, server)
        page = httpx.get(f"{base}/", timeout=10.0)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "</html>" in page.text
        api = httpx.get(f"{base}/api/v1/events", timeout=10.0)
        assert api.status_code == 200
        assert api.json() == {"events": [], "next_cursor": None}  # a fresh database
        workers = _descendants(server.pid)
        assert len(workers) >= 2, f"expected two worker processes, found {sorted(workers)}"

        server.send_signal(stop)
        output, _ = server.communicate(timeout=STOP_TIMEOUT_S)
        assert server.returncode == 0, output
        assert "with 2 workers" in output
        assert "Traceback" not in output, output
        deadline = time.monotonic() + 5
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in workers if _alive(pid)], "a worker outlived the server"
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("workers", ["0", "-1"])
def test_serve_refuses_fewer_than_one_worker(tmp_path: Path, workers: str) -> None:
    result = CliRunner().invoke(
        main, ["serve", "--db", f"sqlite:///{tmp_path / 'x.sqlite3'}", "--workers", workers]
    )
    assert result.exit_code == 2
    assert "Invalid value for '--workers'" in result.output
    assert "1<=x<=64" in result.output
    assert not (tmp_path / "x.sqlite3").exists()  # refused before opening anything
