"""What an .xlsx must be before any engine opens it: a zip holding SpreadsheetML parts and nothing that runs or
reaches out (ECMA-376 Part 2 OPC; security cases I01/I02 applied to workbooks).

Refused: another kind of file renamed (.xls BIFF, encrypted OOXML, both OLE compound files), zip entries that
escape the package (absolute, `..`, backslashes), encrypted entries, zip bombs (the archive guard's size cap, a
ratio cap of its own), macros (vbaProject, XLM macro sheets, macro-enabled content types, customUI), external links,
data connections and query tables, ActiveX controls, embedded OLE objects, relationships to external targets
other than hyperlinks, and XML with a DOCTYPE (entity expansion) in the parts the hub parses itself.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from hub.errors import InputError
from hub.settings import ingest_settings

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (BIFF8) and encrypted/password-protected .xlsx

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_HYPERLINK = _NS_REL + "/hyperlink"
_MAIN_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
               "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml")

# Parts a workbook may hold; everything else is refused by name. Read-only parts (drawings, charts, comments,
# pivot tables) are allowed because neither engine acts on them.
_ALLOWED = re.compile(
    r"^(?:\[Content_Types\]\.xml|_rels/\.rels|docProps/(?:app|core|custom)\.xml|docProps/thumbnail\.(?:jpe?g|png|wmf|emf)"
    r"|customXml/(?:_rels/)?item\d*\.xml(?:\.rels)?|customXml/itemProps\d*\.xml"
    r"|xl/(?:_rels/)?workbook\.xml(?:\.rels)?|xl/(?:sharedStrings|styles|calcChain|metadata)\.xml"
    r"|xl/theme/(?:_rels/)?theme\d*\.xml(?:\.rels)?"
    r"|xl/(?:worksheets|chartsheets)/(?:_rels/)?sheet\d+\.xml(?:\.rels)?"
    r"|xl/(?:drawings|charts|tables|pivotTables|pivotCache|comments|threadedComments|persons|richData|slicers"
    r"|slicerCaches|timelines|timelineCaches|printerSettings|media|namedSheetViews)/(?:_rels/)?[\w.-]+"
    r"|xl/comments\d*\.xml|xl/printerSettings\d*\.bin)$")
_REFUSED = (
    (re.compile(r"(?i)vba(?:Project|Data)"), "macros (VBA project)"),
    (re.compile(r"(?i)^xl/macrosheets/|^xl/dialogsheets/"), "Excel 4 macro sheets"),
    (re.compile(r"(?i)^customUI/|^xl/customUI"), "a custom ribbon (macro callbacks)"),
    (re.compile(r"(?i)^xl/externalLinks/"), "external links to other workbooks"),
    (re.compile(r"(?i)^xl/(?:connections\.xml|queryTables/)"), "data connections or queries"),
    (re.compile(r"(?i)^xl/activeX/|^xl/ctrlProps/"), "ActiveX or form controls"),
    (re.compile(r"(?i)^xl/embeddings/"), "embedded objects (OLE)"),
)


@dataclass(frozen=True)
class SheetPart:
    """A worksheet of the package: its name, visibility, zip part and uncompressed XML size."""

    name: str
    index: int
    state: str  # visible | hidden | veryHidden
    part: str
    size: int


def _fail(message: str, display: str, rule: str = "source_format") -> InputError:
    """An input error naming the workbook."""
    return InputError(message, file=display, rule=rule)


def _xml(zf: zipfile.ZipFile, part: str, display: str, limit: int = 64 * 1024**2) -> ET.Element:
    """Parse a small package part the hub reads itself; a DOCTYPE (entity expansion) is refused."""
    info = zf.getinfo(part)
    if info.file_size > limit:
        raise _fail(f"part {part} is too large ({info.file_size} bytes)", display)
    data = zf.read(part)
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        raise _fail(f"part {part} declares a DOCTYPE or entities, which workbooks never need", display,
                    "source_xml")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise _fail(f"part {part} is not well-formed XML ({exc})", display) from exc


def _check_entries(zf: zipfile.ZipFile, display: str, size: int) -> None:
    """Names inside the package, encryption and the zip-bomb caps."""
    settings = ingest_settings()
    total = 0
    seen: set[str] = set()
    for info in zf.infolist():
        name = info.filename
        norm = posixpath.normpath(name)
        if name.startswith("/") or "\\" in name or norm.startswith("..") or norm != name.rstrip("/"):
            raise _fail(f"zip entry {name!r} points outside the workbook", display, "source_archive")
        if name.lower() in seen:
            raise _fail(f"zip entry {name!r} occurs twice", display, "source_archive")
        seen.add(name.lower())
        if info.flag_bits & 0x1:
            raise _fail("the workbook is encrypted; save it without a password", display)
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > settings.max_xlsx_ratio:
            raise _fail(f"zip entry {name!r} expands {info.file_size // info.compress_size}× (zip bomb guard)",
                        display, "source_archive")
        for pattern, what in _REFUSED:
            if pattern.search(name):
                raise _fail(f"the workbook contains {what} ({name}); save a plain .xlsx copy without them",
                            display, "source_active_content")
        if not name.endswith("/") and not _ALLOWED.match(name):
            raise _fail(f"unexpected part {name!r} in the workbook (only SpreadsheetML parts are read)",
                        display, "source_active_content")
        if name.endswith((".xml", ".rels", ".vml")):
            with zf.open(info) as fh:
                if b"<!DOCTYPE" in fh.read(4096).upper():
                    raise _fail(f"part {name} declares a DOCTYPE (entity expansion), which workbooks never need",
                                display, "source_xml")
    if total > settings.max_archive_bytes or (size and total / size > settings.max_xlsx_ratio):
        raise _fail(f"the workbook expands to {total} bytes (limit {settings.max_archive_bytes}, "
                    f"ratio {settings.max_xlsx_ratio}×)", display, "source_archive")


def _check_types(zf: zipfile.ZipFile, display: str) -> None:
    """The main part must be a plain (not macro-enabled) SpreadsheetML workbook."""
    if "[Content_Types].xml" not in zf.namelist():
        raise _fail("not an Office Open XML package (no [Content_Types].xml)", display)
    root = _xml(zf, "[Content_Types].xml", display)
    types = {el.get("PartName", "").lstrip("/"): el.get("ContentType", "") for el in root
             if el.tag == f"{{{_NS_CT}}}Override"}
    for ct in list(types.values()) + [el.get("ContentType", "") for el in root]:
        if "macroEnabled" in ct or "vbaProject" in ct:
            raise _fail("macro-enabled workbook (.xlsm content); save it as a plain .xlsx", display,
                        "source_active_content")
    if types.get("xl/workbook.xml") not in _MAIN_TYPES:
        raise _fail("not an Excel workbook (the main part is not SpreadsheetML)", display)


def _check_rels(zf: zipfile.ZipFile, display: str) -> None:
    """No relationship may point outside the package except a hyperlink (which is never followed)."""
    for name in zf.namelist():
        if not name.endswith(".rels"):
            continue
        for rel in _xml(zf, name, display):
            if rel.get("TargetMode") == "External" and rel.get("Type") != _HYPERLINK:
                raise _fail(f"{name} links to an external target ({rel.get('Target', '')[:80]}); external links "
                            "are not read", display, "source_active_content")


def _sheets(zf: zipfile.ZipFile, display: str) -> list[SheetPart]:
    """Worksheets in workbook order with their parts (chart sheets have no cells and are left out)."""
    wb = _xml(zf, "xl/workbook.xml", display)
    rels = {}
    if "xl/_rels/workbook.xml.rels" in zf.namelist():
        rels = {r.get("Id"): r.get("Target", "") for r in _xml(zf, "xl/_rels/workbook.xml.rels", display)}
    out: list[SheetPart] = []
    sheets = wb.find(f"{{{_NS_MAIN}}}sheets")
    for i, el in enumerate(sheets if sheets is not None else []):
        target = rels.get(el.get(f"{{{_NS_REL}}}id"), "")
        part = posixpath.normpath(target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target))
        if not part.startswith("xl/worksheets/"):
            continue
        if part not in zf.namelist():
            raise _fail(f"sheet {el.get('name')!r} refers to a missing part {part}", display)
        out.append(SheetPart(el.get("name", f"Sheet{i + 1}"), i, el.get("state", "visible"), part,
                             zf.getinfo(part).file_size))
    if not out:
        raise _fail("the workbook has no worksheet", display)
    return out


def check_xlsx(path: Path, display: str) -> list[SheetPart]:
    """Refuse anything but a plain SpreadsheetML package (see the module docstring); return its worksheets."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise InputError("cannot be read", file=display, internal=str(exc)) from exc
    if head.startswith(OLE_MAGIC):
        raise _fail("this is a legacy .xls workbook or a password-protected .xlsx (an OLE compound file); open it "
                    "in Excel or LibreOffice and save it as a plain .xlsx", display)
    if not head.startswith(ZIP_MAGIC):
        raise _fail("the content is not xlsx (wrong extension, or a file of another kind renamed)", display)
    try:
        with zipfile.ZipFile(path) as zf:
            _check_entries(zf, display, path.stat().st_size)
            _check_types(zf, display)
            _check_rels(zf, display)
            return _sheets(zf, display)
    except zipfile.BadZipFile as exc:
        raise _fail(f"the workbook is not a readable zip package ({exc})", display) from exc


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3}\d+(?::[A-Z]{1,3}\d+)?)"')
_MERGE_START = re.compile(rb"<(?:\w+:)?mergeCells\b")


def merged_refs(path: Path, part: str) -> list[str]:
    """A1 references of a sheet's merged ranges, streaming the part (`<mergeCells>` follows `<sheetData>`)."""
    refs: list[str] = []
    tail = b""
    found = False
    with zipfile.ZipFile(path) as zf, zf.open(part) as fh:
        while chunk := fh.read(1 << 20):
            buf = tail + chunk
            if not found:
                m = _MERGE_START.search(buf)
                if m is None:
                    tail = buf[-64:]
                    continue
                found, buf = True, buf[m.start():]
            cut = buf.rfind(b"<")
            head, tail = (buf[:cut], buf[cut:]) if cut > 0 else (b"", buf)
            refs += [m.group(1).decode() for m in _MERGE.finditer(head)]
        refs += [m.group(1).decode() for m in _MERGE.finditer(tail)]
    return refs
