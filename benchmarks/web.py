"""Benchmark: the web app under load, beside nginx serving a saved copy of the same page.

Replays part of the real corpus (``--until``, default 2025-08-10) into a fresh SQLite file
— or reads the database given with ``--db`` — and picks its top event with three or more
sources. Then, in one run on this machine:

* our server: ``uvicorn`` (httptools, uvloop, no access log) running ``create_app`` over
  that database, in ``--workers`` processes;
* nginx (Debian's package) with a private configuration in a temporary folder: ``daemon
  off``, this user, no access log, on a free port, serving the event page as our server
  rendered it, with the same number of worker processes.

Both use the whole machine by default: one process per CPU, as nginx's ``worker_processes
auto`` does (the site's caches and its live stream work across processes).

Then wrk (``-t2 -c64 -d10s --latency`` by default, after a warm-up of each target) against
(a) our event page, (b) our ``/api/v1/events``, (c) nginx's copy. Prints requests/s,
p50, p99 and errors (socket errors and non-2xx/3xx answers) for each, the ratio of our
event page's throughput to nginx's, and PASS/FAIL against the targets: ratio ≥ 0.25,
p99 ≤ 25 ms on our two targets, no errors anywhere. Exits 1 on FAIL.

    scripts/bench web [--db URL] [--until ISO] [--duration S] [--connections N]
                      [--threads N] [--workers N] [--event ID]
"""

from __future__ import annotations

import argparse
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from fastapi import FastAPI

from pulseaugur.config import load_settings
from pulseaugur.pipeline.replay_cli import replay_corpus
from pulseaugur.storage import open_storage
from pulseaugur.storage.base import EventFilter, EventView, Storage
from pulseaugur.web import create_app

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared/data/replay/ai-news-items.jsonl"
DEFAULT_UNTIL = "2025-08-10T00:00:00"
DB_ENV = "PULSEAUGUR_BENCH_DATABASE_URL"
TARGET_RATIO = 0.25
TARGET_P99_MS = 25.0
WARMUP_S = 3


def app() -> FastAPI:
    """The uvicorn factory for the server processes: ``create_app`` over ``$DB_ENV``."""
    return create_app(open_storage(os.environ[DB_ENV]))


@dataclass(frozen=True)
class Result:
    """What wrk measured against one target."""

    name: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    error_detail: str


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text.strip())
    if match is None:
        raise ValueError(f"not a wrk latency: {text!r}")
    return float(match[1]) * _UNITS_MS[match[2]]


def parse_wrk(name: str, output: str) -> Result:
    """The figures in wrk's ``--latency`` report."""

    def find(pattern: str) -> re.Match[str]:
        match = re.search(pattern, output, re.MULTILINE)
        if match is None:
            raise ValueError(f"wrk printed no {pattern!r}:\n{output}")
        return match

    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    details = []
    errors = 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
        details.append(socket_errors[0])
    if non_2xx:
        errors += int(non_2xx[1])
        details.append(non_2xx[0])
    return Result(
        name=name,
        requests_per_s=float(find(r"^Requests/sec:\s+([0-9.]+)")[1]),
        p50_ms=_ms(find(r"^\s+50%\s+(\S+)")[1]),
        p99_ms=_ms(find(r"^\s+99%\s+(\S+)")[1]),
        requests=int(find(r"^\s+(\d+) requests in")[1]),
        errors=errors,
        error_detail="; ".join(details),
    )


def wrk(url: str, *, threads: int, connections: int, duration_s: int) -> str:
    """wrk's report for ``url``."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration_s}s",
        "--latency",
        "--timeout",
        "5s",
        url,
    ]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"web benchmark: {what} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"web benchmark: {what} did not answer at {url}")


@contextmanager
def running(command: list[str], env: dict[str, str], url: str, what: str) -> Iterator[None]:
    """Run ``command`` until the block ends; it must answer at ``url`` first."""
    process = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        wait_until_up(url, process, what)
        yield
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def our_server(database_url: str, port: int, workers: int) -> list[str]:
    """The uvicorn command serving ``create_app`` over ``database_url``."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "web:app",
        "--app-dir",
        str(Path(__file__).resolve().parent),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--log-level",
        "warning",
    ]


def nginx_config(folder: Path, port: int, workers: int) -> Path:
    """A private nginx configuration serving ``folder/site`` on ``port``."""
    # As root, nginx's workers would switch to "nobody"; keep them this user.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    temp = {name: folder / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    config = folder / "nginx.conf"
    config.write_text(
        f"""{user}worker_processes {workers};
daemon off;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    types {{ text/html html; }}
    default_type application/octet-stream;
    client_body_temp_path {temp["client_body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    server {{
        listen 127.0.0.1:{port};
        root {folder / "site"};
        location / {{ try_files $uri =404; }}
    }}
}}
"""
    )
    return config


def pick_event(storage: Storage, event_id: int | None) -> EventView:
    """``event_id``, or the top event with three (else two) or more sources."""
    if event_id is not None:
        return storage.get_event(event_id)
    for sources in (3, 2):
        page = storage.list_events(limit=1, order="top", where=EventFilter(min_sources=sources))
        if page.events:
            return page.events[0]
    raise SystemExit("web benchmark: the database has no event with two or more sources")


