"""The ``pulseaugur`` command. Each subcommand calls the same core functions as the service.

Errors the program raises on purpose (bad configuration, an unreadable file, a database
that cannot be reached) end the command with one line on stderr naming the culprit and
exit status 2 (configuration) or 1 (anything else).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pulseaugur.config import Settings, load_settings
from pulseaugur.errors import ConfigError, PulseAugurError
from pulseaugur.types import SourceState

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from pulseaugur.pipeline.mail import MailReport
    from pulseaugur.sources.http import HttpClient
    from pulseaugur.storage import SqlStorage
    from pulseaugur.types import BriefEdition

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def _fail_cleanly(func: F) -> F:
    """Turn PulseAugur's own errors into one clear line and an exit status."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            click.echo(f"pulseaugur: {exc}", err=True)
            sys.exit(2)
        except (PulseAugurError, OSError) as exc:
            click.echo(f"pulseaugur: {exc}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("pulseaugur: interrupted", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def _settings(ctx: click.Context, **overrides: Any) -> Settings:
    config: Path | None = ctx.obj.get("config") if ctx.obj else None
    settings = load_settings(config, overrides=overrides)
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # One line per request is noise at INFO; the fetch log keeps every attempt.
    logging.getLogger("httpx").setLevel(
        max(logging.WARNING, logging.getLevelName(settings.log_level))
    )
    return settings


@click.group()
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    help="TOML settings file (default: ./pulseaugur.toml or $PULSEAUGUR_CONFIG).",
)
@click.version_option(package_name="pulseaugur")
@click.pass_context
def main(ctx: click.Context, config: Path | None) -> None:
    """PulseAugur: a live AI-news service — sources in, events out, the Brief on top."""
    ctx.obj = {"config": config}


def _server_options(func: F) -> F:
    """The --db, --host and --port options of the commands that serve the site."""
    func = click.option("--port", help="Listen port (overrides port).")(func)
    func = click.option("--host", help="Listen address (overrides host).")(func)
    return click.option("--db", "database_url", help="Database URL (overrides database_url).")(func)


@main.command()
@_server_options
@click.pass_context
@_fail_cleanly
def run(ctx: click.Context, database_url: str | None, host: str | None, port: str | None) -> None:
    """Poll the sources on schedule and serve the site, in one process."""
    from pulseaugur.pipeline.runtime import run_on_uvloop, run_service

    settings = _settings(ctx, database_url=database_url, host=host, port=port)
    run_on_uvloop(run_service(settings))


@main.command()
@_server_options
@click.pass_context
@_fail_cleanly
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes; more than one serves through pulseaugur.web.asgi.",
)
def serve(
    ctx: click.Context,
    database_url: str | None,
    host: str | None,
    port: str | None,
    workers: int,
) -> None:
    """Serve the site and the API over an existing database (no polling)."""
    from pulseaugur.pipeline import runtime

    settings = _settings(ctx, database_url=database_url, host=host, port=port)
    storage = runtime.open_database(settings)
    runtime.check_port_free(settings.host, settings.port)
    click.echo(
        f"serving {settings.resolved_database_url} at http://{settings.host}:{settings.port}"
        + (f" with {workers} workers" if workers > 1 else "")
    )
    if workers > 1:
        storage.close()
        config: Path | None = ctx.obj.get("config") if ctx.obj else None
        runtime.serve_workers(settings, workers, config_file=config)
        return
    try:
        server = runtime.web_server(storage, settings.host, settings.port, settings=settings)
        server.run()
    finally:
        storage.close()


