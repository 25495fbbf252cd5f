"""The one shared async HTTP client every fetch goes through.

:class:`HttpClient` wraps an ``httpx.AsyncClient`` and adds what a feed poller needs:

* conditional GET (``If-None-Match`` / ``If-Modified-Since``); a 304 is a result, not an
  error;
* redirects followed by hand (at most ``max_redirects``), so that every hop is checked;
* a size cap on the *decoded* body, enforced while streaming (and up front from
  ``Content-Length``), with our own bounded gzip/deflate decoding so a compression bomb
  never inflates past the cap;
* one overall deadline per fetch (connect, redirects and body together), so a server
  that drips bytes slowly is cut off by total time, not only by the per-read timeout;
* an SSRF guard: unless ``allow_private_addresses``, only http(s) URLs whose host
  resolves exclusively to public addresses are fetched, and the connection is pinned to
  the address that was checked (no DNS-rebinding window);
* a semaphore capping fetches in flight.

Every failure is a ``FetchError`` subclass whose message is one line naming the URL.
The client keeps no cookies and ignores proxy environment variables: each fetch is
stateless and connects directly, which the SSRF guard relies on.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import TracebackType
from typing import Final, Self
from urllib.parse import urlsplit

import httpx

from pulseaugur.config import Settings
from pulseaugur.errors import (
    BlockedAddress,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    ResponseTooLarge,
)
from pulseaugur.types import FetchResult

__all__ = ["HttpClient", "Resolver", "is_public_address"]

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""``(host, port) -> IP addresses``; the default asks the system resolver."""

_REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
_ACCEPT: Final = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
_CHUNK: Final = 64 * 1024


