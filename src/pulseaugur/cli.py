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
from typing import Any, TypeVar

import click

from pulseaugur.config import Settings, load_settings
from pulseaugur.errors import ConfigError, PulseAugurError
from pulseaugur.types import SourceState

F = TypeVar("F", bound=Callable[..., Any])


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
    from pulseaugur.pipeline.runtime import run_service

    settings = _settings(ctx, database_url=database_url, host=host, port=port)
    asyncio.run(run_service(settings))


@main.command()
@_server_options
@click.pass_context
@_fail_cleanly
def serve(ctx: click.Context, database_url: str | None, host: str | None, port: str | None) -> None:
    """Serve the site and the API over an existing database (no polling)."""
    from pulseaugur.pipeline import runtime

    settings = _settings(ctx, database_url=database_url, host=host, port=port)
    storage = runtime.open_database(settings)
    runtime.check_port_free(settings.host, settings.port)
    click.echo(
        f"serving {settings.resolved_database_url} at http://{settings.host}:{settings.port}"
    )
    try:
        runtime.web_server(storage, settings.host, settings.port).run()
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
        runtime.web_server(storage, settings.host, settings.port).run()


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


@main.group()
def sources() -> None:
    """Inspect the source registry."""


@sources.command("list")
@click.option("--db", "database_url", help="Show health from this database.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source.")
@click.pass_context
@_fail_cleanly
def sources_list(ctx: click.Context, database_url: str | None, as_json: bool) -> None:
    """List the configured sources with tier, language and, given a database, health."""
    from pulseaugur.pipeline import runtime
    from pulseaugur.sources.registry import load_registry

    settings = _settings(ctx, database_url=database_url)
    registry = load_registry(
        settings.sources_file, default_poll_interval_s=settings.poll_interval_s
    )
    storage = runtime.open_database(settings) if database_url else None
    for source in registry:
        state = storage.get_source_state(source.id) if storage else None
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
            click.echo(
                f"{source.id:<28} T{source.tier} {','.join(source.languages):<6} "
                f"{source.display_name}{_health_text(state)}"
            )
    if storage is not None:
        storage.close()
