"""The Brief by email against a real SMTP server on 127.0.0.1 (aiosmtpd), end to end:
each active subscriber gets a published edition exactly once, across runs and restarts;
the message is multipart with absolute links and one-click unsubscribe headers; its
unsubscribe link works; a dead server fails within the timeout and the edition goes
out on the next run; the SMTP password never reaches the logs."""

from __future__ import annotations

import email
import json
import logging
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner
from fastapi.testclient import TestClient

from pulseaugur.brief import BriefPolicy
from pulseaugur.brief_mail import new_token
from pulseaugur.cli import main
from pulseaugur.pipeline.brief import BriefPublisher
from pulseaugur.pipeline.mail import BriefMailer, SmtpConfig, send_edition
from pulseaugur.storage import SqlStorage, open_storage
from pulseaugur.web.app import create_app

from support import add_scored_event, closed_port, make_source

POLICY = BriefPolicy(min_score=60, min_sources=1, max_events=5, hour=6)
DAY = date(2025, 8, 8)
CLOSE = datetime(2025, 8, 8, 6, tzinfo=UTC)
PUBLIC = "https://news.example.org"
PASSWORD = "s3cret-Pa55word-never-logged"


@dataclass
class Sink:
    """An aiosmtpd handler keeping what it is sent; refuses the addresses in ``refuse``
    (with ``code``)."""

    received: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return f"{self.refuse[address]} <{address}>: no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK queued"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword):
            self.logins.append((data.login.decode(), data.password.decode()))
            if data.login == b"brief" and data.password == PASSWORD.encode():
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for _, rcpts, m in self.received if address in rcpts]


def start_smtp(sink: Sink, port: int, **options: Any) -> Controller:
    controller = Controller(sink, hostname="127.0.0.1", port=port, **options)
    controller.start()
    return controller


@pytest.fixture
def smtp() -> Iterator[tuple[Sink, int]]:
    sink = Sink()
    port = closed_port()
    controller = start_smtp(sink, port)
    yield sink, port
    controller.stop()


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[SqlStorage]:
    store = open_storage(f"sqlite:///{tmp_path / 'mail.sqlite3'}")
    store.sync_sources([make_source()])
    for n, score in ((1, 90.0), (2, 70.0)):
        add_event(store, n, score, CLOSE - timedelta(hours=n))
    yield store
    store.close()


def add_event(storage: SqlStorage, cluster_id: int, score: float, updated: datetime) -> None:
    """An event whose story needs escaping, with a second sentence the mail leaves out."""
    add_scored_event(
        storage,
        cluster_id,
        score,
        updated,
        headline=f"Headline {cluster_id} <&> “quoted”",
        summary=(
            f"Lead of {cluster_id} <b>not bold</b>.",
            "A second sentence that is not mailed.",
        ),
        story_sources=cluster_id,
    )


