"""Compile every message catalogue (`**/locale/*/LC_MESSAGES/*.po`) to `.mo`: `python -m hub.i18n.build [--check]`.

Run by `make install`. `--check` compiles in memory and fails on a syntax error, a fuzzy entry, a message with an
empty translation, or a placeholder set that differs between a message id's languages.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from hub.settings import PROJECT_ROOT

ROOTS = ("hub", "ingest")
FIELD = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)[^}]*\}")


def catalogues(root: Path = PROJECT_ROOT) -> list[Path]:
    """Every .po file of the project's packages."""
    return sorted(p for r in ROOTS for p in (root / r).glob("**/locale/*/LC_MESSAGES/*.po"))


def compile_po(po: Path) -> bytes:
    """The .mo bytes of one .po file."""
    with po.open("rb") as fh:
        cat = read_po(fh, locale=po.parents[1].name, domain=po.stem)
    out = io.BytesIO()
    write_mo(out, cat, use_fuzzy=False)
    return out.getvalue()


def problems(pos: list[Path]) -> list[str]:
    """Fuzzy or empty entries, and placeholders that differ between the languages of one domain."""
    found: list[str] = []
    by_domain: dict[tuple[Path, str], dict[str, dict[str, set[str]]]] = {}
    for po in pos:
        with po.open("rb") as fh:
            cat = read_po(fh, locale=po.parents[1].name, domain=po.stem)
        fields = by_domain.setdefault((po.parents[2], po.stem), {})
        for msg in cat:
            if not msg.id:
                continue
            if msg.fuzzy:
                found.append(f"{po}: {msg.id}: fuzzy")
            if not msg.string:
                found.append(f"{po}: {msg.id}: empty translation")
            fields.setdefault(msg.id, {})[po.parents[1].name] = set(FIELD.findall(msg.string or ""))
    for (directory, name), ids in by_domain.items():
        has = {lang for v in ids.values() for lang in v}
        for msgid, langs in ids.items():
            if len(has) > 1 and len(langs) < 2:  # a domain with one .po (ids are English text) is complete
                found.append(f"{directory}/{name}: {msgid}: only in {sorted(langs)}")
            elif len({frozenset(v) for v in langs.values()}) > 1:
                found.append(f"{directory}/{name}: {msgid}: placeholders differ {langs}")
    return found


def main(argv: list[str] | None = None) -> int:
    """Compile (or check) every catalogue."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--check", action="store_true", help="check only; write nothing")
    args = ap.parse_args(argv)
    pos = catalogues()
    issues = problems(pos)
    for line in issues:
        print(line, file=sys.stderr)
    if issues:
        return 1
    if not args.check:
        for po in pos:
            mo = po.with_suffix(".mo")
            tmp = mo.with_suffix(".mo.tmp")
            tmp.write_bytes(compile_po(po))
            tmp.replace(mo)
    print(f"{len(pos)} message catalogue(s) {'checked' if args.check else 'compiled'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