def _parse_until(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError("--until", f"{value!r} is not an ISO 8601 date or time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@main.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--db", "database_url", help="Database URL (overrides database_url).")
@click.option("--instant", "mode", flag_value="instant", default=True, help="Jump the clock.")
@click.option("--speed", type=float, help="Run the clock this many times faster than real time.")
@click.option("--until", help="Stop the simulated clock at this ISO 8601 time.")
@click.option("--serve", "serve_after", is_flag=True, help="Keep the site up afterwards.")
@click.option("--host", help="Listen address for --serve.")
@click.option("--port", help="Listen port for --serve.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_context
@_fail_cleanly
def replay(
    ctx: click.Context,
    path: Path,
    database_url: str | None,
    mode: str,
    speed: float | None,
    until: str | None,
    serve_after: bool,
    host: str | None,
    port: str | None,
    quiet: bool,
) -> None:
    """Run the whole pipeline over a recorded corpus served from a local feed server."""
    from pulseaugur.pipeline import runtime
    from pulseaugur.pipeline.replay_cli import replay_corpus

    settings = _settings(
        ctx, database_url=database_url, host=host, port=port, allow_private_addresses=True
    )
    if speed is not None and speed <= 0:
        raise ConfigError("--speed", f"must be a positive number, got {speed}")
    summary = replay_corpus(settings, path, speed=speed, until=_parse_until(until), quiet=quiet)
    click.echo(summary)
    if serve_after:
        storage = runtime.open_database(settings)
        runtime.check_port_free(settings.host, settings.port)
        click.echo(f"serving at http://{settings.host}:{settings.port}")
        server = runtime.web_server(storage, settings.host, settings.port, settings=settings)
        server.run()


@main.command()
@click.option("--date", "day", help="The edition's UTC date, YYYY-MM-DD (default: the latest due).")
@click.option("--rebuild", is_flag=True, help="Build the edition anew, replacing the stored one.")
@click.option("--send", is_flag=True, help="Mail it to the subscribers it has not reached.")
@click.option(
    "--resend-interrupted",
    is_flag=True,
    help="With --send, also mail those a crash left unsure (they may get it twice).",
)
@click.option("--db", "database_url", help="Database URL (overrides database_url).")
@click.pass_context
@_fail_cleanly
def brief(
    ctx: click.Context,
    day: str | None,
    rebuild: bool,
    send: bool,
    resend_interrupted: bool,
    database_url: str | None,
) -> None:
    """Publish the Brief's edition of a day (unless it is already stored) and print it.

    An edition holds the events of the 24 hours to brief_hour:00 UTC on its date that
    pass the gate (brief_min_score, brief_min_sources), at most brief_max_events. A
    stored edition is shown as it was published; --rebuild replaces it with one built
    from the events as they are now. --send then mails it, through the smtp_* settings,
    to every active subscriber it has not reached (never twice to one subscriber).
    """
    from pulseaugur.brief import BriefPolicy, edition_window, latest_due, parse_edition_id
    from pulseaugur.pipeline import runtime
    from pulseaugur.pipeline.brief import publish_edition

    settings = _settings(ctx, database_url=database_url)
    if resend_interrupted and not send:
        raise ConfigError("--resend-interrupted", "goes with --send")
    if send and not settings.email_enabled:
        raise ConfigError(
            "smtp_host", "--send needs email configured (smtp_host, mail_from, public_url)"
        )
    policy = BriefPolicy.from_settings(settings)
    now = runtime.wall_clock()
    try:
        wanted = parse_edition_id(day) if day is not None else latest_due(now, policy.hour)
    except ValueError as exc:
        raise ConfigError("--date", str(exc)) from None
    closes = edition_window(wanted, policy.hour)[1]
    if closes > now:
        raise ConfigError(
            "--date", f"the edition of {wanted} closes at {closes:%Y-%m-%d %H:%M} UTC, not yet"
        )
    storage = runtime.open_database(settings)
    try:
        outcome = publish_edition(storage, policy, wanted, now, rebuild=rebuild)
        report = None
        if send and outcome.status != "empty":
            report = _mail_edition(storage, settings, outcome.edition, resend_interrupted)
    finally:
        storage.close()
    edition = outcome.edition
    if outcome.status == "empty":
        click.echo(
            f"the Brief of {edition.id}: no event scoring {policy.min_score:g} or more from "
            f"{policy.min_sources} or more sources in the 24 hours to "
            f"{edition.window_end:%Y-%m-%d %H:%M} UTC; nothing published"
        )
        return
    verb = {"published": "published", "rebuilt": "rebuilt", "kept": "stored"}[outcome.status]
    click.echo(
        f"the Brief of {edition.id} ({verb}, {edition.published_at:%Y-%m-%d %H:%M} UTC): "
        f"{len(edition.entries)} events scoring {edition.min_score:g} or more in the 24 hours "
        f"to {edition.window_end:%Y-%m-%d %H:%M} UTC"
    )
    for entry in edition.entries:
        click.echo(
            f"{entry.rank:>3}. [{entry.score:.0f}] {entry.headline} "
            f"({entry.source_count} source{'' if entry.source_count == 1 else 's'}) {entry.path}"
        )
    if report is not None:
        click.echo(
            f"mailed: {report.sent} sent, {report.failed} failed, {report.refused} refused, "
            f"{report.pending} left" + (f" ({report.error})" if report.error else "")
        )
        if not report.clean:
            sys.exit(1)


def _mail_edition(
    storage: SqlStorage, settings: Settings, edition: BriefEdition, interrupted: bool
) -> MailReport:
    """Mail ``edition`` now to the subscribers it has not reached."""
    from pulseaugur.pipeline import runtime
    from pulseaugur.pipeline.mail import SmtpConfig, send_edition

    config = SmtpConfig.from_settings(settings)
    assert config is not None  # checked by the caller
    return send_edition(storage, config, edition, runtime.wall_clock, interrupted=interrupted)


@main.group()
def subscribers() -> None:
    """The Brief's subscribers by email (see the smtp_* settings)."""


def _addresses(addresses: tuple[str, ...]) -> list[str]:
    """The addresses normalized; ``ConfigError`` naming the first unusable one."""
    from pulseaugur.brief_mail import normalize_address

    try:
        return [normalize_address(a) for a in addresses]
    except ValueError as exc:
        raise ConfigError("address", str(exc)) from None


@subscribers.command("add")
@click.argument("addresses", nargs=-1, required=True)
@click.option("--db", "database_url", help="Database URL (overrides database_url).")
@click.pass_context
@_fail_cleanly
def subscribers_add(
    ctx: click.Context, addresses: tuple[str, ...], database_url: str | None
) -> None:
    """Subscribe these addresses (an unsubscribed one is subscribed again)."""
    from pulseaugur.brief_mail import new_token
    from pulseaugur.pipeline import runtime

    settings = _settings(ctx, database_url=database_url)
    normalized = _addresses(addresses)
    storage = runtime.open_database(settings)
    try:
        for address in normalized:
            _, added = storage.add_subscriber(address, new_token(), runtime.wall_clock())
            click.echo(f"{address}: {'subscribed' if added else 'already subscribed'}")
    finally:
        storage.close()


@subscribers.command("remove")
@click.argument("addresses", nargs=-1, required=True)
@click.option("--db", "database_url", help="Database URL (overrides database_url).")
@click.pass_context
@_fail_cleanly
def subscribers_remove(
    ctx: click.Context, addresses: tuple[str, ...], database_url: str | None
) -> None:
    """Unsubscribe these addresses (kept, so what was mailed stays on record)."""
    from pulseaugur.errors import NotFoundError
    from pulseaugur.pipeline import runtime

    settings = _settings(ctx, database_url=database_url)
    normalized = _addresses(addresses)
    storage = runtime.open_database(settings)
    try:
        for address in normalized:
            found = storage.find_subscriber(address)
            if found is None:
                raise NotFoundError(f"{address} is not a subscriber")
            was_active = found.active
            storage.unsubscribe(found.token, runtime.wall_clock())
            click.echo(f"{address}: {'unsubscribed' if was_active else 'already unsubscribed'}")
    finally:
        storage.close()


@subscribers.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include those who unsubscribed.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per subscriber.")
@click.option("--db", "database_url", help="Database URL (overrides database_url).")
@click.pass_context
@_fail_cleanly
def subscribers_list(
    ctx: click.Context, show_all: bool, as_json: bool, database_url: str | None
) -> None:
    """The subscribers, oldest first (tokens are never shown)."""
    from pulseaugur.pipeline import runtime

    settings = _settings(ctx, database_url=database_url)
    storage = runtime.open_database(settings)
    try:
        found = storage.list_subscribers(active_only=not show_all)
    finally:
        storage.close()
    for s in found:
        ended = s.unsubscribed_at
        if as_json:
            record = {
                "email": s.email,
                "subscribed_at": s.created_at.isoformat(),
                "unsubscribed_at": ended.isoformat() if ended else None,
            }
            click.echo(json.dumps(record))
        else:
            state = f"unsubscribed {ended:%Y-%m-%d %H:%M}" if ended else "active"
            click.echo(f"{s.email}  since {s.created_at:%Y-%m-%d %H:%M}  {state}")


@main.command()
@click.argument("input_path", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--output", "output_path", required=True, type=click.Path(path_type=Path, dir_okay=False)
)
@click.option("--stats", is_flag=True, help="Print documents/s and peak memory to stderr.")
@_fail_cleanly
def cluster(input_path: Path, output_path: Path, stats: bool) -> None:
    """Cluster a JSONL stream of documents into events with the production clusterer."""
    from pulseaugur.cluster.stream import run_jsonl

    result = run_jsonl(input_path, output_path)
    if stats:
        click.echo(
            f"{result.docs} documents in {result.seconds:.2f} s: "
            f"{result.docs_per_s:,.0f} docs/s, peak memory {result.peak_rss_mb:,.0f} MB",
            err=True,
        )


@main.command("eval-clusters")
@click.argument("gold_path", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("pred_path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--level", type=click.Choice(["cluster", "storyline"]), default="cluster")
@_fail_cleanly
def eval_clusters(gold_path: Path, pred_path: Path, level: str) -> None:
    """Score predicted clusters against gold labels (BCubed, pairwise F1, NMI, ARI)."""
    from pulseaugur.cluster.stream import eval_files

    scores = eval_files(gold_path, pred_path, level=level)  # type: ignore[arg-type]
    for name, value in scores.items():
        click.echo(f"{name:>20}  {value:.4f}")


def _health(state: SourceState | None) -> dict[str, Any]:
    """A source's health as JSON-ready fields (empty without a database)."""
    if state is None:
        return {}

    def iso(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "last_ok_at": iso(state.last_ok_at),
        "last_error": state.last_error,
        "last_error_at": iso(state.last_error_at),
        "consecutive_failures": state.consecutive_failures,
        "next_poll_at": iso(state.next_poll_at),
        "interval_s": state.interval_s,
        "paused_reason": state.paused_reason,
    }


def _health_text(state: SourceState | None) -> str:
    if state is None:
        return ""
    if state.paused_reason:
        return f"  PAUSED: {state.paused_reason}"
    if state.last_error and state.consecutive_failures:
        return f"  FAILING x{state.consecutive_failures}: {state.last_error}"
    if state.last_ok_at is None:
        return "  never polled"
    next_poll = state.next_poll_at.strftime("%Y-%m-%d %H:%M") if state.next_poll_at else "now"
    return f"  ok {state.last_ok_at:%Y-%m-%d %H:%M}, next {next_poll}"


@main.command(
    context_settings={"ignore_unknown_options": True, "help_option_names": []},
    add_help_option=False,
)
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED)
def parse(arguments: tuple[str, ...]) -> None:
    """Parse saved documents with the production code: FILE... [--url URL] [--kind KIND].

    Prints each normalized item as a JSON line with a "file" key; a file that cannot be
    parsed gives one line on stderr and the rest go on (exit status 2). Each file has a
    time and memory budget (see --help)."""
    from pulseaugur.sources.parse_files import main as parse_main

    sys.exit(parse_main(list(arguments)))


@main.group()
def sources() -> None:
    """Inspect the source registry."""


def _database(ctx: click.Context, database_url: str | None) -> tuple[Settings, SqlStorage]:
    """Settings and the live source list: the database, seeded from the source file."""
    from pulseaugur.pipeline import runtime

    settings = _settings(ctx, database_url=database_url)
    storage = runtime.open_database(settings)
    runtime.sync_registry(storage, settings)
    return settings, storage


_db_option = click.option("--db", "database_url", help="Database URL (overrides database_url).")


@sources.command("list")
@_db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source.")
@click.pass_context
@_fail_cleanly
def sources_list(ctx: click.Context, database_url: str | None, as_json: bool) -> None:
    """List the sources with kind, tier, language and health."""
    _, storage = _database(ctx, database_url)
    try:
        for source in storage.get_sources():
            state = storage.get_source_state(source.id)
            row = {
                "id": source.id,
                "kind": source.kind,
                "name": source.display_name,
                "tier": source.tier,
                "languages": list(source.languages),
                "url": source.url,
                "enabled": source.enabled,
                **_health(state),
            }
            if as_json:
                click.echo(json.dumps(row, ensure_ascii=False))
            else:
                flag = "" if source.enabled else "  (disabled)"
                click.echo(
                    f"{source.id:<28} {source.kind:<10} T{source.tier} "
                    f"{','.join(source.languages):<6} {source.display_name}{flag}"
                    f"{_health_text(state)}"
                )
    finally:
        storage.close()


@sources.command("check")
@click.argument("url")
@click.pass_context
@_fail_cleanly
def sources_check(ctx: click.Context, url: str) -> None:
    """Fetch URL (a feed, or a page announcing one) and show what PulseAugur reads there."""
    from pulseaugur.sources.manage import inspect_url

    settings = _settings(ctx)
    found = asyncio.run(_with_client(settings, lambda client: inspect_url(client, url)))
    for link in found.discovered:
        click.echo(
            f"page announces: {link.url} ({link.type}){' — ' + link.title if link.title else ''}"
        )
    click.echo(f"feed: {found.feed_url}")
    click.echo(f"title: {found.feed.title or '(none)'}   language: {found.feed.lang or '(none)'}")
    click.echo(f"items: {len(found.feed.items)}")
    for item in found.feed.items[:5]:
        when = item.published.isoformat() if item.published else "no date"
        click.echo(f"  - {when}  {item.title or '(untitled)'}")


async def _with_client(settings: Settings, work: Callable[[HttpClient], Awaitable[T]]) -> T:
    from pulseaugur.pipeline import runtime

    async with runtime.build_client(settings) as client:
        return await work(client)


@sources.command("add")
@click.argument("url")
@_db_option
@click.option("--id", "source_id", help="Source id (default: from the feed's title).")
@click.option("--name", help="Name (default: the feed's title).")
@click.option("--outlet", help="Outlet, as readers know it (default: the name).")
@click.option("--section", help="Section of the outlet, e.g. AI.")
@click.option("--tier", type=click.IntRange(1, 3), default=2, show_default=True)
@click.option("--lang", "languages", multiple=True, help="ISO 639-1 code; repeatable.")
@click.pass_context
@_fail_cleanly
def sources_add(
    ctx: click.Context,
    url: str,
    database_url: str | None,
    source_id: str | None,
    name: str | None,
    outlet: str | None,
    section: str | None,
    tier: int,
    languages: tuple[str, ...],
) -> None:
    """Check URL, then add it as a source (a page's announced feed is followed)."""
    from pulseaugur.sources.manage import inspect_url, source_for_feed

    settings, storage = _database(ctx, database_url)
    try:
        found = asyncio.run(_with_client(settings, lambda client: inspect_url(client, url)))
        taken = [s.id for s in storage.get_sources()]
        if source_id and source_id in taken:
            raise ConfigError("--id", f"a source with id {source_id!r} exists already")
        if any(s.url == found.feed_url for s in storage.get_sources()):
            raise ConfigError("URL", f"{found.feed_url} is a source already")
        source = source_for_feed(
            found.feed_url,
            taken=taken,
            title=name or found.feed.title,
            home=found.feed.link,
            source_id=source_id,
            outlet=outlet,
            section=section,
            tier=tier,
            languages=languages or ((found.feed.lang,) if found.feed.lang else ()),
            poll_interval_s=settings.poll_interval_s,
        )
        storage.sync_sources([source])
        click.echo(f"added {source.id}: {source.display_name} ({source.url}), tier {source.tier}")
    finally:
        storage.close()


def _set_enabled(ctx: click.Context, database_url: str | None, source_id: str, on: bool) -> None:
    from pulseaugur.pipeline import decider

    _, storage = _database(ctx, database_url)
    try:
        storage.set_source_enabled(source_id, on)
        state = storage.get_source_state(source_id)
        if on and state.paused_reason:
            storage.save_source_state(decider.resume(state))
        click.echo(f"{source_id} {'enabled' if on else 'disabled'}")
    finally:
        storage.close()


@sources.command("enable")
@click.argument("source_id")
@_db_option
@click.pass_context
@_fail_cleanly
def sources_enable(ctx: click.Context, source_id: str, database_url: str | None) -> None:
    """Poll SOURCE_ID again (also resumes a source paused after failing)."""
    _set_enabled(ctx, database_url, source_id, True)


@sources.command("disable")
@click.argument("source_id")
@_db_option
@click.pass_context
@_fail_cleanly
def sources_disable(ctx: click.Context, source_id: str, database_url: str | None) -> None:
    """Stop polling SOURCE_ID (it stays listed)."""
    _set_enabled(ctx, database_url, source_id, False)


@sources.command("remove")
@click.argument("source_id")
@_db_option
@click.pass_context
@_fail_cleanly
def sources_remove(ctx: click.Context, source_id: str, database_url: str | None) -> None:
    """Remove SOURCE_ID for good (its items stay on the events they belong to)."""
    _, storage = _database(ctx, database_url)
    try:
        storage.remove_source(source_id, datetime.now(UTC))
        click.echo(f"{source_id} removed")
    finally:
        storage.close()


@sources.command("import-opml")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@_db_option
@click.option("--tier", type=click.IntRange(1, 3), default=2, show_default=True)
@click.pass_context
@_fail_cleanly
def sources_import_opml(
    ctx: click.Context, path: Path, database_url: str | None, tier: int
) -> None:
    """Add every feed of an OPML file that is not a source yet."""
    from pulseaugur.sources.manage import sources_from_opml
    from pulseaugur.sources.opml import read_opml

    feeds = read_opml(path.read_bytes(), where=str(path))
    settings, storage = _database(ctx, database_url)
    try:
        added, skipped = sources_from_opml(
            feeds, storage.get_sources(), tier=tier, poll_interval_s=settings.poll_interval_s
        )
        storage.sync_sources(added)
        for source in added:
            click.echo(f"added {source.id}: {source.url}")
        click.echo(f"{len(added)} added, {len(skipped)} already known or unusable")
    finally:
        storage.close()


@sources.command("export-opml")
@_db_option
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), help="Default: stdout.")
@click.pass_context
@_fail_cleanly
def sources_export_opml(ctx: click.Context, database_url: str | None, output: Path | None) -> None:
    """Write the sources as OPML 2.0."""
    from pulseaugur.sources.opml import write_opml

    _, storage = _database(ctx, database_url)
    try:
        document = write_opml(storage.get_sources())
    finally:
        storage.close()
    if output is None:
        click.echo(document.decode("utf-8"))
    else:
        output.write_bytes(document)