def ours_text(caplog: pytest.LogCaptureFixture) -> str:
    """What PulseAugur logged (not the test server's own ``mail.log``)."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("pulseaugur"))


def subscribe(storage: SqlStorage, *addresses: str) -> None:
    for address in addresses:
        storage.add_subscriber(address, new_token(), CLOSE - timedelta(days=1))


def config(port: int, **changes: Any) -> SmtpConfig:
    base = SmtpConfig(
        host="127.0.0.1",
        port=port,
        mail_from="PulseAugur <brief@news.example.org>",
        public_url=PUBLIC,
        starttls=False,
        timeout_s=5,
    )
    return replace(base, **changes)


def publisher(storage: SqlStorage, clock: Clock, smtp_config: SmtpConfig) -> BriefPublisher:
    return BriefPublisher(storage, POLICY, clock, BriefMailer(storage, smtp_config, clock))


def test_each_subscriber_gets_the_edition_once(storage: SqlStorage, smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    subscribe(storage, "ada@example.org", "bob@example.org", "gone@example.org")
    gone = storage.find_subscriber("gone@example.org")
    assert gone is not None
    storage.unsubscribe(gone.token, CLOSE - timedelta(hours=1))
    clock = Clock(CLOSE + timedelta(minutes=2))

    outcomes = publisher(storage, clock, config(port)).publish_due()
    assert [o.status for o in outcomes] == ["published"]
    assert sorted(r for _, rcpts, _ in sink.received for r in rcpts) == [
        "ada@example.org",
        "bob@example.org",
    ]
    assert all(sender == "brief@news.example.org" for sender, _, _ in sink.received)

    # The same publisher later, and a new one after a "restart": nobody gets it twice.
    clock.now += timedelta(hours=1)
    first = publisher(storage, clock, config(port))
    first.publish_due()
    clock.now += timedelta(hours=1)
    first.publish_due()
    assert send_edition(storage, config(port), storage.get_brief("2025-08-08"), clock).sent == 0
    assert len(sink.received) == 2
    assert sink.to("gone@example.org") == []
    assert storage.delivery_counts("2025-08-08") == {"sent": 2}

    # A reader who subscribes the same day gets that day's edition on the next round.
    subscribe(storage, "cy@example.org")
    clock.now += timedelta(hours=1)
    first.publish_due()
    assert len(sink.to("cy@example.org")) == 1
    assert len(sink.received) == 3


def test_the_message(storage: SqlStorage, smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    subscribe(storage, "ada@example.org")
    publisher(storage, Clock(CLOSE + timedelta(minutes=2)), config(port)).publish_due()
    [message] = sink.to("ada@example.org")
    ada = storage.find_subscriber("ada@example.org")
    assert ada is not None
    unsubscribe = f"{PUBLIC}/unsubscribe/{ada.token}"

    assert message["Subject"] == "The Brief — Friday 8 August 2025"
    assert message["To"] == "ada@example.org"
    assert message["From"] == "PulseAugur <brief@news.example.org>"
    assert message["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].endswith("@news.example.org>")
    assert message.get_content_type() == "multipart/alternative"
    text_part = message.get_body(("plain",))
    html_part = message.get_body(("html",))
    assert text_part is not None
    assert html_part is not None
    text = text_part.get_content()
    html = html_part.get_content()

    # Entries in rank order: headline, first sentence only, sources, absolute event URL.
    assert text.index("1. Headline 1") < text.index("2. Headline 2")
    assert "Lead of 1 <b>not bold</b>." in text
    assert "second sentence" not in text + html
    assert "1 source · score 90" in text
    assert "2 sources · score 70" in text
    assert f"{PUBLIC}/cluster/1-event-1" in text
    assert f"{PUBLIC}/brief/2025-08-08" in text
    assert f"Unsubscribe: {unsubscribe}" in text
    # HTML: escaped, every link absolute, the unsubscribe link visible.
    assert "Headline 1 &lt;&amp;&gt; “quoted”" in html
    assert "<b>not bold</b>" not in html
    assert f'<a href="{PUBLIC}/cluster/1-event-1">' in html
    assert f'<a href="{unsubscribe}">Unsubscribe</a>' in html
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs
    assert all(h.startswith(PUBLIC + "/") for h in hrefs)

    # Following the link: a confirmation page (GET changes nothing), then the form's POST.
    client = TestClient(create_app(storage, clock=lambda: CLOSE + timedelta(hours=3)))
    path = unsubscribe.removeprefix(PUBLIC)
    page = client.get(path)
    assert page.status_code == 200
    assert f'action="{path}"' in page.text
    assert storage.list_subscribers(active_only=True) == [ada]
    done = client.post(path)
    assert done.status_code == 200
    assert "will get no more editions" in done.text
    assert storage.list_subscribers(active_only=True) == []


def test_refused_recipients_do_not_stop_the_others(
    storage: SqlStorage, smtp: tuple[Sink, int], caplog: pytest.LogCaptureFixture
) -> None:
    sink, port = smtp
    sink.refuse = {"nobody@example.org": "550 5.1.1", "busy@example.org": "451 4.3.0"}
    subscribe(storage, "busy@example.org", "nobody@example.org", "ada@example.org")
    clock = Clock(CLOSE + timedelta(minutes=2))
    caplog.set_level(logging.INFO, logger="pulseaugur")
    mailer = BriefMailer(storage, config(port), clock)
    BriefPublisher(storage, POLICY, clock, mailer).publish_due()
    assert [r for _, rcpts, _ in sink.received for r in rcpts] == ["ada@example.org"]
    assert storage.delivery_counts("2025-08-08") == {"sent": 1, "failed": 1, "refused": 1}
    ours = ours_text(caplog)
    assert "nobody@example.org" not in ours
    assert "busy@example.org" not in ours
    assert "n***@example.org" in ours

    # The temporary refusal is retried once the wait is over; the permanent one is not.
    sink.refuse = {}
    assert mailer.send_due() is None  # still waiting
    clock.now += mailer.retry_after
    report = mailer.send_due()
    assert report is not None
    assert report.sent == 1
    assert [r for _, rcpts, _ in sink.received for r in rcpts] == [
        "ada@example.org",
        "busy@example.org",
    ]


def test_a_dead_server_fails_fast_and_the_edition_goes_next_run(
    storage: SqlStorage, caplog: pytest.LogCaptureFixture
) -> None:
    port = closed_port()
    subscribe(storage, "ada@example.org", "bob@example.org")
    clock = Clock(CLOSE + timedelta(minutes=2))
    mailer = BriefMailer(storage, config(port, timeout_s=2), clock)
    started = time.monotonic()
    outcomes = BriefPublisher(storage, POLICY, clock, mailer).publish_due()
    assert time.monotonic() - started < 2
    assert [o.status for o in outcomes] == ["published"]  # publishing is not held back
    assert storage.delivery_counts("2025-08-08") == {}  # nothing claimed, nothing lost
    assert f"SMTP server 127.0.0.1:{port}" in caplog.text

    sink = Sink()
    controller = start_smtp(sink, port)
    try:
        clock.now += mailer.retry_after
        restarted = BriefPublisher(
            storage, POLICY, clock, BriefMailer(storage, config(port), clock)
        )
        assert restarted.publish_due()[0].status == "kept"
    finally:
        controller.stop()
    assert sorted(r for _, rcpts, _ in sink.received for r in rcpts) == [
        "ada@example.org",
        "bob@example.org",
    ]


def test_an_old_edition_is_not_mailed(storage: SqlStorage, smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    subscribe(storage, "ada@example.org")
    BriefPublisher(storage, POLICY, Clock(CLOSE + timedelta(minutes=2))).publish_due()
    late = Clock(CLOSE + timedelta(days=1, minutes=2))  # 24 h after publication, no newer one
    assert BriefMailer(storage, config(port), late).send_due() is None
    assert sink.received == []


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_and_the_password_never_logged(
    storage: SqlStorage, caplog: pytest.LogCaptureFixture
) -> None:
    sink = Sink()
    port = closed_port()
    controller = start_smtp(
        sink, port, authenticator=sink.authenticate, auth_require_tls=False, auth_required=True
    )
    caplog.set_level(logging.DEBUG, logger="pulseaugur")
    subscribe(storage, "ada@example.org")
    clock = Clock(CLOSE + timedelta(minutes=2))
    try:
        good = config(port, username="brief", password=PASSWORD)
        assert PASSWORD not in repr(good)
        assert PASSWORD not in repr(BriefMailer(storage, good, clock))
        wrong = replace(good, password=PASSWORD + "-wrong")
        BriefPublisher(storage, POLICY, clock, BriefMailer(storage, wrong, clock)).publish_due()
        assert sink.received == []
        assert "SMTPAuthenticationError" in ours_text(caplog)
        report = send_edition(storage, good, storage.get_brief("2025-08-08"), clock)
    finally:
        controller.stop()
    assert report.sent == 1
    assert sink.logins[-1] == ("brief", PASSWORD)
    assert PASSWORD not in ours_text(caplog)
    assert ours_text(caplog)
    assert len(sink.to("ada@example.org")) == 1


def test_cli_subscribers_and_brief_send(
    tmp_path: Path, smtp: tuple[Sink, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    sink, port = smtp
    db = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    store = open_storage(db)
    store.sync_sources([make_source()])
    add_event(store, 1, 90.0, CLOSE - timedelta(hours=1))
    store.close()
    for name in list(os.environ):
        if name.startswith("PULSEAUGUR_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    added = runner.invoke(
        main, ["subscribers", "add", "--db", db, "Ada@Example.ORG", "b@example.org"]
    )
    assert added.exit_code == 0, added.output
    assert added.output.splitlines() == ["ada@example.org: subscribed", "b@example.org: subscribed"]
    assert (
        "already subscribed"
        in runner.invoke(main, ["subscribers", "add", "--db", db, "ada@example.org"]).output
    )
    bad = runner.invoke(main, ["subscribers", "add", "--db", db, "not-an-address"])
    assert bad.exit_code == 2
    assert runner.invoke(main, ["subscribers", "remove", "--db", db, "B@example.org"]).output == (
        "b@example.org: unsubscribed\n"
    )
    listed = runner.invoke(main, ["subscribers", "list", "--db", db, "--all", "--json"])
    rows = [json.loads(line) for line in listed.output.splitlines()]
    assert [(r["email"], r["unsubscribed_at"] is None) for r in rows] == [
        ("ada@example.org", True),
        ("b@example.org", False),
    ]
    assert "token" not in listed.output

    no_mail = runner.invoke(main, ["brief", "--db", db, "--date", "2025-08-08", "--send"])
    assert no_mail.exit_code == 2
    assert "smtp_host" in no_mail.output
    env = {
        "PULSEAUGUR_SMTP_HOST": "127.0.0.1",
        "PULSEAUGUR_SMTP_PORT": str(port),
        "PULSEAUGUR_SMTP_STARTTLS": "false",
        "PULSEAUGUR_MAIL_FROM": "brief@news.example.org",
        "PULSEAUGUR_PUBLIC_URL": PUBLIC,
    }
    outputs = []
    for _ in range(2):
        sent = runner.invoke(main, ["brief", "--db", db, "--date", "2025-08-08", "--send"], env=env)
        assert sent.exit_code == 0, sent.output
        outputs.append(sent.output.splitlines()[-1])
    assert outputs == [
        "mailed: 1 sent, 0 failed, 0 refused, 0 left",
        "mailed: 0 sent, 0 failed, 0 refused, 0 left",
    ]
    assert [r for _, rcpts, _ in sink.received for r in rcpts] == ["ada@example.org"]
