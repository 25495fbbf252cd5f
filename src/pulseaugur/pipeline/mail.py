"""Mailing the Brief: each edition to each active subscriber, at most once.

``send_edition`` mails one edition to the active subscribers it has not reached yet,
over one SMTP connection (``smtplib``; implicit TLS, STARTTLS or neither; a login when
configured; every connection and command bounded by ``smtp_timeout_s``). For each
subscriber the delivery is first *claimed* in storage (``Storage.claim_delivery``),
then the message handed to the server, then recorded ``sent`` — or ``failed`` with the
reason, and tried again on the next run. So:

- a subscriber who has the edition never gets it again, across runs, restarts and
  concurrent senders (only one claim wins);
- a refused recipient (4xx) or one cut off by a dropped connection is ``failed`` and
  retried; a recipient the server refuses for good (5xx) is ``refused`` and not retried;
  the others are still sent to (a dropped connection ends the run: those not reached
  have no delivery yet and go on the next run);
- a server that cannot be reached fails the run within the timeout, claiming nothing;
- a crash between a claim and its outcome leaves the delivery ``sending``: whether the
  server took the message cannot be known, so it is not sent again by itself (at most
  once); ``pulseaugur brief --send --resend-interrupted`` sends those by hand.

``BriefMailer`` is what the ``BriefPublisher`` calls on every round: it mails the
latest edition while it is less than ``MAIL_WINDOW`` old (so a restart finishes a mailing
cut short, and subscribers who joined meanwhile get the day's edition), and after a
failure waits ``RETRY_AFTER`` on its clock before trying again.

Logs name the server (``host:port``) and mask recipients (``a***@example.org``); the
SMTP password is never logged, nor the unsubscribe tokens.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr

from pulseaugur.brief_mail import brief_message, mask_address
from pulseaugur.config import Settings
from pulseaugur.errors import PulseAugurError
from pulseaugur.pipeline.pipeline import Clock
from pulseaugur.storage.base import Storage
from pulseaugur.types import BriefEdition, Subscriber

log = logging.getLogger(__name__)

MAIL_WINDOW = timedelta(hours=24)
"""How long after its publication the latest edition is still mailed (to subscribers it
has not reached: retries, and readers who subscribed since)."""

RETRY_AFTER = timedelta(minutes=10)
"""How long ``BriefMailer`` waits on its clock after a run with failures."""

CHECK_EVERY = timedelta(minutes=1)
"""How long ``BriefMailer`` waits after a clean run before looking again."""


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    """Where and how to send: the ``smtp_*`` settings, ``mail_from`` and ``public_url``
    (the base of every link in a message). ``password`` never shows in ``repr``."""

    host: str
    port: int
    mail_from: str
    public_url: str
    username: str = ""
    password: str = field(default="", repr=False)
    starttls: bool = True
    ssl: bool = False
    timeout_s: float = 20.0

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpConfig | None:
        """The configuration the settings describe; None when email is off."""
        if not settings.email_enabled:
            return None
        return cls(
            host=settings.smtp_host,
            port=settings.resolved_smtp_port,
            mail_from=settings.mail_from,
            public_url=settings.public_url,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
            ssl=settings.smtp_ssl,
            timeout_s=settings.smtp_timeout_s,
        )

    @property
    def server(self) -> str:
        """``host:port``, as logs name the server."""
        return f"{self.host}:{self.port}"


@dataclass(slots=True)
class MailReport:
    """What one run did for ``edition_id``: messages ``sent``; deliveries ``failed``
    (retried later) or ``refused`` for good; subscribers ``skipped`` because another
    sender had claimed them; ``error``, why the run stopped early (the server could not
    be reached, or dropped the connection); ``pending``, subscribers left for the next
    run."""

    edition_id: str
    sent: int = 0
    failed: int = 0
    refused: int = 0
    skipped: int = 0
    pending: int = 0
    error: str | None = None

    @property
    def clean(self) -> bool:
        """Nothing failed and nothing is left for later."""
        return self.error is None and not self.failed and not self.pending


def open_smtp(config: SmtpConfig) -> smtplib.SMTP:
    """A ready connection: connected (TLS from the start with ``ssl``), upgraded with
    STARTTLS when asked (the server must offer it), logged in when a username is set.
    Raises ``OSError`` or ``smtplib.SMTPException``; closes what it opened on error."""
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if config.ssl:
        smtp = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout_s, context=context)
    else:
        smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout_s)
    try:
        smtp.ehlo()
        if config.starttls and not config.ssl:
            smtp.starttls(context=context)
            smtp.ehlo()
        if config.username:
            smtp.login(config.username, config.password)
    except BaseException:
        smtp.close()
        raise
    return smtp


Connect = Callable[[SmtpConfig], smtplib.SMTP]


def _describe(exc: BaseException, address: str = "", password: str = "") -> str:
    """One line about ``exc`` with ``address`` masked (server replies often quote the
    recipient) and ``password`` removed, should anything ever echo it."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        text = "; ".join(
            f"{code} {reply.decode(errors='replace')}" for code, reply in exc.recipients.values()
        )
    elif isinstance(exc, smtplib.SMTPResponseException):
        reply = exc.smtp_error
        said = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
        text = f"{exc.smtp_code} {said}"
    else:
        text = str(exc) or type(exc).__name__
    text = " ".join(text.split())
    if address:
        text = _replace_folded(text, address, mask_address(address))
    if password:
        text = text.replace(password, "***")
    return f"{type(exc).__name__}: {text}"[:500]


