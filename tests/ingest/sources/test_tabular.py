"""XLSX and CSV readers: both XLSX engines read the same values; packages and texts that must be refused are."""

from __future__ import annotations

import datetime as dt
import os
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font

from hub.errors import InputError
from hub.settings import ingest_settings
from hub.text import tcvn3_encode, vni_encode
from ingest.sources.tabular import CsvTable, Workbook, address, decode_cell, header_chunks, open_table

TCVN3 = tcvn3_encode("Đất trồng cây lâu năm").decode("latin-1")
VNI = vni_encode("Thừa Thiên Huế")


def _workbook(path: Path) -> Path:
    """Values of every kind, a merged header, data starting off A1, a hidden sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Bảng 1"
    ws["B3"] = "Giá đất (đồng/m²)"
    ws.merge_cells("B3:D3")
    ws.append([None, "VT1", "VT2", "VT3"])
    ws.append([None, 15_000_000, 7_500_000.5, "15.000.000"])
    ws.append([None, dt.date(2025, 12, 20), dt.datetime(2025, 12, 20, 10, 5), True])
    ws.append([None, TCVN3, VNI, "Nguyễn Văn Đức"])
    ws["B6"].font = Font(name=".VnTime")
    ws["C6"].font = Font(name="VNI-Times")
    ws["E7"] = 42
    ws["E7"].number_format = "@"  # a number formatted as text stays a number
    ws["F7"] = "0123"  # a number stored as text stays text
    ws["B9"] = "Dòng 1\nDòng 2"
    ws.merge_cells("B9:B10")
    hidden = wb.create_sheet("Ẩn")
    hidden["A1"] = "x"
    hidden.sheet_state = "hidden"
    wb.save(path)
    return path


@pytest.fixture()
def book(tmp_path) -> Path:
    """The reference workbook."""
    return _workbook(tmp_path / "t.xlsx")


@pytest.mark.parametrize("fill", [False, True])
def test_engines_read_the_same_values(book, fill):
    """calamine and openpyxl read-only give identical rows (numbers, dates, text, merged fill, row offsets)."""
    rows = {}
    for engine in ("calamine", "openpyxl"):
        wb = Workbook(book, engine=engine)
        rows[engine] = list(wb.rows("Bảng 1", fill_merged=fill))
        assert wb.merged("Bảng 1")[0].ref == "B3:D3"
        wb.close()
    assert rows["calamine"] == rows["openpyxl"]
    by_no = {r.row_no: r for r in rows["calamine"]}
    assert by_no[1].values == [] and by_no[3].row_no == 3
    assert by_no[5].values == [None, 15_000_000, 7_500_000.5, "15.000.000"]
    assert isinstance(by_no[5].values[1], int)
    assert by_no[6].values[1:3] == [dt.date(2025, 12, 20), dt.datetime(2025, 12, 20, 10, 5)]
    assert by_no[7].get(4) == 42 and by_no[7].get(5) == "0123"
    if fill:
        assert by_no[3].values[1:4] == ["Giá đất (đồng/m²)"] * 3
        assert by_no[10].get(1) == "Dòng 1\nDòng 2"
    else:
        assert by_no[3].values[2:] == [] and 10 not in by_no


def test_merged_ranges_agree_with_calamine(book):
    """The streaming <mergeCells> scan finds what calamine finds."""
    import python_calamine

    cal = python_calamine.CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Bảng 1").merged_cell_ranges
    ours = Workbook(book).merged("Bảng 1")
    assert sorted((m.row0 - 1, m.col0, m.row1 - 1, m.col1) for m in ours) == sorted(
        (a[0], a[1], b[0], b[1]) for a, b in cal)


def test_legacy_cells_keep_raw_text_and_decode_per_value(book):
    """TCVN3 and VNI cells arrive as stored; decode_cell gives NFC Vietnamese, Unicode cells pass."""
    row = next(r for r in Workbook(book).rows("Bảng 1") if r.row_no == 7)
    assert row.get(1) == TCVN3 and row.get(2) == VNI
    assert decode_cell(row.get(1)).text == "Đất trồng cây lâu năm" and decode_cell(row.get(1)).encoding == "tcvn3"
    assert decode_cell(row.get(2)).text == "Thừa Thiên Huế" and decode_cell(row.get(2)).encoding == "vni"
    assert decode_cell(row.get(3)).text == "Nguyễn Văn Đức"


def test_hidden_sheet_state(book):
    """Hidden sheets are listed with their state."""
    wb = Workbook(book)
    assert wb.sheet_names == ["Bảng 1", "Ẩn"] and wb.state("Ẩn") == "hidden" and wb.state("Bảng 1") == "visible"
    with pytest.raises(InputError, match="no sheet named 'Nope'"):
        list(wb.rows("Nope"))


def test_auto_engine_streams_big_sheets(book, monkeypatch):
    """auto: calamine up to the cap, openpyxl (streaming) above it."""
    monkeypatch.setenv("HUB_INGEST_XLSX_CALAMINE_MAX_BYTES", "10")
    ingest_settings.cache_clear()
    try:
        assert Workbook(book).engine_for("Bảng 1") == "openpyxl"
    finally:
        monkeypatch.delenv("HUB_INGEST_XLSX_CALAMINE_MAX_BYTES")
        ingest_settings.cache_clear()
    assert Workbook(book).engine_for("Bảng 1") == "calamine"


def test_openpyxl_engine_memory_is_flat(tmp_path):
    """Streaming 60,000 rows holds far less than the sheet (Python allocations, peak)."""
    path = tmp_path / "big.xlsx"
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("S")
    for i in range(60_000):
        ws.append([i, f"Đường số {i}", 1_000_000 + i, "15.000.000"])
    wb.save(path)
    tracemalloc.start()
    n = sum(1 for _ in Workbook(path, engine="openpyxl").rows("S"))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert n == 60_000
    assert peak < 40 * 1024**2, peak  # the rows as Python objects would take well over 40 MiB


def _repack(src: Path, dst: Path, add: dict[str, bytes] | None = None, edit=None) -> Path:
    """A copy of a workbook with parts added or edited."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info.filename, edit(info.filename, data) if edit else data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


