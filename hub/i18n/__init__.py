"""The hub's message catalogue: gettext domains (one per package), Vietnamese and English, one lookup for all.

A package that shows text to people (the CLI, the API, a family's pipeline) keeps its messages in
`<package>/locale/<lang>/LC_MESSAGES/<domain>.po`, compiled to `.mo` by `make install` (`python -m hub.i18n.build`),
and gets its translator with `domain("<domain>", __file__)`. Message ids are symbolic (`ingest.summary`); every id
has an English and a Vietnamese text with the same `{named}` placeholders (checked by the tests). No central file
lists the domains: a family adds its own `locale/` folder beside its code.

The language: `lang=` / `Accept-Language` for an API request (`use_language` per request), `HUB_LANG`, then the
POSIX `LC_ALL`, `LC_MESSAGES`, `LANG` for the CLI; `vi` for any Vietnamese tag, else `en`.
"""

from __future__ import annotations

import contextvars
import gettext
import io
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

LANGUAGES = ("vi", "en")
DEFAULT = "en"
_CURRENT: contextvars.ContextVar[str | None] = contextvars.ContextVar("hub_lang", default=None)
ENV_ORDER = ("HUB_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


def normalise(tag: str | None) -> str | None:
    """`vi` or `en` for a language tag (vi_VN.UTF-8, vi-VN, en-GB, ...); None when it names neither."""
    if not tag:
        return None
    base = tag.strip().replace("-", "_").split(".")[0].split("@")[0].split("_")[0].lower()
    return base if base in LANGUAGES else None


def from_env(environ: dict | None = None) -> str:
    """The CLI's language: HUB_LANG, then LC_ALL, LC_MESSAGES, LANG (the first one set decides, as in POSIX)."""
    env = os.environ if environ is None else environ
    for name in ENV_ORDER:
        value = env.get(name)
        if value:
            return normalise(value) or DEFAULT
    return DEFAULT


def from_accept_language(header: str | None) -> str | None:
    """The preferred supported language of an Accept-Language header (RFC 9110 q-values), or None."""
    best, best_q = None, 0.0
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for p in params.split(";"):
            key, _, value = p.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        lang = normalise(tag) if tag.strip() != "*" else None
        if lang and q > best_q:
            best, best_q = lang, q - position * 1e-6  # equal q: the first listed wins
    return best


def request_language(query_lang: str | None, accept_language: str | None) -> str:
    """An API request's language: `lang=` first, then Accept-Language, else English."""
    return normalise(query_lang) or from_accept_language(accept_language) or DEFAULT


def current() -> str:
    """The language of the current request or command."""
    return _CURRENT.get() or from_env()


def use_language(lang: str | None) -> contextvars.Token:
    """Set the language for the current context (an API request, a CLI run); returns the reset token."""
    return _CURRENT.set(normalise(lang) or DEFAULT)


def reset_language(token: contextvars.Token) -> None:
    """Undo `use_language`."""
    _CURRENT.reset(token)


def locale_dir(anchor: str | Path) -> Path:
    """The `locale/` folder of a package, given any file in it (a module's `__file__`) or the folder itself."""
    p = Path(anchor)
    return (p if p.is_dir() else p.parent) / "locale"


@cache
def _load(directory: str, name: str, lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of one domain and language; an up-to-date `.mo`, else the `.po` compiled in memory."""
    base = Path(directory) / lang / "LC_MESSAGES"
    po, mo = base / f"{name}.po", base / f"{name}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return gettext.GNUTranslations(fh)
    if po.exists():
        from hub.i18n.build import compile_po

        return gettext.GNUTranslations(io.BytesIO(compile_po(po)))
    return gettext.NullTranslations()


@dataclass(frozen=True)
class Domain:
    """The messages of one package: `D("id", **params)` is a lazy message, `D.text("id", lang, **params)` a string."""

    name: str
    directory: Path = field(compare=False)

    def text(self, msgid: str, lang: str | None = None, **params) -> str:
        """The message in `lang` (default: the current language), English when that language lacks it."""
        lang = normalise(lang) or current()
        found = None
        for candidate in dict.fromkeys((lang, DEFAULT)):
            translated = _load(str(self.directory), self.name, candidate).gettext(msgid)
            if translated != msgid:
                found = translated
                break
        template = found if found is not None else msgid
        if not params:
            return template
        return template.format(**{k: (v.render(lang) if hasattr(v, "render") else v) for k, v in params.items()})

    def __call__(self, msgid: str, **params) -> Msg:
        """A message rendered when shown, in the language of whoever reads it."""
        return Msg(self, msgid, params)

    def has(self, msgid: str, lang: str = DEFAULT) -> bool:
        """Whether the domain defines `msgid` (in `lang`)."""
        return _load(str(self.directory), self.name, normalise(lang) or DEFAULT).gettext(msgid) != msgid

    def ids(self, lang: str) -> set[str]:
        """Every message id the domain has in `lang` (for completeness checks)."""
        cat = _load(str(self.directory), self.name, lang)
        return {k for k in getattr(cat, "_catalog", {}) if k}


@dataclass(frozen=True)
class Msg:
    """A message id with its parameters; `str()` renders it in the current language."""

    domain: Domain
    msgid: str
    params: dict

    def render(self, lang: str | None = None) -> str:
        """The text in `lang` (default: the current language); nested messages render in the same language."""
        return self.domain.text(self.msgid, lang, **self.params)

    def __str__(self) -> str:
        """The text in the current language."""
        return self.render()


_DOMAINS: dict[str, Domain] = {}


def domain(name: str, anchor: str | Path) -> Domain:
    """The translator of a package's domain (its `locale/` beside `anchor`); registered for completeness checks."""
    d = Domain(name, locale_dir(anchor))
    existing = _DOMAINS.get(name)
    if existing is not None and existing.directory != d.directory:
        raise ValueError(f"message domain '{name}' is already defined in {existing.directory}")
    _DOMAINS[name] = d
    return d


def registered() -> dict[str, Domain]:
    """Domains created so far in this process."""
    return dict(_DOMAINS)


def render(value, lang: str | None = None) -> str:
    """A message or a plain string as text in `lang`."""
    return value.render(lang) if hasattr(value, "render") else str(value)
