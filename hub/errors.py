"""One error hierarchy for the hub: each error knows its CLI exit code, HTTP status and user message.

The user message is safe to print or send to a client; `internal` carries detail for logs only
(never `str(exc)` to a client: it can hold SQL, DSNs or restricted values). A message is plain text or a
catalogue message (`hub.i18n.Msg`), rendered in the reader's language when shown (`user_message(lang)`).
"""

from __future__ import annotations

from typing import Any

from hub.i18n import Msg, domain, render

M = domain("hub", __file__)


class HubError(Exception):
    """Base of every error the hub raises on purpose."""

    exit_code = 1
    http_status = 500
    code = "HubError"

    def __init__(self, message: str | Msg, *, internal: str | None = None, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.internal = internal
        self.context = context

    def __str__(self) -> str:
        """The user message in the current language."""
        return self.user_message()

    def user_message(self, lang: str | None = None) -> str:
        """The message a person or HTTP client may see, in `lang` (default: the current language)."""
        return render(self.message, lang)


class UsageError(HubError):
    """A command was called wrongly (bad option combination, missing argument)."""

    exit_code = 2
    http_status = 400
    code = "InvalidParameterValue"


class ConfigError(HubError):
    """Settings or environment are wrong (bad HUB_* value, missing tool)."""

    exit_code = 3


class CatalogError(HubError):
    """A catalog entry is invalid: names the file, the key and why."""

    exit_code = 3

    def __init__(self, message: str | Msg, *, file: str | None = None, key: str | None = None, **kw: Any) -> None:
        where = ":".join(p for p in (file, key) if p)
        super().__init__(M("error.at", where=where, message=message) if where else message, file=file, key=key, **kw)


class DatabaseError(HubError):
    """The database refused or failed; details stay in `internal`."""

    exit_code = 4
    http_status = 503
    code = "ServiceUnavailable"


class DatabaseUnavailable(DatabaseError):
    """No database is reachable (not started, wrong HUB_DATABASE_URL)."""


class MigrationError(DatabaseError):
    """A migration could not be applied, or an applied one was edited."""


class InputError(HubError):
    """A source file or value cannot be read as declared: names the file, row, field and rule."""

    exit_code = 5
    http_status = 400
    code = "InvalidParameterValue"

    def __init__(self, message: str | Msg, *, file: str | None = None, row: int | None = None,
                 field: str | None = None, rule: str | None = None, **kw: Any) -> None:
        super().__init__(M("error.located", where=Where(file, row, field, rule), message=message)
                         if any(v is not None and v != "" for v in (file, row, field, rule)) else message,
                         file=file, row=row, field=field, rule=rule, **kw)


class Where:
    """"file, row N, field F, rule R" in the reader's language (what InputError messages start with)."""

    def __init__(self, file: str | None, row: int | None, field: str | None, rule: str | None) -> None:
        self.parts = (file, row, field, rule)

    def render(self, lang: str | None = None) -> str:
        """The location text."""
        file, row, field, rule = self.parts
        out = [file] if file else []
        out += [M.text(k, lang, value=v) for k, v in (("where.row", row), ("where.field", field),
                                                       ("where.rule", rule)) if v is not None and v != ""]
        return ", ".join(out)


class EncodingError(InputError):
    """Text cannot be decoded with confidence as the declared or detected encoding."""

    exit_code = 6


class CrsError(InputError):
    """The source CRS is missing, unknown or contradicted by the coordinates (CRS_ERROR)."""

    exit_code = 7


class SchemaViolation(InputError):
    """Source columns do not match the catalog contract (SCHEMA_VIOLATION)."""

    exit_code = 8


class PublishBlocked(HubError):
    """Validation found issues whose severity the catalog says must block publication."""

    exit_code = 9
    http_status = 409


class PublishRefused(HubError):
    """A guard refused to publish (row-count drop, empty source) unless forced."""

    exit_code = 10
    http_status = 409


class LockBusy(HubError):
    """Another run holds the dataset's publish lock."""

    exit_code = 11
    http_status = 409


class NotFound(HubError):
    """An id, dataset or collection does not exist."""

    exit_code = 12
    http_status = 404
    code = "NotFound"


class InvalidParameter(HubError):
    """An API request parameter is invalid: the message says which and why."""

    exit_code = 2
    http_status = 400
    code = "InvalidParameterValue"


class PayloadTooLarge(InvalidParameter):
    """A request body or parameter exceeds a safety cap."""

    http_status = 413
    code = "PayloadTooLarge"


class QueryTimeout(DatabaseError):
    """A query hit the statement timeout."""

    http_status = 504
    code = "Timeout"


EXIT_CODES: dict[int, str] = {
    0: "success (also: nothing to do, e.g. an identical rerun)",
    1: "unexpected internal error (details in the log, never on screen)",
    2: "usage error: bad option or argument",
    3: "configuration or catalog error",
    4: "database unavailable or failed",
    5: "input file cannot be read as declared",
    6: "text encoding error",
    7: "CRS error (missing, unknown or contradicted by the coordinates)",
    8: "schema violation (source columns vs catalog contract)",
    9: "publication blocked by validation errors",
    10: "publication refused by a guard (row drop, empty source); use --force",
    11: "another run is publishing this dataset",
    12: "not found",
}