@pytest.mark.parametrize("case, rule", [
    ("vba", "source_active_content"), ("external_link", "source_active_content"),
    ("connections", "source_active_content"), ("macro_type", "source_active_content"),
    ("external_rel", "source_active_content"), ("doctype", "source_xml"), ("unknown_part", "source_active_content"),
    ("zip_slip", "source_archive"), ("bomb", "source_archive"),
])
def test_unsafe_packages_are_refused(book, tmp_path, case, rule):
    """Macros, external links, data connections, DOCTYPEs, escaping names and bombs never reach an engine."""
    dst = tmp_path / f"{case}.xlsx"
    rel = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
           b'relationships"><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
           b'relationships/oleObject" Target="file:///etc/passwd" TargetMode="External"/></Relationships>')
    cases = {
        "vba": dict(add={"xl/vbaProject.bin": b"\x00" * 10}),
        "external_link": dict(add={"xl/externalLinks/externalLink1.xml": b"<externalLink/>"}),
        "connections": dict(add={"xl/connections.xml": b"<connections/>"}),
        "macro_type": dict(edit=lambda n, d: d.replace(b"spreadsheetml.sheet.main+xml",
                                                       b"sheet.macroEnabled.main+xml") if n.startswith("[") else d),
        "external_rel": dict(add={"xl/worksheets/_rels/sheet1.xml.rels": rel}),
        "doctype": dict(edit=lambda n, d: b'<!DOCTYPE x [<!ENTITY a "b">]>' + d
                        if n == "xl/worksheets/sheet1.xml" else d),
        "unknown_part": dict(add={"xl/payload.exe": b"MZ"}),
        "zip_slip": dict(add={"../evil.xml": b"<x/>"}),
        "bomb": dict(add={"xl/media/image1.png": b"\x00" * (64 * 1024**2)}),
    }
    _repack(book, dst, **cases[case])
    with pytest.raises(InputError) as err:
        Workbook(dst)
    assert err.value.context["rule"] == rule and str(dst) in str(err.value)


def test_hyperlinks_are_allowed(tmp_path):
    """An external hyperlink is a relationship that is never followed: the workbook is read."""
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Cổng thông tin"
    wb.active["A1"].hyperlink = "https://example.org/bang-gia"
    wb.save(tmp_path / "h.xlsx")
    assert [r.values for r in Workbook(tmp_path / "h.xlsx").rows("Sheet")][0] == ["Cổng thông tin"]


@pytest.mark.parametrize("content, message", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "legacy .xls workbook or a password-protected"),
    (b"STT;Ten duong\n1;Le Loi\n", "not xlsx"),
    (b"PK\x03\x04garbage", "not a readable zip"),
])
def test_renamed_files_are_refused(tmp_path, content, message):
    """The content decides, not the extension."""
    path = tmp_path / "bang_gia.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        open_table(path)


def test_suffixes_and_paths(tmp_path):
    """Other spreadsheet kinds, URLs and folders get their own messages."""
    (tmp_path / "a.xls").write_bytes(b"x")
    with pytest.raises(InputError, match="legacy .xls"):
        open_table(tmp_path / "a.xls")
    with pytest.raises(InputError, match="virtual or remote"):
        open_table(Path("/vsicurl/https://example.org/a.xlsx"))
    (tmp_path / "dir.xlsx").mkdir()
    with pytest.raises(InputError, match="not a regular file"):
        open_table(tmp_path / "dir.xlsx")


