"""The exception tree. Every error PulseAugur raises on purpose is a ``PulseAugurError``.

    PulseAugurError
    ├── ConfigError            a setting is missing or has a bad value (names the setting)
    ├── StorageError           the database refused an operation or could not be reached
    │   ├── MigrationError     the schema could not be brought up to date
    │   └── MergeError         an event merge the lifecycle forbids (nothing was changed)
    ├── FetchError             a source could not be fetched (names the URL)
    │   ├── FetchTimeout       the server was too slow (connect, read or total deadline)
    │   ├── ResponseTooLarge   the body passed the size cap
    │   ├── HTTPStatusError    the server answered with an error status
    │   └── BlockedAddress     the URL resolves to a loopback/private/metadata address
    ├── ParseError             a document is not a feed we can read (names the URL/file)
    │   └── UnsafeXMLError     the document uses entities/DTDs we refuse (XML bombs, XXE)
    └── NotFoundError          a record that was asked for does not exist

Each error's ``str()`` is one clear sentence naming the culprit, fit for a log line.
"""

from __future__ import annotations


class PulseAugurError(Exception):
    """Base class of every error raised on purpose."""


class ConfigError(PulseAugurError):
    """A setting has a bad value. ``setting`` is its name as the user wrote it."""

    def __init__(self, setting: str, message: str) -> None:
        self.setting = setting
        super().__init__(f"configuration error in {setting}: {message}")


class StorageError(PulseAugurError):
    """The database refused an operation or could not be reached."""


class MigrationError(StorageError):
    """The schema could not be brought up to date."""


class MergeError(StorageError):
    """Two events cannot be merged: into itself, into an event that was itself merged,
    or an event already merged into another one. Nothing was changed."""


class FetchError(PulseAugurError):
    """A source could not be fetched. ``url`` is the address that failed."""

    def __init__(self, url: str, message: str) -> None:
        self.url = url
        super().__init__(f"{url}: {message}")


class FetchTimeout(FetchError):
    """The server did not answer within the deadline."""


class ResponseTooLarge(FetchError):
    """The response body passed the configured size cap."""


class HTTPStatusError(FetchError):
    """The server answered with an error status."""

    def __init__(
        self,
        url: str,
        status: int,
        message: str | None = None,
        *,
        retry_after_s: float | None = None,
    ) -> None:
        self.status = status
        self.retry_after_s = retry_after_s
        """Seconds the server asked us to wait (``Retry-After`` on a 429 or 503)."""
        text = message or f"server answered HTTP {status}"
        if retry_after_s is not None:
            text += f" (asked to retry after {retry_after_s:g} s)"
        super().__init__(url, text)


class BlockedAddress(FetchError):
    """The URL points at an address we refuse to fetch from."""


class ParseError(PulseAugurError):
    """A document could not be parsed. ``where`` names the URL or file."""

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        super().__init__(f"{where}: {message}")


class UnsafeXMLError(ParseError):
    """The document declares entities or a DTD that we refuse to expand."""


class NotFoundError(PulseAugurError):
    """A record that was asked for does not exist."""
