"""Province -> VN-2000 central meridian (spec §2.3, TT 973/2001) and VN-2000 -> WGS 84 operations (spec §2.4)."""

from __future__ import annotations

from hub.crs import TOWGS84_6960

CRS_HEADER = ("old_province_code", "province_name", "cm_deg", "epsg", "k0", "legal_basis")
_K0, _TT973 = "0.9999", "TT 973/2001/TT-TCĐC"

# (old province code, name as in spec §2.3, central meridian "DDD°MM′", EPSG) for the 63 pre-2025 provinces.
_ZONES = (
    ("01", "Hà Nội", "105°00′", 5897), ("02", "Hà Giang", "105°30′", 9209), ("04", "Cao Bằng", "105°45′", 9210),
    ("06", "Bắc Kạn", "106°30′", 9213), ("08", "Tuyên Quang", "106°00′", 9211), ("10", "Lào Cai", "104°45′", 9208),
    ("11", "Điện Biên", "103°00′", 9205), ("12", "Lai Châu", "103°00′", 9205), ("14", "Sơn La", "104°00′", 9206),
    ("15", "Yên Bái", "104°45′", 9208), ("17", "Hòa Bình", "106°00′", 9211), ("19", "Thái Nguyên", "106°30′", 9213),
    ("20", "Lạng Sơn", "107°15′", 9215), ("22", "Quảng Ninh", "107°45′", 5899), ("24", "Bắc Giang", "107°00′", 9214),
    ("25", "Phú Thọ", "104°45′", 9208), ("26", "Vĩnh Phúc", "105°00′", 5897), ("27", "Bắc Ninh", "105°30′", 9209),
    ("30", "Hải Dương", "105°30′", 9209), ("31", "Hải Phòng", "105°45′", 9210), ("33", "Hưng Yên", "105°30′", 9209),
    ("34", "Thái Bình", "105°30′", 9209), ("35", "Hà Nam", "105°00′", 5897), ("36", "Nam Định", "105°30′", 9209),
    ("37", "Ninh Bình", "105°00′", 5897), ("38", "Thanh Hóa", "105°00′", 5897), ("40", "Nghệ An", "104°45′", 9208),
    ("42", "Hà Tĩnh", "105°30′", 9209), ("44", "Quảng Bình", "106°00′", 9211), ("45", "Quảng Trị", "106°15′", 9212),
    ("46", "Thừa Thiên Huế", "107°00′", 9214), ("48", "Đà Nẵng", "107°45′", 5899),
    ("49", "Quảng Nam", "107°45′", 5899), ("51", "Quảng Ngãi", "108°00′", 5898), ("52", "Bình Định", "108°15′", 9217),
    ("54", "Phú Yên", "108°30′", 9218), ("56", "Khánh Hòa", "108°15′", 9217), ("58", "Ninh Thuận", "108°15′", 9217),
    ("60", "Bình Thuận", "108°30′", 9218), ("62", "Kon Tum", "107°30′", 9216), ("64", "Gia Lai", "108°30′", 9218),
    ("66", "Đắk Lắk", "108°30′", 9218), ("67", "Đắk Nông", "108°30′", 9218), ("68", "Lâm Đồng", "107°45′", 5899),
    ("70", "Bình Phước", "106°15′", 9212), ("72", "Tây Ninh", "105°30′", 9209), ("74", "Bình Dương", "105°45′", 9210),
    ("75", "Đồng Nai", "107°45′", 5899), ("77", "Bà Rịa - Vũng Tàu", "107°45′", 5899),
    ("79", "TP Hồ Chí Minh", "105°45′", 9210), ("80", "Long An", "105°45′", 9210),
    ("82", "Tiền Giang", "105°45′", 9210), ("83", "Bến Tre", "105°45′", 9210), ("84", "Trà Vinh", "105°30′", 9209),
    ("86", "Vĩnh Long", "105°30′", 9209), ("87", "Đồng Tháp", "105°00′", 5897), ("89", "An Giang", "104°45′", 9208),
    ("91", "Kiên Giang", "104°30′", 9207), ("92", "Cần Thơ", "105°00′", 5897), ("93", "Hậu Giang", "105°00′", 5897),
    ("94", "Sóc Trăng", "105°30′", 9209), ("95", "Bạc Liêu", "105°00′", 5897), ("96", "Cà Mau", "104°30′", 9207),
)

DATUM_HEADER = ("op_id", "name", "towgs84", "method", "accuracy_m", "is_default", "note")
# towgs84: the 7 PROJ +towgs84 values (position-vector convention), without the "+towgs84=" key.
# Both EPSG operations are published in the coordinate-frame convention (EPSG:9607): rotation signs flipped here.
_DATUM_OPS = (
    ("EPSG:5194", "VN-2000 to WGS 84 (1)", "-192.873,-39.382,-111.202,-0.00205,-0.0005,0.00335,0.0188",
     "Coordinate Frame rotation (EPSG:9607), stored as position vector", "1", False,
     "Mekong delta blocks DBSCL 02 and 03 only; PROJ picks it automatically inside that extent (0.7-0.8 m from "
     "EPSG:6960): never used for publication"),
    ("EPSG:6960", "VN-2000 to WGS 84 (2)", TOWGS84_6960,
     "Coordinate Frame rotation (EPSG:9607), stored as position vector", "1", True,
     "QĐ 05/2007/QĐ-BTNMT national 7-parameter set; the hub's pinned path for all publication"),
)


def _cm_decimal(cm: str) -> str:
    """'105°45′' -> '105.75' (two decimals: every KTT is a multiple of 15′)."""
    degrees, minutes = cm.rstrip("′").split("°")
    return f"{int(degrees) + int(minutes) / 60:.2f}"


def crs_zone_rows() -> list[tuple]:
    """The 63 rows of crs_zone.csv."""
    return [(code, name, _cm_decimal(cm), epsg, _K0, _TT973) for code, name, cm, epsg in _ZONES]


def datum_op_rows() -> list[tuple]:
    """The rows of datum_op.csv."""
    return list(_DATUM_OPS)
