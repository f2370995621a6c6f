"""Readers: TT 10/2021 station files (streamed, layout as data), periodic CSV/XLSX exports (censored values kept),
station lists. Every source row is an observation or a reject naming file, line/cell, field and rule."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from pydantic import ValidationError

from hub.errors import InputError
from ingest.families.envmon.readers.periodic import PeriodicLayout
from ingest.families.envmon.readers.periodic_io import read_export
from ingest.families.envmon.readers.stations import read_stations
from ingest.families.envmon.readers.tt10 import Tt10Layout, read_tt10, status_meaning


def tt10(folder: Path, name: str, lines: list[str], newline: str = "\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_bytes(newline.join(lines).encode("utf-8") + newline.encode())
    return p


def all_chunks(chunks):
    chunks = list(chunks)
    return chunks, sum(len(c) for c in chunks), [r for c in chunks for r in c.rejects], sum(c.rows_in for c in chunks)


def test_tt10_default_layout(tmp_path):
    f = tt10(tmp_path, "CTO_SoNNMT_KK01_20250301080000.txt",
             ["PM-2-5\t12.5\tµg/m3\t20250301080000\t00", "NO2\t21.3\tppb\t20250301080000\t01",
              "CO\t0.8\tppm\t20250301080000\t02", "Temp\t27,5\toC\t20250301080000\t00"])
    chunks, n, rej, rows_in = all_chunks(read_tt10([f], Tt10Layout()))
    c = chunks[0]
    assert n == 3 and rows_in == 4 and [r.rule for r in rej] == ["value_unreadable"]  # 27,5 with '.' decimals
    assert rej[0].where == "line 4" and rej[0].field == "value" and rej[0].text == "27,5"
    assert list(c.parameter) == ["PM2.5", "NO2", "CO"] and set(c.station) == {"KK01"}
    assert list(status_meaning(Tt10Layout(), c.status)) == ["measuring", "calibrating", "error"]
    assert c.time_local[0] == np.datetime64("2025-03-01T08:00:00") and list(c.unit) == ["µg/m3", "ppb", "ppm"]


def test_tt10_vendor_layout(tmp_path):
    layout = Tt10Layout(columns=("time", "station", "parameter", "value", "unit", "status"), delimiter=";",
                        time_format="%d/%m/%Y %H:%M", decimal=",", file_name=r"^(?P<time>\d{12})\.csv$",
                        spellings={"Bui25": "PM2.5"}, status_calibrating=("CAL",), header_lines=1)
    f = tt10(tmp_path, "202503010800.csv", ["time;station;param;value;unit;status",
                                            "01/03/2025 08:00;TQ02;Bui25;35,2;ug/m3;OK",
                                            "01/03/2025 08:00;TQ02;SO2;4,1;ug/m3;CAL",
                                            "31/02/2025 08:00;TQ02;SO2;4,1;ug/m3;00"], newline="\r\n")
    chunks, n, rej, rows_in = all_chunks(read_tt10([f], layout))
    c = chunks[0]
    assert n == 2 and rows_in == 3 and list(c.value) == [35.2, 4.1] and list(c.station) == ["TQ02", "TQ02"]
    assert rej[0].rule == "time_unreadable" and rej[0].where == "line 4"  # 31/02 is not a date (header is line 1)
    assert list(status_meaning(layout, c.status)) == ["unknown", "calibrating"]


def test_tt10_whitespace_layout_and_bad_names(tmp_path):
    layout = Tt10Layout(delimiter="whitespace")
    good = tt10(tmp_path, "A_B_KK9_20250101000000.txt", ["PM10   40.0  ug/m3   20250101000000   00", "",
                                                          "SO2 3 ug/m3 20250101000000"])
    stray = tt10(tmp_path, "notes.txt", ["PM10\t1\tug/m3\t20250101000000\t00"])
    chunks, n, rej, rows_in = all_chunks(read_tt10([good, stray], layout))
    assert n == 1 and rows_in == 3
    assert {(r.file.endswith("notes.txt"), r.rule, r.where) for r in rej} == {
        (True, "station_missing", "line 1"), (False, "line_unreadable", "line 3")}


def test_tt10_layout_is_validated():
    with pytest.raises(ValidationError):
        Tt10Layout(columns=("parameter", "unit"))
    with pytest.raises(ValidationError):
        Tt10Layout(delimiter="||")
    with pytest.raises(ValidationError):
        Tt10Layout(colums=("parameter", "value"))  # typo in a key is an error, not ignored


def test_tt10_thousands_of_files_stream_flat(tmp_path):
    files = []
    for i in range(3000):
        t = f"202501{1 + i // 240:02d}{(i // 10) % 24:02d}0000"
        files.append(tt10(tmp_path, f"CTO_X_KK{i % 10:02d}_{t}.txt",
                          [f"{p}\t{i % 97}.5\tug/m3\t{t}\t00" for p in ("PM2.5", "PM10", "NO2", "SO2", "CO", "O3")]))
    tracemalloc.start()
    t0 = time.perf_counter()
    chunks = read_tt10(sorted(files), Tt10Layout(), chunk_bytes=64 << 10)
    total = peak_chunk = 0
    for c in chunks:
        total += len(c)
        peak_chunk = max(peak_chunk, len(c))
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert total == 18000 and peak_chunk < 18000  # several chunks, each bounded by chunk_bytes
    assert peak < 40 << 20, peak  # memory does not grow with the folder
    assert elapsed < 10, elapsed


def csv_file(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "export.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_periodic_csv(tmp_path):
    p = csv_file(tmp_path, "STT,Mã trạm,Ngày lấy mẫu,Giờ,pH,BOD5 (mg/L),Coliform (MPN/100mL),As (µg/L),Ghi chú\n"
                           "1,NM01,15/01/2025,09:30,7.2,\"4,5\",<3,<0.5,\n"
                           "2,NM01,15/02/2025,9:00,6.9,KPH,>24000,1.2,\n"
                           "3,NM02,31/02/2025,09:00,7.0,3,-,,\n"
                           "4,NM02,15/04/2025,09:00,7.1,abc,,,mưa\n")
    chunks, n, rej, rows_in = all_chunks(read_export(p, PeriodicLayout(limits={"BOD5": 2.0})))
    c = chunks[0]
    assert rows_in == n + len(rej)
    got = {(c.where[i], c.parameter[i]): (c.value[i], c.qualifier[i], c.limit[i]) for i in range(len(c))}
    assert got[("row 2, column BOD5 (mg/L)", "BOD5")] == (4.5, None, pytest.approx(np.nan, nan_ok=True))
    v, q, lim = got[("row 3, column BOD5 (mg/L)", "BOD5")]
    assert np.isnan(v) and q == "<" and lim == 2.0  # KPH with the layout's limit
    v, q, lim = got[("row 2, column As (µg/L)", "AS")]
    assert np.isnan(v) and q == "<" and lim == 0.5
    assert got[("row 3, column Coliform (MPN/100mL)", "COLIFORM")][1:] == (">", 24000.0)
    assert c.time_local[list(c.where).index("row 3, column pH")] == np.datetime64("2025-02-15T09:00")
    rules = {(r.where, r.rule) for r in rej}
    assert ("row 4, column pH", "time_unreadable") in rules  # 31/02
    assert ("row 5, column BOD5 (mg/L)", "value_unreadable") in rules
    assert ("row 5, column Ghi chú", "parameter_unknown") in rules  # text under an unknown header is not dropped


def test_periodic_xlsx_with_units_row(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Kết quả"
    ws.append(["Ký hiệu điểm", "Thời gian", "DO", "N-NH4", "Cd"])
    ws.append([None, None, "mg/L", "mg/L", "µg/L"])
    from datetime import datetime

    ws.append(["SW01", datetime(2025, 5, 2, 10, 0), 6.1, "< 0,02", 0.8])
    ws.append(["SW01", "03/06/2025 10:00", "6,3", "0.05", "<LOD"])
    p = tmp_path / "lab.xlsx"
    wb.save(p)
    chunks, n, rej, rows_in = all_chunks(read_export(p, PeriodicLayout(units_row=2)))
    c = chunks[0]
    assert n == 5 and [(r.where, r.rule) for r in rej] == [("Kết quả!E4", "value_unreadable")]  # <LOD, no limit
    row = {c.where[i]: i for i in range(len(c))}
    assert c.qualifier[row["Kết quả!D3"]] == "<" and c.limit[row["Kết quả!D3"]] == 0.02
    assert c.value[row["Kết quả!C4"]] == 6.3 and c.unit[row["Kết quả!E3"]] == "µg/L"
    assert c.time_local[row["Kết quả!C4"]] == np.datetime64("2025-06-03T10:00")


def test_periodic_unknown_format(tmp_path):
    with pytest.raises(InputError, match="csv or .xlsx"):
        read_export(tmp_path / "x.ods", PeriodicLayout())


def test_station_list(tmp_path):
    p = tmp_path / "stations.csv"
    p.write_text("Mã trạm,Tên trạm,Mạng lưới,Loại trạm,Môi trường,Kinh độ,Vĩ độ,X,Y,EPSG,Mã xã mới\n"
                 "KK01,Trạm Ninh Kiều,Tỉnh,Tự động,Không khí,105.78,10.03,,,,31150\n"
                 "KK02,Trạm 2,Quốc gia,Tự động,Không khí,,,581000,1110000,5897,\n"
                 "KK01,dup,Tỉnh,Tự động,Không khí,105.78,10.03,,,,\n"
                 "KK03,swap,Tỉnh,Định kỳ,Nước mặt,10.03,105.78,,,,\n"
                 "KK04,bad,Tỉnh,Định kỳ,Biển Đông,105.7,10.0,,,,\n", encoding="utf-8")
    stations, rej = read_stations(p)
    assert [s.code for s in stations] == ["KK01", "KK02"]
    assert stations[0].network == "provincial" and stations[1].network == "national"
    assert stations[1].lon == pytest.approx(105.74071, abs=1e-5)  # VN-2000 TM-3 through the pinned shift
    assert [(r.where, r.field, r.rule) for r in rej] == [("row 4", "code", "duplicate_key"),
                                                         ("row 5", "lon", "outside_admin_unit"),
                                                         ("row 6", "medium", "bad_value")]
    p.write_text("Tên trạm\nx\n", encoding="utf-8")
    with pytest.raises(InputError, match="no code column"):
        read_stations(p)