class HttpClient:
    """Fetches documents over HTTP(S); safe to share between concurrent tasks.

    ``timeout_s`` is the deadline for a whole fetch (and also bounds each connect and
    read); ``max_bytes`` caps the decoded body; at most ``max_concurrency`` fetches run
    at once, and at most ``max_per_host`` of them against one host (the others wait,
    and waiting does not count toward the deadline).
    ``transport`` replaces the network (tests); ``resolver`` replaces DNS resolution
    for the SSRF guard (tests).
    """

    def __init__(
        self,
        *,
        user_agent: str,
        timeout_s: float = 20.0,
        max_bytes: int = 10_000_000,
        max_concurrency: int = 16,
        max_per_host: int = 2,
        allow_private_addresses: bool = False,
        max_redirects: int = 5,
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        if min(max_bytes, max_concurrency, max_per_host) < 1 or timeout_s <= 0 or max_redirects < 0:
            raise ValueError(
                "timeout_s, max_bytes, max_concurrency and max_per_host must be positive, "
                "max_redirects not negative"
            )
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.allow_private_addresses = allow_private_addresses
        self._resolve = resolver or _system_resolve
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self.max_per_host = max_per_host
        self._host_slots: dict[str, asyncio.Semaphore] = {}
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(timeout_s),
            follow_redirects=False,
            trust_env=False,
            # No keep-alive: a pinned connection to a shared IP must never be reused
            # for another host name (SNI and certificate belong to the first one).
            limits=httpx.Limits(max_keepalive_connections=0),
            cookies=CookieJar(DefaultCookiePolicy(allowed_domains=[])),  # stores nothing
            headers={"User-Agent": user_agent, "Accept": _ACCEPT},
        )

    @classmethod
    def from_settings(
        cls, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> HttpClient:
        """A client configured from ``user_agent``, ``fetch_timeout_s``,
        ``max_response_bytes``, ``max_concurrent_fetches`` and ``allow_private_addresses``."""
        return cls(
            user_agent=settings.user_agent,
            timeout_s=settings.fetch_timeout_s,
            max_bytes=settings.max_response_bytes,
            max_concurrency=settings.max_concurrent_fetches,
            allow_private_addresses=settings.allow_private_addresses,
            transport=transport,
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close pooled connections. The client cannot be used afterwards."""
        await self._client.aclose()

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET ``url``, conditionally when ``etag`` / ``last_modified`` are given.

        Returns the final response (after redirects) with a 2xx status, or a 304 as
        ``FetchResult(not_modified=True, content=b"")`` — its validators are the
        response's, else the ones sent. ``FetchResult.url`` is the final URL.

        Raises ``BlockedAddress`` (scheme other than http(s), or a host resolving to a
        non-public address), ``HTTPStatusError`` (4xx/5xx, or a 3xx that cannot be
        followed), ``ResponseTooLarge``, ``FetchTimeout`` (past ``timeout_s`` in total),
        and ``FetchError`` for everything else (DNS, refused connection, TLS, protocol
        errors, too many redirects).
        """
        headers = {"Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        host = (urlsplit(url).hostname or "").lower()
        host_slot = self._host_slots.setdefault(host, asyncio.Semaphore(self.max_per_host))
        async with host_slot, self._semaphore:
            try:
                async with asyncio.timeout(self.timeout_s):
                    return await self._fetch(url, headers, etag, last_modified)
            except TimeoutError:
                raise FetchTimeout(
                    url, f"no complete response within {self.timeout_s:g} s"
                ) from None

    async def _fetch(
        self,
        url: str,
        headers: dict[str, str],
        etag: str | None,
        last_modified: str | None,
    ) -> FetchResult:
        current = url
        for _ in range(self.max_redirects + 1):
            target = _parse_url(current)
            request = await self._build_request(target, current, headers)
            async with _translate_errors(current):
                response = await self._client.send(request, stream=True)
            try:
                status = response.status_code
                location = response.headers.get("location")
                if status in _REDIRECT_STATUSES and location:
                    try:
                        current = str(target.join(location.strip()))
                    except httpx.InvalidURL:
                        raise FetchError(current, f"bad redirect location {location!r}") from None
                    continue
                if status == 304:
                    return FetchResult(
                        url=current,
                        status=304,
                        content=b"",
                        content_type=response.headers.get("content-type"),
                        etag=response.headers.get("etag") or etag,
                        last_modified=response.headers.get("last-modified") or last_modified,
                        not_modified=True,
                        fetched_at=datetime.now(UTC),
                        max_age_s=max_age_seconds(response.headers.get("cache-control")),
                    )
                if not 200 <= status < 300:
                    raise HTTPStatusError(
                        current,
                        status,
                        retry_after_s=retry_after_seconds(response.headers.get("retry-after")),
                    )
                content = await self._read_body(response, current)
                return FetchResult(
                    url=current,
                    status=status,
                    content=content,
                    content_type=response.headers.get("content-type"),
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                    fetched_at=datetime.now(UTC),
                    max_age_s=max_age_seconds(response.headers.get("cache-control")),
                )
            finally:
                await response.aclose()
        raise FetchError(url, f"gave up after {self.max_redirects} redirects (last: {current})")

    async def post_form(self, url: str, form: dict[str, str]) -> int:
        """POST ``form`` (urlencoded) to ``url`` with the same guard, deadline and
        concurrency limits as ``fetch``; no redirects. Returns the status; the body is
        read up to the size cap and dropped. Raises what ``fetch`` raises, except that
        error statuses are returned, not raised."""
        target = _parse_url(url)
        async with self._semaphore:
            try:
                async with asyncio.timeout(self.timeout_s):
                    request = await self._build_request(target, url, {}, "POST", form)
                    async with _translate_errors(url):
                        response = await self._client.send(request, stream=True)
                    try:
                        await self._read_body(response, url)
                        return response.status_code
                    finally:
                        await response.aclose()
            except TimeoutError:
                raise FetchTimeout(
                    url, f"no complete response within {self.timeout_s:g} s"
                ) from None

    async def _build_request(
        self,
        target: httpx.URL,
        url: str,
        headers: dict[str, str],
        method: str = "GET",
        form: dict[str, str] | None = None,
    ) -> httpx.Request:
        """The request for ``target``; with the SSRF guard on, it connects to the checked
        IP address while Host and TLS (SNI, certificate) use the host name."""
        if self.allow_private_addresses:
            return self._client.build_request(method, target, headers=headers, data=form)
        host = target.raw_host.decode("ascii")
        address = await self._public_address(host, target.port or _default_port(target), url)
        pinned = target.copy_with(host=address)
        extensions = {"sni_hostname": host} if target.scheme == "https" else {}
        return self._client.build_request(
            method,
            pinned,
            headers={**headers, "Host": target.netloc.decode("ascii")},
            data=form,
            extensions=extensions,
        )

    async def _public_address(self, host: str, port: int, url: str) -> str:
        """An address of ``host`` to connect to; raises ``BlockedAddress`` if any of its
        addresses is not public (a host that resolves partly inward is refused)."""
        try:
            addresses = [str(ipaddress.ip_address(host))]
            literal = True
        except ValueError:
            literal = False
            try:
                addresses = await self._resolve(host, port)
            except OSError as exc:
                reason = exc.strerror or str(exc) or type(exc).__name__
                raise FetchError(url, f"cannot resolve host {host}: {reason}") from None
        if not addresses:
            raise FetchError(url, f"cannot resolve host {host}: no addresses")
        for address in addresses:
            if not is_public_address(address):
                where = "" if literal else f"host {host} resolves to "
                raise BlockedAddress(url, f"{where}non-public address {address}; refused")
        return addresses[0]

    async def _read_body(self, response: httpx.Response, url: str) -> bytes:
        """The decoded body, refused as soon as it passes ``max_bytes``."""
        declared = response.headers.get("content-length", "")
        if declared.strip().isdigit() and int(declared) > self.max_bytes:
            raise ResponseTooLarge(
                url, f"response of {int(declared)} bytes exceeds the {self.max_bytes}-byte cap"
            )
        if response.is_stream_consumed:
            # An in-memory transport (tests, replays) answered with a body already read
            # and decoded by httpx.
            decoder = _Decoder("identity", self.max_bytes, url)
            decoder.feed(response.content)
            return decoder.finish()
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        decoder = _Decoder(encoding, self.max_bytes, url)
        async with _translate_errors(url):
            async for chunk in response.aiter_raw(_CHUNK):
                decoder.feed(chunk)
        return decoder.finish()


class _Decoder:
    """Incremental Content-Encoding decoder that never holds more than ``limit`` bytes
    of output (plus one, to detect the overflow), however well the input compresses."""

    def __init__(self, encoding: str, limit: int, url: str) -> None:
        if encoding in ("gzip", "x-gzip"):
            wbits: int | None = zlib.MAX_WBITS | 16
        elif encoding == "deflate":
            wbits = zlib.MAX_WBITS  # the zlib wrapper; raw deflate is tried on error
        elif encoding in ("identity", ""):
            wbits = None
        else:
            raise FetchError(url, f"unsupported Content-Encoding {encoding!r}")
        self._encoding = encoding
        self._wbits = wbits or 0
        self._zlib = zlib.decompressobj(wbits) if wbits is not None else None
        self._fed = False
        self._done = False
        self._limit = limit
        self._url = url
        self._out = bytearray()

    def feed(self, data: bytes) -> None:
        """Decode one chunk of the raw body."""
        if self._zlib is None:
            self._append(data)
            return
        try:
            self._inflate(data)
        except zlib.error:
            if self._encoding == "deflate" and not self._fed and self._wbits == zlib.MAX_WBITS:
                # Some servers send raw deflate without the zlib wrapper.
                self._wbits = -zlib.MAX_WBITS
                self._zlib = zlib.decompressobj(self._wbits)
                self._inflate(data)
            else:
                raise FetchError(self._url, f"body is not valid {self._encoding} data") from None
        self._fed = True

    def _inflate(self, data: bytes) -> None:
        assert self._zlib is not None
        while data and not self._done:
            room = self._limit - len(self._out) + 1  # always >= 1: _append enforces the cap
            self._append(self._zlib.decompress(data, room))
            if not self._zlib.eof:
                data = self._zlib.unconsumed_tail
                continue
            # End of stream. Another gzip member may follow; anything else is ignored.
            data = self._zlib.unused_data
            if self._encoding != "deflate" and data.startswith(b"\x1f\x8b"):
                self._zlib = zlib.decompressobj(self._wbits)
            else:
                self._done = True

    def _append(self, data: bytes) -> None:
        if len(self._out) + len(data) > self._limit:
            raise ResponseTooLarge(self._url, f"body exceeds the {self._limit}-byte cap")
        self._out += data

    def finish(self) -> bytes:
        """The whole decoded body (a truncated compressed stream yields what it held)."""
        if self._zlib is not None and not self._done:
            try:
                self._append(self._zlib.flush())
            except zlib.error:
                raise FetchError(self._url, f"body is not valid {self._encoding} data") from None
        return bytes(self._out)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date);
    None when absent or unreadable, 0 for a date already past."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


def max_age_seconds(value: str | None) -> int | None:
    """``max-age`` (or ``s-maxage``) of a ``Cache-Control`` header, in seconds; None when
    absent, unreadable, or when ``no-cache``/``no-store`` ask for revalidation."""
    if not value:
        return None
    directives = {
        name.strip().lower(): arg.strip().strip('"')
        for name, _, arg in (part.partition("=") for part in value.split(","))
    }
    if "no-cache" in directives or "no-store" in directives:
        return None
    for name in ("s-maxage", "max-age"):
        if directives.get(name, "").isdigit():
            return int(directives[name])
    return None


def is_public_address(address: str) -> bool:
    """True for a globally routable unicast address; False for loopback, private,
    link-local (cloud metadata at 169.254.169.254), shared (100.64/10), multicast,
    reserved, unspecified and documentation ranges, including IPv4 addresses embedded
    in IPv6 (mapped, 6to4, Teredo, NAT64)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded: list[ipaddress.IPv4Address | None] = [ip.ipv4_mapped, ip.sixtofour]
        if ip.teredo:
            embedded.append(ip.teredo[1])
        if ip in _NAT64:
            embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if any(v4 is not None and not is_public_address(str(v4)) for v4 in embedded):
            return False
    return ip.is_global and not (
        ip.is_multicast
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_unspecified
    )


_NAT64: Final = ipaddress.IPv6Network("64:ff9b::/96")


def _parse_url(url: str) -> httpx.URL:
    """``url`` as an ``httpx.URL``; only absolute http(s) URLs with a host pass."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise FetchError(url, f"invalid URL ({exc})") from None
    if parsed.scheme not in ("http", "https"):
        shown = parsed.scheme or "(none)"
        raise BlockedAddress(url, f"scheme {shown} is refused (only http and https are fetched)")
    if not parsed.host:
        raise FetchError(url, "URL has no host")
    return parsed


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80


async def _system_resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@asynccontextmanager
async def _translate_errors(url: str) -> AsyncIterator[None]:
    """Turn httpx's exceptions into ``FetchError``s with a one-line reason."""
    try:
        yield
    except httpx.TimeoutException as exc:
        kind = {
            httpx.ConnectTimeout: "connecting",
            httpx.ReadTimeout: "waiting for data",
            httpx.WriteTimeout: "sending the request",
            httpx.PoolTimeout: "waiting for a free connection",
        }.get(type(exc), "waiting")
        raise FetchTimeout(url, f"timed out {kind}") from None
    except httpx.HTTPError as exc:
        raise FetchError(url, _describe(exc)) from None


def _describe(exc: httpx.HTTPError) -> str:
    detail = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect ({detail})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"server broke the HTTP protocol ({detail})"
    return f"{type(exc).__name__}: {detail}"