def _replace_folded(text: str, old: str, new: str) -> str:
    lowered, target = text.lower(), old.lower()
    start = lowered.find(target)
    while start >= 0:
        text = text[:start] + new + text[start + len(old) :]
        lowered = text.lower()
        start = lowered.find(target, start + len(new))
    return text


def _permanent(exc: BaseException) -> bool:
    """Whether the server refused the recipient for good (a 5xx reply)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return False


def send_edition(
    storage: Storage,
    config: SmtpConfig,
    edition: BriefEdition,
    clock: Clock,
    *,
    interrupted: bool = False,
    connect: Connect = open_smtp,
) -> MailReport:
    """Mail ``edition`` to every active subscriber it has not reached (with
    ``interrupted``, also to those a crash left ``sending``); see the module docstring
    for the guarantees. Raises only ``StorageError`` (from storage); SMTP and network
    errors are logged and counted in the report."""
    report = MailReport(edition.id)
    recipients = storage.undelivered(edition.id, interrupted=interrupted)
    if not recipients:
        return report
    try:
        smtp = connect(config)
    except (OSError, smtplib.SMTPException) as exc:
        report.error = _describe(exc, password=config.password)
        report.pending = len(recipients)
        log.error(
            "could not mail the Brief of %s: SMTP server %s: %s (%d subscribers left for the "
            "next run)",
            edition.id,
            config.server,
            report.error,
            len(recipients),
        )
        return report
    try:
        for index, subscriber in enumerate(recipients):
            if not storage.claim_delivery(
                edition.id, subscriber.id, clock(), interrupted=interrupted
            ):
                report.skipped += 1
                continue
            if not _send_one(storage, config, smtp, edition, subscriber, clock, report):
                report.pending = len(recipients) - index - 1
                break
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    if report.sent or report.failed or report.refused:
        log.info(
            "mailed the Brief of %s: %d sent, %d failed, %d refused, %d left for the next run",
            edition.id,
            report.sent,
            report.failed,
            report.refused,
            report.pending,
        )
    return report


def _send_one(
    storage: Storage,
    config: SmtpConfig,
    smtp: smtplib.SMTP,
    edition: BriefEdition,
    subscriber: Subscriber,
    clock: Clock,
    report: MailReport,
) -> bool:
    """Send one claimed delivery and record its outcome; False when the connection is
    lost (the run must stop)."""
    message = brief_message(
        edition,
        subscriber,
        public_url=config.public_url,
        mail_from=config.mail_from,
        now=clock(),
    )
    envelope_from = parseaddr(config.mail_from)[1]
    masked = mask_address(subscriber.email)
    try:
        smtp.send_message(message, from_addr=envelope_from, to_addrs=[subscriber.email])
    except (
        smtplib.SMTPRecipientsRefused,
        smtplib.SMTPSenderRefused,
        smtplib.SMTPDataError,
        smtplib.SMTPNotSupportedError,
    ) as exc:
        reason = _describe(exc, subscriber.email, config.password)
        permanent = _permanent(exc)
        storage.finish_delivery(
            edition.id, subscriber.id, clock(), error=reason, permanent=permanent
        )
        if permanent:
            report.refused += 1
        else:
            report.failed += 1
        log.warning(
            "the Brief of %s to %s: %s (%s)",
            edition.id,
            masked,
            reason,
            "refused, not retried" if permanent else "retried on the next run",
        )
        return True
    except (OSError, smtplib.SMTPException) as exc:
        reason = _describe(exc, subscriber.email, config.password)
        storage.finish_delivery(edition.id, subscriber.id, clock(), error=reason)
        report.failed += 1
        report.error = reason
        log.error(
            "the Brief of %s to %s: SMTP server %s: %s (this and the rest retried on the next run)",
            edition.id,
            masked,
            config.server,
            reason,
        )
        return False
    storage.finish_delivery(edition.id, subscriber.id, clock())
    report.sent += 1
    return True


class BriefMailer:
    """Mails the latest edition on each call, while it is less than ``window`` old,
    to whoever it has not reached; after a run that left work, waits ``retry_after`` on
    ``clock`` before the next attempt (and ``CHECK_EVERY`` after a clean one). Not
    thread-safe: the ``BriefPublisher`` calls it under the scheduler's lock."""

    def __init__(
        self,
        storage: Storage,
        config: SmtpConfig,
        clock: Clock,
        *,
        window: timedelta = MAIL_WINDOW,
        retry_after: timedelta = RETRY_AFTER,
        check_every: timedelta = CHECK_EVERY,
        connect: Connect = open_smtp,
    ) -> None:
        self.storage = storage
        self.config = config
        self.clock = clock
        self.window = window
        self.retry_after = retry_after
        self.check_every = check_every
        self.connect = connect
        self._next: datetime | None = None

    def __repr__(self) -> str:
        return f"BriefMailer({self.config!r})"

    def send_due(self, *, force: bool = False) -> MailReport | None:
        """Mail the latest edition if it is due (see the class docstring); ``force``
        skips the wait after the last run (an edition was just published). None when
        nothing was tried."""
        now = self.clock()
        if not force and self._next is not None and now < self._next:
            return None
        latest = self.storage.list_briefs(limit=1)
        if not latest or now - latest[0].published_at >= self.window:
            self._next = now + self.check_every
            return None
        try:
            report = send_edition(
                self.storage, self.config, latest[0], self.clock, connect=self.connect
            )
        except PulseAugurError:
            self._next = now + self.retry_after
            raise
        self._next = now + (self.check_every if report.clean else self.retry_after)
        return report
