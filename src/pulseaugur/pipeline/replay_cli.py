"""``pulseaugur replay``: set up a replay, run it with a progress bar, and report."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pulseaugur.config import Settings
from pulseaugur.pipeline import runtime
from pulseaugur.pipeline.replay import FeedServer, SimClock, plan_replay, run_instant, run_timed
from pulseaugur.pipeline.replay_server import FeedServerApp
from pulseaugur.pipeline.scheduler import Scheduler
from pulseaugur.sources.registry import load_registry


def replay_corpus(
    settings: Settings,
    path: Path,
    *,
    speed: float | None = None,
    until: datetime | None = None,
    quiet: bool = False,
) -> str:
    """Replay ``path`` into the configured database; returns a one-paragraph report."""
    return asyncio.run(_replay(settings, path, speed=speed, until=until, quiet=quiet))


async def _replay(
    settings: Settings, path: Path, *, speed: float | None, until: datetime | None, quiet: bool
) -> str:
    started = time.monotonic()
    registry = load_registry(
        settings.sources_file, default_poll_interval_s=settings.poll_interval_s
    )
    app = FeedServerApp({}, clock=lambda: datetime.min)
    server = FeedServer(app)
    plan = plan_replay(path, registry, server.base_url)
    ticks = plan.reveal_ticks(until)
    if not ticks:
        return f"{path}: nothing to replay"
    clock = SimClock(ticks[0] - timedelta(hours=1), speed=speed)
    app.feeds = plan.feeds
    app.clock = clock
    storage = runtime.open_database(settings)
    before = storage.counts()
    storage.sync_sources(plan.sources)
    columns = (
        TextColumn("[bold]replay[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[when]} · {task.fields[new]} new items"),
        TimeElapsedColumn(),
    )
    try:
        async with (
            server,
            runtime.title_translation(settings) as translate_titles,
            runtime.event_summarizer(settings, storage) as summarizer,
        ):
            pipeline = runtime.build_pipeline(storage, clock, translate_titles, summarizer)
            async with runtime.build_client(settings) as client:
                brief = runtime.brief_publisher(storage, settings, clock)
                scheduler = Scheduler(storage, client, pipeline, clock=clock, brief=brief)
                with Progress(*columns, disable=quiet, transient=False) as bar:
                    task = bar.add_task("replay", total=len(ticks), when="", new=0)

                    def progress(done: int, total: int, now: datetime, new: int) -> None:
                        when = now.strftime("%Y-%m-%d %H:%M")
                        bar.update(task, completed=done, when=when, new=new)

                    run = run_instant if speed is None else run_timed
                    stats = await run(plan, scheduler, clock, until=until, progress=progress)
        after = storage.counts()
    finally:
        storage.close()
    return (
        f"replayed {plan.rows} records from {len(plan.sources)} sources in "
        f"{time.monotonic() - started:.1f} s ({stats.polls} fetches, "
        f"{app.requests} feed requests, {stats.errors} errors): "
        f"{after.items - before.items} new items ({after.items} in all), "
        f"{after.duplicates - before.duplicates} new duplicates, "
        f"{after.clusters - before.clusters} new events ({after.clusters} in all, "
        f"{after.multi_source_clusters} with 2+ sources), "
        f"{after.brief_editions - before.brief_editions} new editions of the Brief"
    )
