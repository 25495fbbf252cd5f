"""Saved documents → normalized items, safely: the logic behind ``pulseaugur parse FILE...``.

:func:`parse_paths` runs each file through the production parser (``parse_feed`` unless
another is given) and ``normalize_item``, and yields one :class:`ParseOutcome` per file,
in the order the files were given: the items as JSON-ready dicts, or one error line
``FILE: what is wrong``. A bad file never stops the others.

Untrusted documents never run in the calling process. Parsing happens in long-lived
worker processes (``sys.executable`` started afresh, never forked from the caller) fed
one file at a time:

* **time budget** — a file whose parse has not answered within ``time_budget_s`` seconds
  of wall-clock time has its worker killed (SIGKILL) and is reported as ``timeout``;
* **memory budget** — each worker runs under ``RLIMIT_AS`` set to its address space after
  start-up plus ``memory_budget_mb``; a parse that needs more gets a ``MemoryError``
  (reported as ``memory``) and the worker is replaced, so no file can exhaust the host
  (and a worker that outlives its caller is stopped by ``RLIMIT_CPU`` at twice the time
  budget of the file in hand);
* **size cap** — a file larger than ``max_bytes`` (``max_response_bytes``, 10 MB by
  default) is refused from its size alone, without being read.

Workers are started once and reused; one is replaced only when it died, timed out, ran
out of memory, or grew past half its budget. The caller's process holds at most a few
files' results at a time.

Errors are classified by :data:`ErrorKind`. ``parse``, ``unsafe``, ``too-large``,
``unreadable``, ``timeout`` and ``memory`` are verdicts on the input; ``crash`` (an
exception other than ``ParseError`` escaped the parser or the normalizer) and ``died``
(the worker vanished without an answer) are bugs to report — the message then names the
exception and where it was raised, still on one line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import socket
import stat
import subprocess
import sys
import time
import traceback
import warnings
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Final, Literal, Protocol, TextIO, cast

from pulseaugur.errors import ConfigError, ParseError, PulseAugurError, UnsafeXMLError
from pulseaugur.normalize.item import normalize_item
from pulseaugur.sources.feeds import ParsedFeed
from pulseaugur.sources.kinds import PARSERS
from pulseaugur.types import SOURCE_KINDS, Item, JSONValue, RawItem, Source, SourceKind

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MEMORY_BUDGET_MB",
    "DEFAULT_TIME_BUDGET_S",
    "DocumentParser",
    "ErrorKind",
    "ParseOutcome",
    "file_source",
    "item_to_json",
    "main",
    "parse_paths",
    "parser_for_kind",
]

DEFAULT_TIME_BUDGET_S: Final = 10.0
"""Wall-clock seconds one file may take (reading, parsing and normalizing)."""

DEFAULT_MEMORY_BUDGET_MB: Final = 512
"""Address space (MB) a worker may add on top of what it holds after start-up."""

DEFAULT_MAX_BYTES: Final = 10_000_000
"""Largest file accepted; the default of the ``max_response_bytes`` setting."""

STARTUP_TIMEOUT_S: Final = 60.0
"""How long a worker may take to import the parser and load the language model."""

_MESSAGE_CHARS: Final = 400

ErrorKind = Literal[
    "unreadable", "too-large", "parse", "unsafe", "timeout", "memory", "died", "crash"
]
"""Why a file produced no items:

