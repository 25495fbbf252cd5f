"""The Brief by email, the pure part: addresses, unsubscribe tokens and the message.

No I/O: ``pipeline/mail.py`` sends what ``brief_message`` builds.

Addresses
    ``normalize_address`` accepts one plain ASCII address (``local@domain``, the local
    part a dot-atom, the domain's labels letters, digits and hyphens with at least one
    dot) and returns it lower-cased, an internationalized domain in its IDNA (``xn--``)
    form; anything else is a ``ValueError``. Lower-casing the whole address makes
    ``Ada@Example.org`` and ``ada@example.org`` one subscriber.
Tokens
    ``new_token`` is 32 random bytes (``secrets``), URL-safe base64 without padding: 43
    characters. It is the only secret of an unsubscribe link; ``looks_like_token``
    rejects anything of another shape before storage is asked.
The message
    A ``multipart/alternative`` ``EmailMessage``: plain text first, then HTML. Subject
    ``The Brief — <weekday day month year>``; each event's headline links to its absolute
    event URL, followed by its first summary sentence and its sources count; the
    edition's web page; ``List-Unsubscribe`` (the subscriber's HTTPS or HTTP link) with
    ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058), and the same link
    visible in both parts. Every link is built on ``public_url`` (mail has no request to
    be relative to). The ``Message-ID`` is derived from the edition and the subscriber's
    token, so a copy sent twice carries the same id.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from html import escape

from pulseaugur.brief import parse_edition_id
from pulseaugur.types import BriefEdition, Subscriber

MAX_ADDRESS_LENGTH = 254
"""The longest address accepted (RFC 5321's path limit less the angle brackets)."""

_ATOM = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*", re.ASCII)
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.ASCII)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}", re.ASCII)


def normalize_address(text: str) -> str:
    """``text`` as a normalized address (see the module docstring); ``ValueError``
    saying what is wrong otherwise."""
    address = text.strip()
    if not address or len(address) > MAX_ADDRESS_LENGTH:
        raise ValueError("an email address is 1 to 254 characters")
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f"{address!r} is not an email address (local@domain)")
    local = local.lower()
    if len(local) > 64 or not _LOCAL.fullmatch(local):
        raise ValueError(f"{address!r} is not an email address: its local part is not valid")
    try:
        ascii_domain = domain.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise ValueError(f"{address!r} is not an email address: its domain is not valid") from None
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        raise ValueError(f"{address!r} is not an email address: its domain is not valid")
    if labels[-1].isdigit():
        raise ValueError(f"{address!r} is not an email address: its domain is not a name")
    normalized = f"{local}@{ascii_domain}"
    if len(normalized) > MAX_ADDRESS_LENGTH:
        raise ValueError("an email address is 1 to 254 characters")
    return normalized


def mask_address(address: str) -> str:
    """The address as logs show it: ``a***@example.org`` (who, not which one)."""
    local, _, domain = address.rpartition("@")
    return f"{local[:1]}***@{domain}" if local else "***"


def new_token() -> str:
    """A new secret unsubscribe token: 43 URL-safe characters, 256 random bits."""
    return secrets.token_urlsafe(32)


def looks_like_token(text: str) -> bool:
    """Whether ``text`` has the shape of a token ``new_token`` makes."""
    return _TOKEN.fullmatch(text) is not None


def unsubscribe_url(public_url: str, subscriber: Subscriber) -> str:
    """The subscriber's absolute unsubscribe link, ``<public_url>/unsubscribe/<token>``."""
    return f"{public_url.rstrip('/')}/unsubscribe/{subscriber.token}"


def long_date(edition: BriefEdition) -> str:
    """``Friday 8 August 2025``: the edition's date as the subject and title say it."""
    day = parse_edition_id(edition.id)
    return f"{day:%A} {day.day} {day:%B %Y}"


def subject(edition: BriefEdition) -> str:
    """``The Brief — Friday 8 August 2025``."""
    return f"The Brief — {long_date(edition)}"


def _sources(count: int) -> str:
    return f"{count} source" if count == 1 else f"{count} sources"


def _utc(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def message_text(edition: BriefEdition, base: str, unsubscribe: str) -> str:
    """The plain-text part: one numbered block per event, then the links."""
    lines = [
        subject(edition),
        "",
        f"The {len(edition.entries)} most important AI news events of the 24 hours to "
        f"{_utc(edition.window_end)}, scored 0-100.",
        "",
    ]
    for entry in edition.entries:
        lines.append(f"{entry.rank}. {entry.headline}")
        if entry.lead:
            lines.append(f"   {entry.lead}")
        lines.append(f"   {_sources(entry.source_count)} · score {entry.score:.0f}")
        lines.append(f"   {base}{entry.path}")
        lines.append("")
    lines += [
        f"Read this edition on the web: {base}/brief/{edition.id}",
        "",
        "-- ",
        "You get the Brief because this address subscribed to it.",
        f"Unsubscribe: {unsubscribe}",
    ]
    return "\n".join(lines) + "\n"


def message_html(edition: BriefEdition, base: str, unsubscribe: str) -> str:
    """The HTML part: the same content as the text part, every value escaped."""
    web = escape(f"{base}/brief/{edition.id}")
    parts = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(subject(edition))}</title></head><body>",
        f"<h1>The Brief <small>· {escape(long_date(edition))}</small></h1>",
        f"<p>The {len(edition.entries)} most important AI news events of the 24 hours to "
        f"{escape(_utc(edition.window_end))}, scored 0–100.</p>",
        "<ol>",
    ]
    for entry in edition.entries:
        parts.append(
            f'<li><p><strong><a href="{escape(base + entry.path)}">{escape(entry.headline)}'
            "</a></strong></p>"
            + (f"<p>{escape(entry.lead)}</p>" if entry.lead else "")
            + f"<p>{escape(_sources(entry.source_count))} · score {entry.score:.0f}</p></li>"
        )
    parts += [
        "</ol>",
        f'<p><a href="{web}">Read this edition on the web</a></p>',
        "<hr><p>You get the Brief because this address subscribed to it. "
        f'<a href="{escape(unsubscribe)}">Unsubscribe</a></p>',
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def brief_message(
    edition: BriefEdition,
    subscriber: Subscriber,
    *,
    public_url: str,
    mail_from: str,
    now: datetime,
) -> EmailMessage:
    """The message mailing ``edition`` to ``subscriber`` (see the module docstring).
    ``public_url`` is the site's absolute base URL; ``mail_from`` the sender."""
    base = public_url.rstrip("/")
    unsubscribe = unsubscribe_url(base, subscriber)
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "pulseaugur.invalid"
    digest = hashlib.sha256(f"{edition.id}\0{subscriber.token}".encode()).hexdigest()[:24]
    message = EmailMessage()
    message["Subject"] = subject(edition)
    message["From"] = mail_from
    message["To"] = subscriber.email
    message["Date"] = format_datetime(now)
    message["Message-ID"] = f"<brief.{edition.id}.{digest}@{domain}>"
    message["List-Id"] = f"The Brief <brief.{domain}>"
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(message_text(edition, base, unsubscribe))
    message.add_alternative(message_html(edition, base, unsubscribe), subtype="html")
    return message
