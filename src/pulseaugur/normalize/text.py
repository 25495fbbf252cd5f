"""HTML and feed text to clean plain text.

Feeds carry titles and bodies as HTML, as escaped HTML, as plain text with stray
entities, and sometimes as HTML escaped twice. Everything here returns *plain text*:
no tags, no entities, whitespace collapsed. Plain text is not HTML-safe: whoever puts it
into a page escapes it (the templates do), exactly as with any other string.
"""

from __future__ import annotations

import html as _html
import re
import unicodedata

from selectolax.lexbor import LexborHTMLParser

__all__ = ["DROPPED_TAGS", "clean_title", "excerpt", "html_to_text", "looks_like_html"]

DROPPED_TAGS: tuple[str, ...] = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "canvas",
    "form",
    "button",
    "input",
    "select",
    "textarea",
    "audio",
    "video",
    "head",
    "title",
    "meta",
    "link",
)
"""Elements removed together with everything inside them."""

# Blocks that end a paragraph (a blank line) and blocks that end a line.
_PARAGRAPH_TAGS = (
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "ul",
    "ol",
    "dl",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "aside",
    "nav",
    "main",
    "figure",
    "hr",
    "address",
    "details",
)
_LINE_TAGS = ("div", "li", "tr", "dt", "dd", "figcaption", "caption", "summary", "center")
_CELL_TAGS = ("td", "th")

