"""OPML import and export of source lists.

``read_opml`` returns the feeds an OPML document subscribes to (every ``outline`` with an
``xmlUrl``, nested folders included; a folder's title becomes the feed's ``category``).
It parses with defusedxml: a document declaring entities is refused with ``ParseError``.
``write_opml`` writes sources as OPML 2.0, with PulseAugur's own fields (tier, languages,
kind, id) as extra outline attributes other readers ignore, so an export imports back
unchanged.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from pulseaugur.errors import ParseError, UnsafeXMLError
from pulseaugur.types import Source


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    """One subscription found in an OPML document."""

    xml_url: str
    title: str | None
    html_url: str | None
    category: str | None
    tier: int | None = None
    languages: tuple[str, ...] = ()
    kind: str | None = None
    source_id: str | None = None


def read_opml(document: bytes, *, where: str) -> list[OpmlFeed]:
    """The subscriptions in an OPML ``document``; ``where`` names it in errors."""
    try:
        root = SafeET.fromstring(document)
    except DefusedXmlException as exc:
        raise UnsafeXMLError(where, f"refused: the OPML declares entities ({exc})") from None
    except ET.ParseError as exc:
        raise ParseError(where, f"not valid XML ({exc})") from None
    if root.tag != "opml" or root.find("body") is None:
        raise ParseError(where, "not an OPML document (no <opml><body>)")
    feeds: list[OpmlFeed] = []
    _walk(root.find("body"), None, feeds)
    return feeds


def _walk(node: ET.Element | None, category: str | None, out: list[OpmlFeed]) -> None:
    if node is None:
        return
    for outline in node.findall("outline"):
        title = (outline.get("title") or outline.get("text") or "").strip() or None
        xml_url = (outline.get("xmlUrl") or "").strip()
        if xml_url:
            tier = outline.get("pulseaugurTier", "")
            languages = outline.get("pulseaugurLanguages", "")
            out.append(
                OpmlFeed(
                    xml_url=xml_url,
                    title=title,
                    html_url=(outline.get("htmlUrl") or "").strip() or None,
                    category=category or (outline.get("category") or "").strip() or None,
                    tier=int(tier) if tier in ("1", "2", "3") else None,
                    languages=tuple(x for x in languages.split(",") if x),
                    kind=outline.get("pulseaugurKind") or None,
                    source_id=outline.get("pulseaugurId") or None,
                )
            )
        _walk(outline, title if not xml_url else category, out)


def write_opml(sources: Iterable[Source], *, title: str = "PulseAugur sources") -> bytes:
    """An OPML 2.0 document listing ``sources``."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC), usegmt=True)
    body = ET.SubElement(root, "body")
    for source in sources:
        attributes = {
            "type": "rss",
            "text": source.display_name,
            "title": source.display_name,
            "xmlUrl": source.url,
            "pulseaugurId": source.id,
            "pulseaugurKind": source.kind,
            "pulseaugurTier": str(source.tier),
            "pulseaugurLanguages": ",".join(source.languages),
        }
        if source.domains:
            attributes["htmlUrl"] = f"https://{source.domains[0]}"
        ET.SubElement(body, "outline", attributes)
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