``unreadable`` the file could not be opened or read (missing, a directory, permissions);
``too-large`` it is larger than the size cap; ``parse`` it is not a document the parser
reads (``ParseError``); ``unsafe`` it declares XML entities or a DTD we refuse
(``UnsafeXMLError``: XML bombs, XXE); ``timeout`` the parse passed the time budget;
``memory`` it passed the memory budget; ``died`` the worker process ended without an
answer (a crash in C code, or killed from outside); ``crash`` an unexpected exception in
the parser or the normalizer (a bug).
"""

_CLEAN_ERRORS: Final[frozenset[str]] = frozenset(
    {"unreadable", "too-large", "parse", "unsafe", "timeout", "memory"}
)


class DocumentParser(Protocol):
    """``(content, *, url, content_type) -> ParsedFeed``, as ``parse_feed`` and each source
    kind's ``parse`` are. It must raise ``ParseError`` for input it cannot read, and be
    picklable (a module-level function, or a ``functools.partial`` of one): it is sent
    to the worker processes."""

    def __call__(
        self, content: bytes, *, url: str, content_type: str | None = None
    ) -> ParsedFeed: ...


@dataclass(frozen=True, slots=True)
class ParseOutcome:
    """What one file gave.

    ``file`` is the path as the caller gave it. On success ``items`` holds one dict per
    normalized item (see :func:`item_to_json`; possibly none for an empty feed) and
    ``error`` is None. On failure ``items`` is empty, ``error`` is one line
    ``"{file}: {reason}"`` and ``error_kind`` says which :data:`ErrorKind` it is.
    ``seconds`` is the wall-clock time the file took in its worker (0 when refused up
    front).
    """

    file: str
    items: tuple[dict[str, JSONValue], ...] = ()
    error: str | None = None
    error_kind: ErrorKind | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the file parsed (even to zero items)."""
        return self.error is None

    @property
    def is_bug(self) -> bool:
        """True for ``crash`` and ``died``: failures that are the software's fault."""
        return self.error_kind is not None and self.error_kind not in _CLEAN_ERRORS