def replay(corpus: Path, until: str, url: str) -> None:
    settings = load_settings(
        environ=dict(os.environ),
        overrides={"database_url": url, "allow_private_addresses": True, "log_level": "ERROR"},
    )
    started = time.perf_counter()
    stop = datetime.fromisoformat(until).replace(tzinfo=UTC)
    summary = replay_corpus(settings, corpus, until=stop, quiet=True)
    print(f"replay until {until}: {time.perf_counter() - started:.1f} s — {summary}")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(results: list[Result]) -> bool:
    """Print the table and the verdicts; True when every target is met."""
    print()
    print(f"{'target':<28} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'errors':>7}")
    for r in results:
        print(
            f"{r.name:<28} {r.requests_per_s:>10.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} "
            f"{r.requests:>9} {r.errors:>7}" + (f"  ({r.error_detail})" if r.errors else "")
        )
    event, api, nginx = results
    ratio = event.requests_per_s / nginx.requests_per_s if nginx.requests_per_s else 0.0
    checks = [
        (f"event page throughput / nginx = {ratio:.3f} (target ≥ {TARGET_RATIO})",
         ratio >= TARGET_RATIO),
        (f"event page p99 {event.p99_ms:.2f} ms (target ≤ {TARGET_P99_MS:.0f} ms)",
         event.p99_ms <= TARGET_P99_MS),
        (f"/api/v1/events p99 {api.p99_ms:.2f} ms (target ≤ {TARGET_P99_MS:.0f} ms)",
         api.p99_ms <= TARGET_P99_MS),
        (f"errors: {sum(r.errors for r in results)} (target 0)",
         all(r.errors == 0 for r in results)),
    ]  # fmt: skip
    print()
    for text, ok in checks:
        print(f"{verdict(ok)}  {text}")
    passed = all(ok for _, ok in checks)
    print(f"\nweb benchmark: {verdict(passed)}")
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--until", default=DEFAULT_UNTIL, help="replay up to here (ISO 8601)")
    parser.add_argument("--db", help="serve this database instead of replaying into a new one")
    parser.add_argument("--event", type=int, help="the event to request (default: see above)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per target (10)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (64)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="our server's and nginx's processes (default: one per CPU)",
    )
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            print(f"web benchmark: {tool} is not installed (scripts/bench web installs it)")
            return 2
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    with tempfile.TemporaryDirectory(prefix="pulseaugur-web-bench-") as tmp:
        folder = Path(tmp)
        url = args.db
        if url is None:
            if not args.corpus.is_file():
                print(f"web benchmark: corpus {args.corpus} not found", file=sys.stderr)
                return 2
            url = f"sqlite:///{folder / 'replay.sqlite3'}"
            replay(args.corpus, args.until, url)
        storage = open_storage(url)
        try:
            counts = storage.counts()
            event = pick_event(storage, args.event)
        finally:
            storage.close()
        assert event.story is not None
        print(
            f"database: {counts.items} items, {counts.clusters} events "
            f"({counts.multi_source_clusters} with 2+ sources)"
        )
        print(
            f"event {event.cluster.id}: {event.story.headline!r}, "
            f"{len({c.source.id for c in event.coverage})} sources, {event.path}"
        )
        ours = free_port()
        base = f"http://127.0.0.1:{ours}"
        env = {**os.environ, DB_ENV: url}
        with running(our_server(url, ours, args.workers), env, f"{base}/healthz", "uvicorn"):
            page = httpx.get(base + event.path, timeout=10)
            if page.status_code != 200:
                raise SystemExit(f"web benchmark: {event.path} answered {page.status_code}")
            api = httpx.get(f"{base}/api/v1/events", timeout=10)
            if api.status_code != 200:
                raise SystemExit(f"web benchmark: /api/v1/events answered {api.status_code}")
            site = folder / "site"
            site.mkdir()
            (site / "event.html").write_bytes(page.content)
            print(f"event page {len(page.content)} bytes, /api/v1/events {len(api.content)} bytes")
            theirs = free_port()
            config = nginx_config(folder, theirs, args.workers)
            nginx_url = f"http://127.0.0.1:{theirs}/event.html"
            command = [nginx, "-p", str(folder), "-c", str(config), "-e", str(folder / "e.log")]
            with running(command, dict(os.environ), nginx_url, "nginx"):
                copy = httpx.get(nginx_url, timeout=10)
                assert copy.content == page.content, "nginx serves a different page"
                targets = [
                    (f"ours {event.path[:21]}…", base + event.path),
                    ("ours /api/v1/events", f"{base}/api/v1/events"),
                    ("nginx saved event page", nginx_url),
                ]
                load = {"threads": args.threads, "connections": args.connections}
                print(
                    f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency, "
                    f"after a {WARMUP_S} s warm-up of each; {args.workers} worker process(es) "
                    f"each; {os.cpu_count()} CPUs"
                )
                for _, target in targets:
                    wrk(target, duration_s=WARMUP_S, **load)
                results = [
                    parse_wrk(name, wrk(target, duration_s=args.duration, **load))
                    for name, target in targets
                ]
    return 0 if report(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