# fmt: off
_KNOWN_TAGS = frozenset((
    "a", "abbr", "address", "area", "article", "aside", "audio", "b", "base", "bdi", "bdo",
    "big", "blockquote", "body", "br", "button", "canvas", "caption", "center", "cite", "code",
    "col", "colgroup", "data", "dd", "del", "details", "dfn", "dialog", "div", "dl", "dt",
    "em", "embed", "figcaption", "figure", "font", "footer", "form", "frame", "frameset", "h1",
    "h2", "h3", "h4", "h5", "h6", "head", "header", "hr", "html", "i", "iframe", "img",
    "input", "ins", "kbd", "label", "legend", "li", "link", "main", "map", "mark", "marquee",
    "math", "meta", "meter", "nav", "noscript", "object", "ol", "optgroup", "option", "output",
    "p", "param", "picture", "pre", "progress", "q", "rp", "rt", "ruby", "s", "samp", "script",
    "section", "select", "small", "source", "span", "strike", "strong", "style", "sub",
    "summary", "sup", "svg", "table", "tbody", "td", "template", "textarea", "tfoot", "th",
    "thead", "time", "title", "tr", "track", "tt", "u", "ul", "var", "video", "wbr",
))
# fmt: on
"""Tag names that mark text as HTML (any tag with an attribute does too)."""
_TAG = re.compile(r"</?(?:[A-Za-z][\w.-]*:)?([A-Za-z][A-Za-z0-9]*)(?=[\s/>])")
_TAG_WITH_ATTRIBUTE = re.compile(r"<[A-Za-z][\w:-]*\s+[\w:-]+\s*=")
_MARKUP_START = re.compile(r"<!--|<!\[CDATA\[|<!doctype|<\?[A-Za-z]", re.IGNORECASE)
# XHTML content serialized with a namespace prefix (<html:script>): the prefix goes, so
# the HTML parser sees the element it is and drops it if it must.
_TAG_PREFIX = re.compile(r"(</?)[A-Za-z][\w.-]*:(?=[A-Za-z])")
# A CDATA section that reaches the HTML layer is a feed wrapping its HTML twice; HTML
# parsers would read it as a bogus comment ending at the first ">", so it is unwrapped.
_CDATA = re.compile(r"<!\[CDATA\[(.*?)(?:\]\]>|$)", re.DOTALL)
# "&amp;amp;lt;": an entity escaped several times over, undone in one step.
_AMP_CHAIN = re.compile(
    r"&(?:amp;)+(?=#[0-9]{1,7};|#[xX][0-9A-Fa-f]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)"
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

# Private-use code points stand for breaks while the DOM is flattened to text: a
# paragraph break, a line break from a block, and a line break from <br>.
_PARA = "\ue000"
_LINE = "\ue001"
_BR = "\ue002"
_SENTINELS = re.compile(f"[ ]*[{_PARA}{_LINE}{_BR}][{_PARA}{_LINE}{_BR} ]*")
# Invisible characters that only get in the way: zero-width, soft hyphen, BOM, bidi marks.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200d\u2060\ufeff\u200e\u200f\u202a-\u202e]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[^\S\n]+")
_ALL_SPACES = re.compile(r"\s+")
_LEFTOVER_TAG = re.compile(r"<[!/?]?[A-Za-z][^<>]*>|<!--.*?-->", re.DOTALL)
_BLANK_LINES = re.compile(r"\n{3,}")
_MAX_PASSES = 3


def looks_like_html(text: str) -> bool:
    """True when ``text`` holds markup: a known HTML tag (``<html:p>`` too), any tag with
    an attribute, a comment, CDATA, a doctype or a processing instruction.

    ``a < b``, ``<query, TikTok>`` and ``Vec<T>`` are text."""
    if _MARKUP_START.search(text) or _TAG_WITH_ATTRIBUTE.search(text):
        return True
    return any(m.group(1).lower() in _KNOWN_TAGS for m in _TAG.finditer(text))


def html_to_text(html: str) -> str:
    """Turn an HTML fragment or document (or plain text) into clean plain text.

    - ``DROPPED_TAGS`` (scripts, styles, iframes, SVG, forms, media, ...) vanish with
      their content; comments vanish; attributes (``on*`` handlers, ``javascript:``
      links) never reach the text, only the text of elements does.
    - Paragraph-level blocks (``p``, headings, lists, tables, ...) are separated by a
      blank line, line-level ones (``br``, ``li``, ``div``, rows) by a newline; ``pre``
      keeps its line breaks. Other whitespace runs become one space; lines are stripped;
      at most one blank line in a row.
    - Entities are decoded. Text that still looks like markup after decoding (HTML
      escaped twice, as some feeds send it) is converted again, up to three passes, so
      the result holds no tags.
    - Input without markup passes through with entities decoded and whitespace cleaned
      (its own line breaks kept), so ``a < b`` and ``<query, TikTok>`` survive.
    - Invisible characters (zero-width spaces, soft hyphens, BOM, bidi controls) and C0/C1
      control characters are removed; the text is NFC-normalized.

    Pure and total: never raises for any ``str``.
    """
    text = _CONTROL.sub(" ", _INVISIBLE.sub("", _strip_sentinels(html)))
    for _ in range(_MAX_PASSES):
        if "&amp;" in text:
            text = _AMP_CHAIN.sub("&", text)
        if looks_like_html(text):
            text = _flatten_html(text)
        elif _ENTITY.search(text):
            decoded = _html.unescape(text)
            if decoded == text:
                break
            text = decoded
        else:
            break
    if looks_like_html(text):  # escaped more often than we undo: drop what is left
        text = _LEFTOVER_TAG.sub(" ", text)
    return _clean_text(text, keep_newlines=True)


def _flatten_html(markup: str) -> str:
    """One pass of HTML to clean text (entities decoded, breaks as newlines)."""
    markup = _strip_sentinels(markup)
    if "<![CDATA[" in markup:
        markup = _CDATA.sub(r"\1", markup)
    markup = _TAG_PREFIX.sub(r"\1", markup)
    tree = LexborHTMLParser(markup)
    tree.strip_tags(list(DROPPED_TAGS))
    root = tree.body if tree.body is not None else tree.root
    if root is None:
        return ""
    for node in root.css("pre"):
        node.replace_with(_PARA + node.text(deep=True).replace("\n", _LINE) + _PARA)
    for node in root.css("br"):
        node.replace_with(_BR)
    for node in root.css(",".join(_PARAGRAPH_TAGS)):
        node.insert_before(_PARA)
        node.insert_after(_PARA)
    for node in root.css(",".join(_LINE_TAGS)):
        node.insert_before(_LINE)
        node.insert_after(_LINE)
    for node in root.css(",".join(_CELL_TAGS)):
        node.insert_after(" ")
    text: str = root.text(deep=True, separator="")
    # Source line breaks inside markup are plain whitespace; breaks are sentinels now.
    return _clean_text(text, keep_newlines=False)


def _strip_sentinels(text: str) -> str:
    if _PARA in text or _LINE in text or _BR in text:
        return text.replace(_PARA, "").replace(_LINE, "").replace(_BR, "")
    return text


def _clean_text(text: str, *, keep_newlines: bool) -> str:
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub(" ", text)
    text = (_SPACES if keep_newlines else _ALL_SPACES).sub(" ", text)
    text = _SENTINELS.sub(_break_for, text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def _break_for(match: re.Match[str]) -> str:
    run = match.group(0)
    # Adjacent blocks share one break; two <br> in a row make a paragraph break.
    if _PARA in run or run.count(_BR) > 1:
        return "\n\n"
    return "\n"


def excerpt(text: str, limit: int = 280) -> str:
    """A one-paragraph teaser of ``text`` at most ``limit`` characters long.

    Whitespace (line breaks included) collapses to single spaces. Text within the limit
    comes back whole. Longer text is cut at the last space that keeps at least half of
    the limit (else mid-word, as for Chinese or Japanese, which put no spaces between
    words), trailing punctuation is trimmed and ``…`` appended; the ``…`` counts toward
    the limit. ``limit`` must be at least 1.
    """
    if limit < 1:
        raise ValueError(f"excerpt limit must be at least 1, got {limit}")
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    room = limit - 1
    cut = flat[: room + 1]
    space = cut.rfind(" ")
    head = cut[:space] if space >= room // 2 and space > 0 else flat[:room]
    head = head.rstrip(" ,;:-–—([{\"'“‘«")
    if not head:
        head = flat[:room]
    return head + "…"


def clean_title(title: str) -> str:
    """A title as one line of plain text: tags removed, entities decoded (twice-escaped
    ones too), all whitespace collapsed to single spaces. ``Vec<T>`` and ``AT&T`` keep
    their characters."""
    return " ".join(html_to_text(title).split())