def item_to_json(item: Item, *, file: str) -> dict[str, JSONValue]:
    """``item`` as a JSON-ready dict: ``file`` first, then every ``Item`` field (derived
    from the dataclass, so a new field is never left out) with datetimes in ISO 8601
    (UTC), tuples as lists and ``raw_json`` as a plain dict."""
    row: dict[str, JSONValue] = {"file": file}
    for spec in fields(Item):
        value = getattr(item, spec.name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        elif spec.name == "raw_json":
            value = dict(value)
        row[spec.name] = value
    return row


def file_source(
    path: str | os.PathLike[str],
    *,
    url: str,
    kind: SourceKind = "feed",
    languages: tuple[str, ...] = ("en",),
) -> Source:
    """The pseudo ``Source`` a saved file is normalized under: id ``file``, name and
    outlet from the file name, ``languages`` as given (``("en",)`` by default)."""
    name = Path(path).name or str(path)
    return Source(
        id="file",
        kind=kind,
        url=url,
        name=name,
        outlet=Path(name).stem or name,
        languages=languages,
    )


def parser_for_kind(kind: str) -> DocumentParser:
    """The production parser of a source kind (``ConfigError`` naming ``--kind`` for an
    unknown kind)."""
    if kind not in SOURCE_KINDS:
        raise ConfigError("--kind", f"{kind!r} is not one of {', '.join(SOURCE_KINDS)}")
    return PARSERS[kind]


def parse_paths(
    paths: Iterable[str | os.PathLike[str]],
    *,
    url: str | None = None,
    kind: SourceKind = "feed",
    parser: DocumentParser | None = None,
    time_budget_s: float = DEFAULT_TIME_BUDGET_S,
    memory_budget_mb: int = DEFAULT_MEMORY_BUDGET_MB,
    max_bytes: int = DEFAULT_MAX_BYTES,
    languages: tuple[str, ...] = ("en",),
    fetched_at: datetime | None = None,
    workers: int = 1,
) -> Generator[ParseOutcome, None, None]:
    """Parse and normalize each file in ``paths``; one outcome per file, in order.

    ``url`` is the address the documents are taken to come from: the base for relative
    links (without it each file is named by its ``file://`` URI and relative links are
    dropped). ``parser`` defaults to :func:`parser_for_kind` of ``kind``. Items are
    normalized under :func:`file_source` with ``languages``, fetched at ``fetched_at``
    (now by default). ``workers`` worker processes parse files concurrently (results
    are still yielded in order).

    Never raises for a bad file; raises ``ConfigError`` for bad arguments (an
    unpicklable parser, a non-positive budget) and ``PulseAugurError`` when a worker
    process cannot be started at all. Closing the iterator early stops the workers.
    """
    if time_budget_s <= 0 or memory_budget_mb <= 0 or max_bytes <= 0 or workers <= 0:
        raise ConfigError(
            "parse", "time_budget_s, memory_budget_mb, max_bytes and workers must be positive"
        )
    chosen = parser if parser is not None else parser_for_kind(kind)
    try:
        pickle.dumps(chosen)
    except Exception as exc:
        raise ConfigError("parser", f"must be picklable (a module-level function): {exc}") from None
    config = _WorkerConfig(chosen, memory_budget_mb * 1024 * 1024, 2 * time_budget_s + 1)
    moment = fetched_at or datetime.now(UTC)
    jobs = (
        _job(index, path, url, kind, languages, moment, max_bytes)
        for index, path in enumerate(paths)
    )
    return _Scheduler(config, workers, time_budget_s, memory_budget_mb).run(jobs)


# --- the caller's side -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _WorkerConfig:
    parser: DocumentParser
    memory_budget_bytes: int
    cpu_guard_s: float


@dataclass(frozen=True, slots=True)
class _Job:
    """One file for a worker (``refusal`` set when it never needs one)."""

    index: int
    file: str
    path: str
    url: str
    content_type: str | None
    source: Source
    fetched_at: datetime
    max_bytes: int
    refusal: ParseOutcome | None = None


def _job(
    index: int,
    path: str | os.PathLike[str],
    url: str | None,
    kind: SourceKind,
    languages: tuple[str, ...],
    fetched_at: datetime,
    max_bytes: int,
) -> _Job:
    """The job for one path, with its refusal set when ``stat`` already tells that it
    cannot work (missing, not a regular file, over the size cap)."""
    file = os.fspath(path)
    try:
        doc_url = url or Path(file).absolute().as_uri()
    except ValueError:
        doc_url = f"file:{file}"
    job = _Job(
        index=index,
        file=file,
        path=file,
        url=doc_url,
        content_type="application/json" if file.lower().endswith(".json") else None,
        source=file_source(file, url=doc_url, kind=kind, languages=languages),
        fetched_at=fetched_at,
        max_bytes=max_bytes,
    )
    try:
        info = os.stat(file)
    except OSError as exc:
        return replace(job, refusal=_failure(file, "unreadable", _os_error(exc), 0.0))
    if stat.S_ISDIR(info.st_mode):
        return replace(job, refusal=_failure(file, "unreadable", "is a directory", 0.0))
    if not stat.S_ISREG(info.st_mode):
        return replace(job, refusal=_failure(file, "unreadable", "not a regular file", 0.0))
    if info.st_size > max_bytes:
        reason = f"file of {info.st_size:,} bytes exceeds the {max_bytes:,}-byte cap; refused"
        return replace(job, refusal=_failure(file, "too-large", reason, 0.0))
    return job


def _failure(file: str, kind: ErrorKind, reason: str, seconds: float) -> ParseOutcome:
    return ParseOutcome(
        file=file, error=f"{file}: {_one_line(reason)}", error_kind=kind, seconds=seconds
    )


def _one_line(text: str) -> str:
    line = " ".join(text.split()) or "unknown error"
    return line if len(line) <= _MESSAGE_CHARS else line[: _MESSAGE_CHARS - 1] + "…"


def _os_error(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


@dataclass(slots=True)
class _Running:
    job: _Job
    started: float
    deadline: float


@dataclass(eq=False, slots=True)
class _Worker:
    """The caller's handle on one worker process."""

    process: subprocess.Popen[bytes]
    conn: Connection
    running: _Running | None = None
    dead: bool = field(default=False)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, *, kill: bool = False) -> None:
        """End the process: politely (a ``None`` job) unless ``kill``; always reaped."""
        if not self.dead and not kill:
            with contextlib.suppress(OSError, ValueError):
                self.conn.send(None)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(1.0)
        if self.process.poll() is None:
            self.process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(5.0)
        self.dead = True
        with contextlib.suppress(OSError):
            self.conn.close()


class _Scheduler:
    """Feeds jobs to up to ``size`` workers; yields outcomes in job order."""

    def __init__(
        self, config: _WorkerConfig, size: int, time_budget_s: float, memory_budget_mb: int
    ) -> None:
        self.config = config
        self.size = size
        self.time_budget_s = time_budget_s
        self.memory_budget_mb = memory_budget_mb
        self.workers: list[_Worker] = []

    def run(self, jobs: Iterator[_Job]) -> Generator[ParseOutcome, None, None]:
        try:
            yield from self._run(jobs)
        finally:
            for worker in self.workers:
                worker.stop(kill=worker.running is not None)
            self.workers.clear()

    def _run(self, jobs: Iterator[_Job]) -> Iterator[ParseOutcome]:
        done: dict[int, ParseOutcome] = {}
        next_index = 0
        waiting: _Job | None = None  # taken from ``jobs``, not yet given to a worker
        exhausted = False
        lookahead = 16 * self.size  # bounds the outcomes held back for ordering
        while True:
            while len(done) + self._busy() < lookahead:
                if waiting is None:
                    waiting = next(jobs, None)
                    if waiting is None:
                        exhausted = True
                        break
                if waiting.refusal is not None:
                    done[waiting.index] = waiting.refusal
                    waiting = None
                    continue
                worker = self._idle_worker()
                if worker is None:
                    break
                self._dispatch(worker, waiting)
                waiting = None
            while next_index in done:
                yield done.pop(next_index)
                next_index += 1
            if self._busy() == 0:
                if exhausted and waiting is None and not done:
                    return
                continue
            for index, outcome in self._collect():
                done[index] = outcome

    def _busy(self) -> int:
        return sum(1 for w in self.workers if w.running is not None)

    def _idle_worker(self) -> _Worker | None:
        """An idle live worker, started if needed; None when all ``size`` are busy.

        Missing workers are started together (their start-up overlaps)."""
        self.workers = [w for w in self.workers if not w.dead]
        for worker in self.workers:
            if worker.running is None:
                return worker
        if len(self.workers) >= self.size:
            return None
        launched: list[_Worker] = []
        while len(self.workers) < self.size:
            launched.append(self._launch())
            self.workers.append(launched[-1])
        failure: PulseAugurError | None = None
        for worker in launched:
            try:
                self._await_ready(worker)
            except PulseAugurError as exc:
                failure = exc
        self.workers = [w for w in self.workers if not w.dead]
        idle = [w for w in self.workers if w.running is None]
        if not idle:
            raise failure or PulseAugurError("the parser worker process could not start")
        return idle[0]

    def _launch(self) -> _Worker:
        """Start a worker process and send it its configuration.

        The worker is ``sys.executable`` running :func:`_worker_entry` (not a
        ``multiprocessing`` child, so the caller's ``__main__`` is never re-imported); it
        talks over a socket pair framed by ``multiprocessing.connection.Connection``.
        """
        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        try:
            process = subprocess.Popen(
                [sys.executable, "-c", _WORKER_BOOT, str(theirs.fileno())],
                stdin=subprocess.DEVNULL,
                pass_fds=(theirs.fileno(),),
                env=env,
            )
        except OSError as exc:
            ours.close()
            raise PulseAugurError(f"the parser worker process could not start ({exc})") from None
        finally:
            theirs.close()
        worker = _Worker(process, Connection(ours.detach()))
        with contextlib.suppress(OSError):
            worker.conn.send([p for p in sys.path if isinstance(p, str)])
            worker.conn.send(self.config)
        return worker

    def _await_ready(self, worker: _Worker) -> None:
        """Wait for the worker's ``ready``; stops it and raises ``PulseAugurError`` if it
        does not come within ``STARTUP_TIMEOUT_S``."""
        message: object = None
        try:
            if worker.conn.poll(STARTUP_TIMEOUT_S):
                message = worker.conn.recv()
        except (EOFError, OSError):
            pass
        if message == "ready":
            return
        worker.stop(kill=True)
        code = worker.process.returncode
        if isinstance(message, str) and message.startswith("error:"):
            why = message.removeprefix("error:").strip()
        elif code is not None and code != -signal.SIGKILL:
            why = _exit_reason(code)
        else:
            why = f"no answer within {STARTUP_TIMEOUT_S:g} s"
        raise PulseAugurError(f"the parser worker process could not start ({why})")

    def _dispatch(self, worker: _Worker, job: _Job) -> None:
        started = time.monotonic()
        worker.running = _Running(job, started, started + self.time_budget_s)
        with contextlib.suppress(OSError, ValueError):  # a dead worker: _collect tells
            worker.conn.send(job)

    def _collect(self) -> Iterator[tuple[int, ParseOutcome]]:
        """Wait for the first answer or deadline; the outcomes that are settled."""
        busy = [w for w in self.workers if w.running is not None]
        first_deadline = min(cast(_Running, w.running).deadline for w in busy)
        multiprocessing.connection.wait(
            [w.conn for w in busy], max(0.0, first_deadline - time.monotonic())
        )
        now = time.monotonic()
        for worker in busy:
            running = cast(_Running, worker.running)
            outcome = self._answer(worker, running, now)
            if outcome is not None:
                worker.running = None
                yield running.job.index, outcome

    def _answer(self, worker: _Worker, running: _Running, now: float) -> ParseOutcome | None:
        """The settled outcome of ``worker``'s job, or None while it may still answer."""
        job = running.job
        try:
            has_answer = worker.conn.poll(0)
            reply = worker.conn.recv() if has_answer else None
        except (EOFError, OSError):
            has_answer, reply = False, None
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.process.wait(1.0)
        if has_answer and isinstance(reply, _Reply):
            if reply.retire:
                worker.stop()
            if reply.error_kind is None:
                return ParseOutcome(file=job.file, items=reply.items, seconds=reply.seconds)
            return _failure(job.file, reply.error_kind, reply.reason, reply.seconds)
        if not worker.alive():
            worker.stop(kill=True)
            code = worker.process.returncode
            reason = f"the parser process died without an answer ({_exit_reason(code)})"
            if code is not None and -code in (signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS):
                reason += f"; it may have run out of its {self.memory_budget_mb} MB memory budget"
            return _failure(job.file, "died", reason, now - running.started)
        if now >= running.deadline:
            worker.stop(kill=True)
            return _failure(
                job.file,
                "timeout",
                f"parsing took longer than the {self.time_budget_s:g} s time budget; stopped",
                now - running.started,
            )
        return None


def _exit_reason(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


# --- the worker's side ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Reply:
    items: tuple[dict[str, JSONValue], ...]
    error_kind: ErrorKind | None
    reason: str
    seconds: float
    retire: bool


_WORKER_BOOT: Final = (
    "import sys\n"
    "from pulseaugur.sources.parse_files import _worker_entry\n"
    "_worker_entry(int(sys.argv[1]))\n"
)


def _worker_entry(fd: int) -> None:
    """A worker's life: take the caller's ``sys.path`` and the config, warm up, fix the
    memory limit, say ``ready``, then answer jobs until told to stop (a ``None`` job or
    a closed connection). Leaves after a job that ran out of memory, or when it has
    grown past half its budget, so that the next file starts clean."""
    # What the parser prints must never mix with the JSON on the caller's stdout.
    with contextlib.suppress(OSError):
        os.dup2(2, 1)
    sys.stdout = sys.stderr
    warnings.simplefilter("ignore")
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    conn = Connection(fd)
    try:
        sys.path[:] = conn.recv()
        config = conn.recv()
    except (EOFError, OSError):
        return
    except Exception as exc:  # the parser could not be unpickled here
        conn.send(f"error: cannot load the parser ({type(exc).__name__}: {exc})")
        return
    _warm_up()
    baseline = _address_space()
    limit = baseline + config.memory_budget_bytes
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError) as exc:  # pragma: no cover - non-Linux
        conn.send(f"error: cannot limit the memory ({exc})")
        return
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if not isinstance(job, _Job):
            return
        _limit_cpu(config.cpu_guard_s)
        reply = _run_job(job, config.parser)
        retire = reply.error_kind == "memory" or (
            _address_space() > baseline + config.memory_budget_bytes // 2
        )
        try:
            conn.send(replace(reply, retire=retire))
        except MemoryError:
            # The items alone were too big to send within the budget.
            reason = "the parsed items did not fit in the memory budget"
            conn.send(_Reply((), "memory", reason, reply.seconds, True))
            return
        if retire:
            return


def _limit_cpu(seconds: float) -> None:
    """A second guard behind the caller's wall-clock kill: the kernel ends this worker
    (SIGXCPU) once the current job has used ``seconds`` of CPU time, so a runaway parse
    cannot outlive a caller that died before killing it."""
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        usage = resource.getrusage(resource.RUSAGE_SELF)
        used = usage.ru_utime + usage.ru_stime
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        soft = int(used + seconds) + 1
        if hard == resource.RLIM_INFINITY or soft <= hard:
            resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _run_job(job: _Job, parser: DocumentParser) -> _Reply:
    started = time.monotonic()

    def fail(kind: ErrorKind, reason: str) -> _Reply:
        return _Reply((), kind, reason, time.monotonic() - started, False)

    try:
        with open(job.path, "rb") as handle:
            content = handle.read(job.max_bytes + 1)
    except OSError as exc:
        return fail("unreadable", _os_error(exc))
    if len(content) > job.max_bytes:
        return fail("too-large", f"file exceeds the {job.max_bytes:,}-byte cap; refused")
    try:
        feed = parser(content, url=job.url, content_type=job.content_type)
        del content
        items = tuple(
            item_to_json(item, file=job.file)
            for raw in feed.items
            if (item := normalize_item(raw, job.source, job.fetched_at)) is not None
        )
    except UnsafeXMLError as exc:
        return fail("unsafe", _parse_error_reason(exc))
    except ParseError as exc:
        return fail("parse", _parse_error_reason(exc))
    except MemoryError:
        return fail("memory", "parsing needed more memory than the budget allows; stopped")
    except Exception as exc:
        return fail("crash", _crash_reason(exc))
    return _Reply(items, None, "", time.monotonic() - started, False)


def _parse_error_reason(exc: ParseError) -> str:
    """The message without the ``where: `` prefix (the line names the file instead)."""
    text = str(exc)
    return text.removeprefix(f"{exc.where}: ")


def _crash_reason(exc: Exception) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    detail = str(exc)[:200]
    return f"internal error while parsing ({type(exc).__name__}: {detail}{where}); a bug"


def _address_space() -> int:
    """This process's virtual memory size in bytes (Linux ``/proc``; 1 GiB elsewhere)."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            pages = int(handle.read().split()[0])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):  # pragma: no cover - non-Linux
        return 1 << 30


def _warm_up() -> None:
    """Load what every parse needs (the language model) before the budget starts."""
    raw = RawItem(
        guid="warm-up",
        url="https://example.org/warm-up",
        title="Warming up the language detector",
        summary="<p>A short English paragraph so that the detector loads its model.</p>",
        content=None,
        authors=(),
        published=None,
        updated=None,
        lang=None,
    )
    source = file_source("warm-up", url="https://example.org/")
    with contextlib.suppress(Exception):
        normalize_item(raw, source, datetime.now(UTC))


# --- the command ---------------------------------------------------------------------------


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """``pulseaugur parse FILE... [--url URL] [--kind KIND]``: one JSON object per item on
    stdout, one ``FILE: what is wrong`` line per failed file on stderr.

    Returns 0 when every file parsed, 2 when any failed (or the arguments are bad), 1
    when parsing could not run at all (no worker process could start).
    """
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    args = _arguments(argv, err)
    if isinstance(args, int):
        return args
    failed = False
    try:
        outcomes = parse_paths(
            args.files,
            url=args.url,
            kind=args.kind,
            time_budget_s=args.time_budget,
            memory_budget_mb=args.memory_budget,
            max_bytes=args.max_bytes,
            languages=tuple(args.lang),
            workers=args.jobs,
        )
        for outcome in outcomes:
            if outcome.error is not None:
                failed = True
                print(outcome.error, file=err, flush=True)
                continue
            for item in outcome.items:
                _write_line(out, item)
            out.flush()
    except ConfigError as exc:
        print(f"pulseaugur parse: {exc}", file=err)
        return 2
    except PulseAugurError as exc:
        print(f"pulseaugur parse: {exc}", file=err)
        return 1
    return 2 if failed else 0


def _write_line(out: TextIO, item: dict[str, JSONValue]) -> None:
    """One JSON line; escaped to ASCII when the text cannot be encoded as it is (lone
    surrogates from ``\\ud800`` escapes in a JSON document)."""
    line = json.dumps(item, ensure_ascii=False) + "\n"
    try:
        out.write(line)
    except UnicodeEncodeError:
        out.write(json.dumps(item) + "\n")


def _arguments(argv: Sequence[str] | None, err: TextIO) -> argparse.Namespace | int:
    parser = argparse.ArgumentParser(
        prog="pulseaugur parse",
        description="Parse saved documents with the production parser; print items as JSON.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--url", help="the URL the documents came from (base of relative links)")
    parser.add_argument("--kind", default="feed", choices=SOURCE_KINDS, help="source kind")
    parser.add_argument(
        "--lang", action="append", help="the source's language (repeatable; default en)"
    )
    parser.add_argument(
        "--time-budget", type=float, default=DEFAULT_TIME_BUDGET_S, help="seconds per file"
    )
    parser.add_argument(
        "--memory-budget", type=int, default=DEFAULT_MEMORY_BUDGET_MB, help="MB per parse"
    )
    parser.add_argument(
        "--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help="largest file accepted"
    )
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    try:
        with contextlib.redirect_stderr(err):
            args = parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    args.lang = args.lang or ["en"]
    return args


if __name__ == "__main__":
    raise SystemExit(main())
