"""URL canonicalization: one spelling per document, so storage can spot exact duplicates.

``canonical_url`` maps the many spellings a feed, a share button or an AMP page give the
same article onto one string. The rules, applied in this order:

1. Only ``http`` and ``https`` URLs with a valid host are accepted; anything else
   (``mailto:``, ``javascript:``, relative or scheme-less URLs, bad ports, hosts with
   spaces) gives ``None``. Surrounding whitespace is ignored.
2. The scheme becomes ``https`` and the host is lower-cased (non-ASCII hosts are turned
   into their IDNA/punycode form). User names and passwords are dropped, and so are the
   default ports 80 and 443 (both, since the scheme is now ``https``).
3. Host variants are folded to the bare host: leading ``www.``, ``m.``, ``mobile.`` and
   ``amp.`` labels are removed while at least two labels remain (``www.theverge.com`` →
   ``theverge.com``; ``m.co`` is left alone). Google's and the AMP project's AMP caches
   (``google.com/amp/s/…``, ``….cdn.ampproject.org/c/s/…``) are unwrapped to the
   publisher's URL.
4. The path: dot segments are resolved, percent-escapes are normalized (escapes of
   unreserved characters are decoded, the rest upper-cased, unsafe characters escaped as
   UTF-8), AMP variants are removed (a final ``/amp`` segment, ``.amp`` before the
   extension or at the end of the last segment; not on code hosts such as GitHub, where
   ``amp`` is a repository name), and a trailing slash is dropped except on the root
   path, which is always ``/``.
5. The query: tracking parameters (``TRACKING_PARAMS``, any ``utm_*``/``pk_*``/``mtm_*``
   /``hsa_*`` key, and per-site share tokens in ``SITE_TRACKING_PARAMS``) and AMP switches
   (``amp``, ``outputType=amp``) are dropped, keys compared case-insensitively; the
   remaining ``key=value`` pairs keep their spelling (``+`` stays ``+``) and are sorted.
   Empty queries disappear.
6. The fragment is dropped, except a ``#!`` route (single-page apps address documents
   with it). With ``keep_anchor=True`` a plain anchor such as ``#1.0.2`` is kept too; see
   that parameter.

The function is idempotent: ``canonical_url(canonical_url(u)) == canonical_url(u)`` for
every ``u`` that gives a string. It does no I/O (redirects are not followed).
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, unquote_plus, urlsplit

__all__ = [
    "SITE_TRACKING_PARAMS",
    "TRACKING_PARAMS",
    "TRACKING_PREFIXES",
    "canonical_url",
    "host_matches",
    "url_domain",
]

TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        # Ad-click identifiers.
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        "igsh",
        # Newsletters and marketing automation (Mailchimp, Marketo, HubSpot, Vero).
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "_hsenc",
        "_hsmi",
        "__hssc",
        "__hstc",
        "__hsfp",
        "hsctatracking",
        "vero_id",
        "vero_conv",
        "oly_anon_id",
        "oly_enc_id",
        # Analytics suites (Google, Adobe, Webtrends, AT Internet).
        "_ga",
        "_gl",
        "s_cid",
        "wt.mc_id",
        "wt.mc_ev",
        "xtor",
        "at_medium",
        "at_campaign",
        "at_custom1",
        "at_custom2",
        "at_custom3",
        "at_custom4",
        # Referral and campaign tags used by news sites.
        "ref",
        "ref_src",
        "ref_url",
        "reflink",
        "cmpid",
        "cmp",
        "icid",
        "ncid",
        "ocid",
        "itid",
        "smid",
        "smtyp",
        "sr_share",
        "soc_src",
        "soc_trk",
        "taid",
        "tpcc",
        "srnd",
        "leadsource",
        "triedredirect",
        # Yahoo/TechCrunch consent bounce.
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
    }
)
"""Query keys (lower-case) that only say how a reader arrived; dropped on every site."""

TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "pk_", "mtm_", "hsa_")
"""Query-key prefixes (lower-case) dropped on every site: Google Analytics, Piwik,
Matomo and HubSpot ads campaign tags."""

SITE_TRACKING_PARAMS: dict[str, frozenset[str]] = {
    # Share and referral tokens whose short names mean something else elsewhere.
    "substack.com": frozenset({"r", "s"}),
    "theinformation.com": frozenset({"rc"}),
    "wsj.com": frozenset({"st", "mod"}),
    "nytimes.com": frozenset({"unlocked_article_code", "ugrp"}),
    "youtube.com": frozenset({"si", "feature", "pp"}),
    "youtu.be": frozenset({"si", "feature"}),
    "spotify.com": frozenset({"si"}),
    "x.com": frozenset({"s", "t"}),
    "twitter.com": frozenset({"s", "t"}),
    "linkedin.com": frozenset({"trk", "trackingid", "lipi"}),
    "reddit.com": frozenset({"share_id", "rdt"}),
    "medium.com": frozenset({"source", "sk"}),
}
"""Extra tracking keys per site; a site entry covers its subdomains too."""

_FOLDED_HOST_PREFIXES = ("www.", "m.", "mobile.", "amp.")
_AMP_EXEMPT_HOSTS = frozenset({"github.com", "gitlab.com", "bitbucket.org", "huggingface.co"})
_GOOGLE_HOST = re.compile(r"^google\.(?:com?\.)?[a-z]{2,3}$")
_AMP_CACHE_PATH = re.compile(r"^/(?:amp|c|v)/(s/)?(.+)$")

_HEX = "0123456789ABCDEFabcdef"
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SUB_DELIMS = "!$&'()*+,;="
_PATH_SAFE = frozenset(_UNRESERVED | set(_SUB_DELIMS) | set(":@/"))
_QUERY_PART_SAFE = frozenset(_UNRESERVED | set("!$'()*+,;:@/?="))
_FRAGMENT_SAFE = frozenset(_PATH_SAFE | set("?"))
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?"
_HOST_LABELS = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*$")
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_ANCHOR = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
_BOILERPLATE_ANCHORS = frozenset(
    {
        "comments",
        "comment",
        "respond",
        "reply",
        "more",
        "main",
        "content",
        "main-content",
        "maincontent",
        "top",
        "article",
        "disqus_thread",
        "page",
        "skip",
        "start",
        "footnotes",
    }
)


def canonical_url(url: str, *, keep_anchor: bool = False) -> str | None:
    """Return the canonical form of ``url``, or ``None`` when it is not a usable http(s) URL.

    The rules are listed in the module docstring. ``keep_anchor`` keeps a fragment that is
    a plain anchor name (letters, digits, ``._:-``, not a tracking or state fragment with
    ``=``/``&``/``/``, not boilerplate such as ``#comments`` or ``#more-123``). Feeds that
    publish several entries on one page (changelogs: ``/changelog#1.0.2``,
    ``/changelog#1.0.3``) tell their entries apart only by that anchor; the item
    normalizer passes ``True`` so storage does not take them for duplicates of each other.

    Idempotent for either value of ``keep_anchor``. Pure: no I/O.
    """
    text = url.strip()
    if not text or any(ch in text for ch in "\x00\r\n\t"):
        return None
    try:
        parts = urlsplit(text)
        port = parts.port
        hostname = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not hostname:
        return None

    host = _normalize_host(hostname)
    if host is None:
        return None
    netloc = f"{host}:{port}" if port is not None and port not in (80, 443) else host

    unwrapped = _unwrap_amp_cache(host, parts)
    if unwrapped is not None:
        inner = canonical_url(unwrapped, keep_anchor=keep_anchor)
        if inner is not None:
            return inner

    path = _normalize_path(parts.path, host)
    query = _normalize_query(parts.query, host)
    fragment = _normalize_fragment(parts.fragment, keep_anchor=keep_anchor)

    result = f"https://{netloc}{path}"
    if query:
        result += f"?{query}"
    if fragment:
        result += f"#{fragment}"
    return result


def url_domain(url: str) -> str | None:
    """Return the folded host of ``url`` (``"techcrunch.com"``, ``"blog.google"``,
    ``"news.mit.edu"``), or ``None`` when ``url`` is not a usable http(s) URL.

    This is the host ``canonical_url`` would produce, without port: lower-case, IDNA,
    ``www.``/``m.``/``mobile.``/``amp.`` removed. Subdomains that name a distinct
    publication (``news.mit.edu``, ``developers.openai.com``) are kept; match a source's
    ``domains`` with :func:`host_matches` when a whole site is meant.
    """
    canonical = canonical_url(url)
    if canonical is None:
        return None
    hostname = urlsplit(canonical).hostname
    return hostname or None


def host_matches(host: str, domain: str) -> bool:
    """True when ``host`` is ``domain`` or one of its subdomains (case-insensitive,
    ``www.`` and the other folded prefixes ignored on both sides)."""
    h = _fold_host(host.strip().lower().rstrip("."))
    d = _fold_host(domain.strip().lower().rstrip("."))
    return bool(d) and (h == d or h.endswith("." + d))


def _normalize_host(hostname: str) -> str | None:
    """Lower-case, IDNA-encode, validate and fold a host; ``None`` when it is invalid."""
    host = hostname.strip().rstrip(".").lower()
    if not host:
        return None
    if ":" in host:  # urlsplit strips the brackets of an IPv6 literal
        if not re.fullmatch(r"[0-9a-f:.]+", host):
            return None
        return f"[{host}]"
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if not _HOST_LABELS.match(host):
        return None
    if _IPV4.match(host):
        return host
    return _fold_host(host)


def _fold_host(host: str) -> str:
    """Remove ``www.``/``m.``/``mobile.``/``amp.`` labels while two labels remain."""
    changed = True
    while changed:
        changed = False
        for prefix in _FOLDED_HOST_PREFIXES:
            rest = host[len(prefix) :]
            if host.startswith(prefix) and "." in rest:
                host = rest
                changed = True
    return host


def _unwrap_amp_cache(host: str, parts: SplitResult) -> str | None:
    """The publisher URL inside a Google or AMP-project AMP cache URL, else ``None``."""
    if _GOOGLE_HOST.match(host):
        if not parts.path.startswith("/amp/"):
            return None
    elif not host.endswith(".cdn.ampproject.org"):
        return None
    match = _AMP_CACHE_PATH.match(parts.path)
    if match is None:
        return None
    scheme = "https" if match.group(1) else "http"
    inner = f"{scheme}://{match.group(2)}"
    if parts.query:
        inner += f"?{parts.query}"
    return inner


def _normalize_percent(text: str, safe: frozenset[str]) -> str:
    """Normalize percent-encoding: decode escapes of unreserved characters, upper-case
    the others, escape ``%`` that starts no escape and every character outside ``safe``
    (as UTF-8 bytes). Idempotent."""
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "%":
            if i + 2 < n and text[i + 1] in _HEX and text[i + 2] in _HEX:
                code = int(text[i + 1 : i + 3], 16)
                decoded = chr(code)
                out.append(decoded if decoded in _UNRESERVED else f"%{code:02X}")
                i += 3
                continue
            out.append("%25")
        elif ch in safe:
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8", errors="surrogatepass"))
        i += 1
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4 for an absolute path."""
    if "." not in path:
        return path
    segments = path.split("/")
    output: list[str] = []
    for segment in segments[1:]:
        if segment == ".":
            continue
        if segment == "..":
            if output:
                output.pop()
            continue
        output.append(segment)
    if segments[-1] in (".", ".."):
        output.append("")
    return "/" + "/".join(output)


def _normalize_path(raw_path: str, host: str) -> str:
    path = _normalize_percent(raw_path or "/", _PATH_SAFE)
    if not path.startswith("/"):
        path = "/" + path
    strip_amp = host not in _AMP_EXEMPT_HOSTS
    # Each step only shortens the path, so this reaches a fixed point, which is what
    # makes canonical_url idempotent when one step uncovers work for another.
    while True:
        before = path
        path = _remove_dot_segments(path)
        if strip_amp:
            path = _strip_amp_path(path)
        path = path.rstrip("/") or "/"
        if path == before:
            return path


def _strip_amp_path(path: str) -> str:
    """Remove AMP markers: a final ``amp`` segment, ``.amp`` in the last segment."""
    trimmed = path.rstrip("/")
    segments = trimmed.split("/")
    while len(segments) > 2 and segments[-1].lower() == "amp":
        segments.pop()
        while len(segments) > 2 and segments[-1] == "":
            segments.pop()
    last = segments[-1]
    lowered = last.lower()
    if lowered.endswith(".amp"):
        stripped = last[:-4]
    else:
        marker = lowered.rfind(".amp.")
        stripped = last[:marker] + last[marker + 4 :] if marker > 0 else last
    if stripped.strip("."):  # never leave an empty or dot-only segment behind
        segments[-1] = stripped
    return "/".join(segments) or "/"


def _is_tracking_key(key: str, host: str) -> bool:
    if key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES):
        return True
    for site, keys in SITE_TRACKING_PARAMS.items():
        if key in keys and (host == site or host.endswith("." + site)):
            return True
    return False


def _normalize_query(query: str, host: str) -> str:
    if not query:
        return ""
    kept: list[tuple[str, str]] = []
    for part in query.split("&"):
        if not part:
            continue
        key, sep, value = part.partition("=")
        key = _normalize_percent(key, _QUERY_PART_SAFE - {"="})
        value = _normalize_percent(value, _QUERY_PART_SAFE)
        folded = _decode_for_compare(key)
        if not folded and not value:
            continue
        if _is_tracking_key(folded, host):
            continue
        if folded == "amp" or (folded in ("outputtype", "output") and value.lower() == "amp"):
            continue
        kept.append((key, f"{key}{sep}{value}"))
    kept.sort()
    return "&".join(item for _, item in kept)


def _decode_for_compare(key: str) -> str:
    """A query key with ``%XX`` escapes and ``+`` decoded, lower-cased, for matching."""
    if "%" not in key and "+" not in key:
        return key.lower()
    return unquote_plus(key).lower()


def _normalize_fragment(fragment: str, *, keep_anchor: bool) -> str:
    if not fragment:
        return ""
    if fragment.startswith("!"):
        return _normalize_percent(fragment, _FRAGMENT_SAFE)
    if keep_anchor and _ANCHOR.match(fragment):
        lowered = fragment.lower()
        base = re.sub(r"[-_]?\d+$", "", lowered)
        if lowered not in _BOILERPLATE_ANCHORS and base not in _BOILERPLATE_ANCHORS:
            return fragment
    return ""
