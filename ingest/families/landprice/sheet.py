"""One sheet of a price annex -> price rows: the layout (catalog or recognised), titles, data rows, footnotes.

Rows stream from the reader with merged ranges filled (across and down in the header, only down in the data, so a
section title merged over the table stays a title). The unit of each price column comes from its own header,
else from the sheet's titles or footnotes, else from the layout; none, or two that disagree, is an error on the
column's rows, never a guess (domain §4.2). Footnotes are read after the data, so values keep the sheet's unit
until the end of the sheet.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from hub.text import UNCERTAIN_THRESHOLD
from ingest.families.landprice import context as ctxmod
from ingest.families.landprice.headers import (
    HEADER_SCAN_ROWS,
    Column,
    columns_of,
    header_block,
    numbering_row,
    recognise,
)
from ingest.families.landprice.landuse import RESIDENTIAL, code_of
from ingest.families.landprice.names import fold, restore_case, street_key
from ingest.families.landprice.numbers import UNIT_LABELS, parse_number, to_dong, units_in
from ingest.families.landprice.options import KIND_LABELS, UNIT_MULTIPLIER, LandPriceOptions, PriceColumn, SheetLayout
from ingest.families.landprice.places import province_code
from ingest.families.landprice.records import Hits, Records
from ingest.sources.tabular import CellRange, Row, Table, address, column_index, decode_cell, fill

_SHARE = {"TMD": re.compile(r"(?:thuong mai|dich vu|\btmd\b)[^%]{0,120}?(\d{1,3}(?:[.,]\d+)?) ?%"),
          "SKC": re.compile(r"(?:san xuat kinh doanh|co so san xuat|\bskc\b)[^%]{0,120}?(\d{1,3}(?:[.,]\d+)?) ?%")}


@dataclass
class SheetReport:
    """What happened to a sheet: layout used and how it was chosen, units, rows, notes, or why it was refused."""

    sheet: str
    status: str  # read | skipped | refused
    layout: str | None = None
    source: str | None = None  # catalog | recognised
    header_rows: tuple[int, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)
    prices: list[dict] = field(default_factory=list)
    headers_found: list[str] = field(default_factory=list)
    titles: list[tuple[str, str]] = field(default_factory=list)
    footnotes: list[tuple[str, str]] = field(default_factory=list)
    price_rows: int = 0
    records: int = 0
    derived: int = 0
    not_applicable: int = 0
    unplaced: list[tuple[int, str]] = field(default_factory=list)
    reason: str = ""

    def describe(self) -> str:
        """One line for the user: 'Sheet 'ODT': positions across (…), recognised, header rows 5-6, 120 prices'."""
        if self.status != "read":
            return f"sheet {self.sheet!r}: {self.status} ({self.reason})"
        rows = f"{self.header_rows[0]}-{self.header_rows[-1]}" if len(self.header_rows) > 1 else str(
            self.header_rows[0])
        return (f"sheet {self.sheet!r}: {KIND_LABELS.get(self.layout or '', self.layout)}, {self.source}, header "
                f"rows {rows}, {self.records} prices ({self.derived} derived)")


@dataclass
class _Col:
    """A price column being read: its layout entry, index, header, rows it produced."""

    spec: PriceColumn
    index: int
    header: Column | None
    rows: list[int] = field(default_factory=list)


def _text(value: object, hint: str | None, hits: Hits | None = None, row: int | None = None,
          fld: str | None = None) -> str | None:
    """Cell text decoded per value to NFC (numbers as written), flagging a low-confidence decoding."""
    if value is None:
        return None
    if not isinstance(value, str):
        return str(value)
    d = _decoded(value, hint)
    if hits is not None and row is not None and d.confidence < UNCERTAIN_THRESHOLD:
        hits.add("encoding_uncertain", row, f"text '{value[:40]}' decoded as {d.encoding} with confidence "
                 f"{d.confidence}", fld)
    text = " ".join((d.text or "").split()) or None
    return restore_case(text) if text and d.encoding == "tcvn3" else text


@lru_cache(maxsize=1 << 16)
def _decoded(value: str, hint: str | None):
    """decode_cell, once per distinct cell text (names and segment texts repeat down a table)."""
    return decode_cell(value, hint)


LEGACY = ("tcvn3", "vni")


def sheet_encoding(rows: list[Row]) -> str | None:
    """The legacy encoding most confidently decoded text of the first rows is in, as a hint for short values.

    Per-value detection cannot tell a lone TCVN3 'Tõ' (Từ) from the Latin-1 syllable 'tõ'; a sheet typed in
    .VnTime is typed so throughout, so the sheet's clear values decide the ambiguous ones (a hint, not a rule:
    hub.text still picks another encoding where the hinted one gives no Vietnamese)."""
    votes: dict[str, int] = {}
    for row in rows:
        for v in row.values:
            if isinstance(v, str) and not v.isascii():
                d = decode_cell(v)
                if d.encoding in LEGACY and d.confidence >= UNCERTAIN_THRESHOLD:
                    votes[d.encoding] = votes.get(d.encoding, 0) + 1
    return max(votes, key=votes.__getitem__) if votes else None


def _raw(value: object) -> str | None:
    """The cell as stored (text unchanged; numbers as their shortest repr)."""
    if value is None:
        return None
    return value if isinstance(value, str) else repr(value) if isinstance(value, float) else str(value)


class SheetReader:
    """Read one sheet into shared Records and Hits."""

    def __init__(self, table: Table, sheet: str, options: LandPriceOptions, records: Records, hits: Hits) -> None:
        self.table, self.sheet, self.options = table, sheet, options
        self.records, self.hits = records, hits
        self.report = SheetReport(sheet, "read")

    def read(self) -> SheetReport:
        """Read the sheet (or record why it is skipped or refused)."""
        rep = self.report
        if self.table.state(self.sheet) != "visible":
            rep.status, rep.reason = "skipped", "hidden sheet"
            return rep
        if self.options.skips(self.sheet):
            rep.status, rep.reason = "skipped", "listed in skip_sheets"
            return rep
        raw = self.table.rows(self.sheet)
        head = list(itertools.islice(raw, HEADER_SCAN_ROWS))
        if not any(r.values for r in head):
            rep.status, rep.reason = "skipped", "empty sheet"
            return rep
        merged = self.table.merged(self.sheet)
        self.hint = self.options.layout_for(self.sheet).encoding if self.options.layout_for(self.sheet) else None
        self.hint = self.hint or sheet_encoding(head)
        layout = self._layout(head, merged)
        if layout is None:
            return rep
        self._read_rows(layout, merged, itertools.chain(head, raw))
        return rep

    def _layout(self, head: list[Row], merged: list[CellRange]) -> SheetLayout | None:
        """The catalog's layout for the sheet, else one recognised from its headers, else a refusal."""
        rep = self.report
        layout = self.options.layout_for(self.sheet)
        if layout is not None:
            rep.source = "catalog"
            return layout
        if not self.options.recognise:
            rep.status, rep.reason = "refused", "no layout in the catalog entry covers this sheet"
            return None
        filled = list(fill(iter(head), merged))
        block = header_block(head)
        texts = [t for r in head[:12] for t in (_text(v, self.hint) for v in r.values) if t]
        if block is None:
            rep.status = "refused"
            rep.headers_found = list(dict.fromkeys(texts))[:20]
            rep.reason = "no header row found (no row with two header words such as STT, Tên đường, VT1, Giá đất)"
            return None
        header = [r for r in filled if block[0] <= r.row_no <= block[1]]
        got = recognise(header, self.hint)
        rep.headers_found = [f"{c.letter}: {c.text}" for c in got.headers]
        if got.kind is None:
            rep.status, rep.reason = "refused", got.reason
            return None
        rep.source = "recognised"
        after = next((r for r in head if r.row_no > block[1]), None)
        data_from = block[1] + 2 if after is not None and numbering_row(after) else block[1] + 1
        return SheetLayout(sheet=self.sheet, kind=got.kind, header_rows=got.header_rows, data_from=data_from,
                           columns=got.columns, prices=tuple(got.prices))

    def _read_rows(self, layout: SheetLayout, merged: list[CellRange], rows) -> None:
        """Titles, header, data and footnotes of the sheet in one pass."""
        rep = self.report
        rep.layout, rep.header_rows = layout.kind, layout.header_rows
        rep.columns = dict(layout.columns)
        first_header = min(layout.header_rows)
        data_from = layout.data_from or layout.last_header + 1
        header_rows: list[Row] = []
        role = {r: column_index(c) for r, c in layout.columns.items()}
        cols: list[_Col] = []
        ctx = ctxmod.Context(former=self._sheet_former())
        last_road: tuple[str | None, str | None] = (None, None)
        footnotes = False
        hint = self.hint
        for row in fill(rows, merged, down_only_from=data_from):
            if row.row_no < first_header:
                self._title(row, hint)
                continue
            if row.row_no in layout.header_rows:
                header_rows.append(row)
                if row.row_no == layout.last_header:
                    cols = self._columns(layout, header_rows)
                continue
            if row.row_no < data_from or not row.values:
                continue
            if footnotes or (layout.data_to and row.row_no > layout.data_to):
                self._footnote(row, hint)
                continue
            present = [(c, row.get(c.index)) for c in cols]
            present = [(c, v) for c, v in present if v is not None]
            parsed = [(c, v, parse_number(v)) for c, v in present]
            if all(p.status == "na" for _, _, p in parsed):
                rep.not_applicable += len(parsed)
                texts = [t for t in (_text(v, hint) for v in row.values) if t]
                if not texts:
                    continue
                if ctxmod.is_footnote(texts[0]):
                    footnotes = True
                    self._footnote(row, hint)
                    continue
                road = _text(row.get(role["road"]), hint) if "road" in role else None
                lead = texts[1] if len(texts) > 1 and ctxmod.is_enumerator(texts[0]) else texts[0]
                if ctx.section(lead, self.options.former_provinces):
                    last_road = (None, None)
                elif road and len(texts) <= 3:
                    ctx.road = road
                    ctx.road_code = _text(row.get(role["road_code"]), hint) if "road_code" in role else None
                    last_road = (None, None)
                else:
                    rep.unplaced.append((row.row_no, " | ".join(texts)[:120]))
                continue
            last_road = self._price_row(layout, row, role, parsed, ctx, last_road, hint)
        self._finish(layout, cols, header_rows, merged)

    def _sheet_former(self) -> tuple[str, str] | None:
        """The former province a sheet is for, when its name says so ('Hà Giang cũ', 'Sóc Trăng')."""
        layout = self.options.layout_for(self.sheet)
        if layout is not None and layout.former_province:
            return layout.former_province, self.sheet
        return province_code(self.sheet, self.options.former_provinces)

    def _former_of(self, name: str | None) -> tuple[str | None, str | None] | None:
        """(old code, name) of a 'Tỉnh cũ' cell, cached per distinct name."""
        cache = self.__dict__.setdefault("_former_cache", {})
        if name not in cache:
            cache[name] = province_code(name, self.options.former_provinces) or ((None, name) if name else None)
        return cache[name]

    def _title(self, row: Row, hint: str | None) -> None:
        """A row above the header: kept for the unit, the land type and the act."""
        for text in dict.fromkeys(t for t in (_text(v, hint) for v in row.values) if t):
            self.report.titles.append((address(row.row_no, 0), text))

    def _footnote(self, row: Row, hint: str | None) -> None:
        """A row under the table: kept for the unit, shares of the residential price and the act."""
        for text in dict.fromkeys(t for t in (_text(v, hint) for v in row.values) if t):
            self.report.footnotes.append((address(row.row_no, 0), text))

    def _columns(self, layout: SheetLayout, header: list[Row]) -> list[_Col]:
        """The price columns with their header lines (for the unit)."""
        by_letter = {c.letter: c for c in columns_of(header, self.hint)}
        self.report.prices = [p.model_dump(exclude_none=True) for p in layout.prices]
        return [_Col(p, column_index(p.column), by_letter.get(p.column)) for p in layout.prices]

    def _land(self, layout: SheetLayout, spec: PriceColumn, row: Row, role: dict[str, int], ctx, hint) -> str | None:
        """The land type of a price cell: column, row code, row name, section, layout, title; RES resolved."""
        land = spec.land_use
        if land is None and "land_use_code" in role:
            land = code_of(_text(row.get(role["land_use_code"]), hint))
        if land is None and "land_type" in role:
            land = code_of(_text(row.get(role["land_type"]), hint))
        land = land or ctx.land or layout.land_use or self._title_land()
        if land == "RES":
            land = self._residential(ctx)
        return land

    def _title_land(self) -> str | None:
        """The land type a title names ('BẢNG GIÁ ĐẤT Ở TẠI ĐÔ THỊ' -> ODT; đô thị và nông thôn -> RES)."""
        for _, text in self.report.titles:
            f = fold(text)
            if "gia dat" in f or f.startswith("dat "):
                code = code_of(re.sub(r"^.*?gia\s+", "", f))
                if code in RESIDENTIAL and "do thi" in f and "nong thon" in f:
                    return "RES"
                if code:
                    return code
        return None

    def _residential(self, ctx: ctxmod.Context) -> str | None:
        """ODT or ONT for 'đất ở': the commune's kind (phường/thị trấn: urban), else the title or sheet name."""
        if ctx.commune:
            return "ODT" if fold(ctx.commune).startswith(("phuong", "thi tran")) else "ONT"
        titles = " ".join(fold(t) for _, t in self.report.titles) + " " + fold(self.sheet)
        urban, rural = "do thi" in titles or "odt" in titles, "nong thon" in titles or "ont" in titles
        if urban != rural:
            return "ODT" if urban else "ONT"
        return None

    def _price_row(self, layout, row: Row, role, parsed, ctx, last_road, hint):
        """The records of one data row (one per price cell that is not '-' or blank)."""
        rep = self.report
        get = {r: row.get(i) for r, i in role.items()}
        idx0 = len(self.records)
        road = _text(get.get("road"), hint, self.hits, idx0, "road")
        road_code = _text(get.get("road_code"), hint)
        segment = _text(get.get("segment"), hint, self.hits, idx0, "segment_text")
        seg_from, seg_to = _text(get.get("segment_from"), hint), _text(get.get("segment_to"), hint)
        if road and not segment and not seg_from:
            road, segment = ctxmod.split_road(road)
        if not road:
            road, road_code = (last_road[0] or ctx.road), (road_code or last_road[1] or ctx.road_code)
        if seg_from or seg_to:
            segment = segment or f"Từ {seg_from or '…'} đến {seg_to or '…'}"
        elif segment:
            seg_from, seg_to = ctxmod.split_segment(segment)
        commune = _text(get.get("commune"), hint) or ctx.commune
        former = ctx.former
        if "former_province" in role and get.get("former_province") is not None:
            name = _text(get["former_province"], hint)
            former = self._former_of(name)
        position_row = ctxmod.position_of(_text(get.get("position"), hint) or _text(get.get("position_code"), hint))
        area_row = ctxmod.area_of(_text(get.get("area"), hint))
        year = get.get("year")
        rkey = street_key(road) if road else None
        seg_code = _text(get.get("segment_code"), hint)
        skey = seg_code or "|".join([rkey or "", street_key(seg_from) if seg_from else (segment or ""),
                                     street_key(seg_to) if seg_to else ""])
        common = dict(sheet=self.sheet, row_no=row.row_no, layout=layout.kind, commune=commune,
                      former_province=former[0] if former else None,
                      former_province_name=former[1] if former else None, road=road, road_key=rkey,
                      road_code=road_code, segment_code=seg_code, segment_from=seg_from, segment_to=seg_to,
                      segment_text=segment, segment_key=skey if (road or seg_code or segment) else None,
                      coefficient=_raw(get.get("coefficient")), note=_text(get.get("note"), hint),
                      year=year if isinstance(year, int) else None, area=None)
        rep.price_rows += 1
        for col, value, p in parsed:
            if p.status == "na":
                rep.not_applicable += 1
                continue
            land = self._land(layout, col.spec, row, role, ctx, hint)
            land_text = _text(get.get("land_type"), hint)
            cell = address(row.row_no, col.index)
            i = self.records.add(p.value, cell=cell, raw_text=_raw(value), land_use_code=land,
                                 land_type=land_text, position=col.spec.position or position_row,
                                 **{**common, "area": col.spec.area or area_row or ctx.area})
            col.rows.append(i)
            rep.records += 1
            if p.status == "text":
                shown = _text(value, hint) if isinstance(value, str) else value
                self.hits.add("text_in_number", i, f"{cell}: '{shown}' in a price cell is not a number", "price_vnd")
            if land is None:
                self.hits.add("land_use_missing", i, f"{cell}: no land type in the column header, the row, a "
                              "section title or the sheet title", "land_use_code")
        return (road, road_code) if road else last_road

    def _finish(self, layout: SheetLayout, cols: list[_Col], header: list[Row], merged: list[CellRange]) -> None:
        """Apply each column's unit, then the stated derivations (shares of residential, position coefficients)."""
        sheet_units = self._sheet_units(layout)
        for col in cols:
            mult, source, problem = self._unit(col, sheet_units, header, merged)
            for i in col.rows:
                value = self.records.value[i]
                if problem:
                    self.hits.add(problem[0], i, f"{self.records.cols['cell'][i]}: {problem[1]}", "price_vnd")
                    continue
                self.records.cols["unit_multiplier"][i] = mult
                self.records.cols["unit_source"][i] = source
                if value is None:
                    continue
                dong = to_dong(value, mult)
                if dong is None:
                    self.hits.add("not_whole_dong", i, f"{self.records.cols['cell'][i]}: {value} × {mult} is not "
                                  "a whole number of đồng", "price_vnd")
                self.records.cols["price_vnd"][i] = dong
        self._derive(layout, cols)

    def _sheet_units(self, layout: SheetLayout) -> dict[int, str]:
        """Units the sheet states outside the column headers: titles, footnotes, the layout."""
        found: dict[int, str] = {}
        for kind, lines in (("title", self.report.titles), ("footnote", self.report.footnotes)):
            for where, text in lines:
                for u in units_in(text):
                    found.setdefault(u, f"{kind} {where}: {text[:80]}")
        if layout.unit:
            found.setdefault(UNIT_MULTIPLIER[layout.unit], f"catalog layout: {layout.unit}")
        return found

    def _unit(self, col: _Col, sheet_units: dict[int, str], header: list[Row], merged: list[CellRange]):
        """(multiplier, source, None) or (0, '', (rule, message)) for one price column."""
        if col.spec.unit:
            return UNIT_MULTIPLIER[col.spec.unit], f"catalog column {col.spec.column}", None
        own: dict[int, str] = {}
        for line in (col.header.lines if col.header else []):
            for u in units_in(line):
                own.setdefault(u, f"header {col.spec.column}: {line[:80]}")
        stated = own or sheet_units
        if len(stated) > 1:
            labels = "; ".join(f"{UNIT_LABELS[u]} ({src})" for u, src in stated.items())
            return 0, "", ("unit_conflict", f"column {col.spec.column} has two units: {labels}")
        if own and sheet_units and set(own) != set(sheet_units):
            (u, src), (v, vsrc) = next(iter(own.items())), next(iter(sheet_units.items()))
            return 0, "", ("unit_conflict", f"column {col.spec.column}: {UNIT_LABELS[u]} ({src}) but "
                           f"{UNIT_LABELS[v]} ({vsrc})")
        if stated:
            u, src = next(iter(stated.items()))
            return u, src, None
        hint = ""
        for m in merged:
            if m.row0 in {r.row_no for r in header} and m.col1 + 1 == col.index:
                anchor = next((r.get(m.col0) for r in header if r.row_no == m.row0), None)
                text = _text(anchor, self.hint) or ""
                if units_in(text):
                    hint = f"; the merged header '{text}' spans {m.ref} and stops just before this column"
        label = col.header.text if col.header else col.spec.column
        return 0, "", ("unit_missing", f"column {col.spec.column} ('{label}') states no unit and neither do the "
                       f"titles, footnotes or the catalog layout{hint}")

    def _derive(self, layout: SheetLayout, cols: list[_Col]) -> None:
        """Rows the sheet's stated rules derive: TMD/SKC as a share of residential, VT2… as coefficients of VT1."""
        rec = self.records.cols
        shares: dict[str, tuple[Decimal, str]] = {k: (v, "catalog layout") for k, v in
                                                  layout.share_of_residential.items()}
        for where, text in self.report.footnotes + self.report.titles:
            for land, pattern in _SHARE.items():
                m = pattern.search(fold(text))
                if m and land not in shares and "dat o" in fold(text):
                    shares[land] = (Decimal(m.group(1).replace(",", ".")) / 100, f"footnote {where}")
        lands = {c.spec.land_use for c in cols}
        positions = {c.spec.position for c in cols}
        base = [i for c in cols for i in c.rows if rec["price_vnd"][i] is not None]
        for i in base:
            land, pos = rec["land_use_code"][i], rec["position"][i]
            for target, (share, src) in shares.items():
                if land in RESIDENTIAL and target not in lands:
                    self._derived(i, target, pos, share, f"{target} = {share * 100:g} % × {land} "
                                  f"{rec['cell'][i]} ({src})")
            if pos == "VT1":
                for target, k in layout.position_coefficients.items():
                    if target not in positions:
                        self._derived(i, land, target, k, f"{target} = {k} × VT1 {rec['cell'][i]} (catalog layout)")

    def _derived(self, base: int, land: str | None, position: str | None, factor: Decimal, how: str) -> None:
        """One derived row: the base row's fields, the new land type or position, price × factor to the đồng."""
        rec = self.records.cols
        exact = Decimal(rec["price_vnd"][base]) * factor
        price = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        note = how if exact == price else f"{how}, rounded to the đồng from {exact}"
        fields = {f: rec[f][base] for f in rec}
        fields.update(land_use_code=land, position=position, price_vnd=price, derived_from=note)
        self.records.add(None, **fields)
        self.report.derived += 1
