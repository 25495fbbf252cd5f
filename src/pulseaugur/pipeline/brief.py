"""Publishing the Brief: building an edition from storage and storing it once.

``publish_edition`` writes the edition of one date (the CLI's ``pulseaugur brief``);
``BriefPublisher`` is what the scheduler calls before each round of polls, so the
service — and a replay, whose clock is simulated — publishes each day's edition when its
closing time has passed, built from the events as they stood then.

An edition with no event above the gate is not stored (a day can have none); an
edition already stored is never rewritten unless a rebuild is asked for.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from pulseaugur.brief import BriefPolicy, build_edition, due_between, edition_id, edition_window
from pulseaugur.errors import NotFoundError, PulseAugurError
from pulseaugur.pipeline.pipeline import Clock
from pulseaugur.storage.base import Storage
from pulseaugur.types import BriefEdition

if TYPE_CHECKING:
    from pulseaugur.pipeline.mail import BriefMailer

log = logging.getLogger(__name__)

PublishStatus = Literal["published", "rebuilt", "kept", "empty"]


@dataclass(frozen=True, slots=True)
class PublishOutcome:
    """What ``publish_edition`` did: ``published`` (or ``rebuilt``) ``edition``; ``kept``
    the stored ``edition`` as it was; or found the day ``empty`` (``edition`` is the
    empty one built, not stored)."""

    status: PublishStatus
    edition: BriefEdition


def publish_edition(
    storage: Storage,
    policy: BriefPolicy,
    day: date,
    now: datetime,
    *,
    rebuild: bool = False,
) -> PublishOutcome:
    """Publish the edition of ``day`` from the events stored now, unless one is stored
    already (then it is kept, unless ``rebuild``). ``ValueError`` when the edition has
    not closed yet at ``now`` (its window must be over before it is published)."""
    start, end = edition_window(day, policy.hour)
    if end > now:
        raise ValueError(
            f"the edition of {edition_id(day)} closes at {end:%Y-%m-%d %H:%M} UTC, "
            "which has not come yet"
        )
    if not rebuild:
        try:
            return PublishOutcome("kept", storage.get_brief(edition_id(day)))
        except NotFoundError:
            pass
    try:
        previous: BriefEdition | None = storage.get_brief(edition_id(day - timedelta(days=1)))
    except NotFoundError:
        previous = None
    edition = build_edition(
        day,
        storage.brief_candidates(start, end),
        policy=policy,
        published_at=now,
        previous=previous,
    )
    if not edition.entries:
        return PublishOutcome("empty", edition)
    if storage.save_brief(edition, replace=rebuild):
        return PublishOutcome("rebuilt" if rebuild else "published", edition)
    return PublishOutcome("kept", storage.get_brief(edition.id))  # another writer won


class BriefPublisher:
    """Publishes each edition when its closing time has passed on ``clock``.

    The first call publishes only the latest edition due (a service that was down does
    not backfill); each later call publishes every edition that closed since the call
    before — in a replay the clock may jump over several. Not thread-safe: the
    scheduler calls it under its processing lock.
    """

    def __init__(
        self,
        storage: Storage,
        policy: BriefPolicy,
        clock: Clock,
        mailer: BriefMailer | None = None,
    ) -> None:
        self.storage = storage
        self.policy = policy
        self.clock = clock
        self.mailer = mailer
        self._checked: datetime | None = None

    def publish_due(self) -> list[PublishOutcome]:
        """Publish the editions due since the last call; returns what was done for each.
        A storage error is logged and the edition tried again on the next call.

        With a ``mailer`` (email configured), then mail the latest edition to the
        subscribers it has not reached (``pipeline/mail.py``): at once when one was just
        published, else when the mailer's retry wait is over. Mail errors are logged,
        never raised."""
        outcomes = self._publish_due()
        if self.mailer is not None:
            published = any(o.status == "published" for o in outcomes)
            try:
                self.mailer.send_due(force=published)
            except PulseAugurError as exc:
                log.error("could not mail the Brief: %s", exc)
        return outcomes

    def _publish_due(self) -> list[PublishOutcome]:
        now = self.clock()
        days = due_between(self._checked, now, self.policy.hour)
        if self._checked is not None and not days:
            return []
        outcomes: list[PublishOutcome] = []
        for day in days:
            try:
                outcome = publish_edition(self.storage, self.policy, day, now)
            except PulseAugurError as exc:
                log.error("could not publish the Brief of %s: %s", edition_id(day), exc)
                return outcomes
            if outcome.status == "published":
                log.info(
                    "published the Brief of %s: %d events",
                    outcome.edition.id,
                    len(outcome.edition.entries),
                )
            elif outcome.status == "empty":
                log.info("the Brief of %s: no event passed the gate", outcome.edition.id)
            outcomes.append(outcome)
            self._checked = edition_window(day, self.policy.hour)[1]
        self._checked = now
        return outcomes