def test_csv_encodings_and_delimiters(tmp_path):
    """BOM-less CSV is byte-transparent (per-value decoding), a UTF-8 BOM or UTF-16 export is decoded as such."""
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes("STT;Tên đường;Giá\r\n".encode() + b"1;" + tcvn3_encode("Lê Lợi") + b";15.000.000\r\n"
                       + b'2;"Tr\xe7\xf4ng\r\nline";-\r\n')
    t = open_table(legacy)
    rows = list(t.rows())
    assert t.delimiter == ";" and t.encoding == "latin-1"
    assert decode_cell(rows[0].get(1)).text == "Tên đường" and decode_cell(rows[1].get(1)).text == "Lê Lợi"
    assert rows[1].get(2) == "15.000.000" and rows[2].row_no == 3
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + "Tên đường,Giá\nLê Lợi,\"15,000,000\"\n".encode())
    assert [r.values for r in open_table(bom).rows()] == [["Tên đường", "Giá"], ["Lê Lợi", "15,000,000"]]
    u16 = tmp_path / "u16.txt"
    u16.write_bytes(b"\xff\xfe" + "Tên đường\tGiá\nLê Lợi\t15000000\n".encode("utf-16-le"))
    t = open_table(u16)
    assert t.delimiter == "\t" and [r.values for r in t.rows()][1] == ["Lê Lợi", "15000000"]


def test_csv_refusals(tmp_path):
    """Binary content, NUL bytes and a BOM that lies are refused with the row."""
    (tmp_path / "zip.csv").write_bytes(b"PK\x03\x04....")
    with pytest.raises(InputError, match="not CSV text"):
        CsvTable(tmp_path / "zip.csv")
    (tmp_path / "nul.csv").write_bytes(b"a,b\n1,\x00\n")
    with pytest.raises(InputError, match="NUL"):
        CsvTable(tmp_path / "nul.csv")
    (tmp_path / "lie.csv").write_bytes(b"\xef\xbb\xbfa,b\n1,2\n3,\xff\n")
    with pytest.raises(InputError, match="row 3") as err:
        list(CsvTable(tmp_path / "lie.csv").rows())
    assert err.value.context["rule"] == "source_encoding"


def test_header_chunks_name_and_locate_rows(book, tmp_path):
    """The generic reader: decoded header names, raw values per column, rows located as 'Sheet'!n:n."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Phụ lục 1"
    ws.append([tcvn3_encode("Tên đường").decode("latin-1"), "Giá", None, "Giá"])
    ws.append(["Lê Lợi", 15_000_000, 1, 2])
    ws.append([])
    ws.append(["Trần Phú", "12.000.000", None, None])
    wb.save(tmp_path / "g.xlsx")
    (chunk,) = list(header_chunks(open_table(tmp_path / "g.xlsx")))
    assert list(chunk.columns) == ["Tên đường", "Giá", "column_C", "column_D"]
    assert chunk.columns["Giá"] == [15_000_000, "12.000.000"] and chunk.row_no == [2, 4]
    assert chunk.where == ["'Phụ lục 1'!2:2", "'Phụ lục 1'!4:4"]
    ws.append(["x", 1, 2, 3, "outside"])
    wb.save(tmp_path / "g.xlsx")
    with pytest.raises(InputError, match="row 5.*5 cells but the header only 4"):
        list(header_chunks(open_table(tmp_path / "g.xlsx")))


def test_address():
    """Addresses quote sheet names that need it."""
    assert address(12, 2) == "C12" and address(1, 26, "S1") == "S1!AA1"
    assert address(3, 0, "Bảng giá đất") == "'Bảng giá đất'!A3" and address(1, 0, "It's") == "'It''s'!A1"


def test_engine_files_closed(book):
    """A workbook used as a context manager releases its engines."""
    with Workbook(book) as wb:
        list(wb.rows("Bảng 1"))
        list(wb.rows("Ẩn", fill_merged=True))
    assert wb._calamine is None and os.path.exists(book)


def test_registry_hooks_read_csv_and_xlsx(book, tmp_path):
    """The registry's csv/xlsx readers describe the header and stream every row as a located Batch."""
    from hub.catalog.families import load_object
    from ingest.sources.registry import READERS, call_inspect

    (tmp_path / "p.csv").write_bytes("Tên đường,Giá\nLê Lợi,15000000\nHùng Vương,9000000\n".encode())
    src = call_inspect(READERS["csv"], tmp_path / "p.csv", "p.csv")
    assert src.fields == ("Tên đường", "Giá") and src.fmt == "csv"
    batches = list(load_object(READERS["csv"].read)(src, 1))
    assert [list(b.row_no) for b in batches] == [[2], [3]]
    assert batches[1].attrs["Tên đường"] == ["Hùng Vương".encode().decode("latin-1")]  # raw, decoded later
    assert batches[1].attrs["Giá"] == ["9000000"]
    wb = openpyxl.Workbook()
    wb.active.title = "Bảng giá"
    for r in (["Tên đường", "Giá"], ["Lê Lợi", 15_000_000], ["Hùng Vương", 9_000_000]):
        wb.active.append(r)
    wb.save(tmp_path / "p.xlsx")
    xsrc = call_inspect(READERS["xlsx"], tmp_path / "p.xlsx", "p.xlsx")
    assert xsrc.fmt == "xlsx" and xsrc.layer == "Bảng giá" and xsrc.fields == ("Tên đường", "Giá")
    (b,) = load_object(READERS["xlsx"].read)(xsrc, 1000)
    assert list(b.row_no) == [2, 3] and b.attrs["Giá"] == [15_000_000, 9_000_000]
    assert b.where == ["'Bảng giá'!2:2", "'Bảng giá'!3:3"]
