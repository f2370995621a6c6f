"""Land-use code lists (domain spec §1.5) as Python literals: the single source of the land-use seed CSVs.

Row format of `_CODES`: (code, status, group, parent, name_vi, name_en)
  status  "both" | "2018" | "2024" -- the spec's Status column. Rows whose status is uncertain ([U]) or only
          "seen in MPLIS tables" (TSL, TSN, MCS, SKT, DCK, MVB...) are placed in TT 27/2018, as briefed.
  parent  "X" or "X2018/X2024" when the spec gives the parent per generation (e.g. "CDG/PNN").
  name_vi "A" or "A | B" when the 2018 label (A) differs from the 2024 label (B); where the spec only marks an
          optional word in parentheses, the 2024 label follows the Land Law 2024 wording (judgement call).

is_aggregate marks codes that are sums of other codes and are not meant to be put on a parcel: the three groups,
SXN (CHN+CLN), CHN, LUA (LUC+LUK+LUN), LNP, OTC (ONT+ODT), CDG, CQA (CQP+CAN), DSN, CSK, CCC, MVB, the planning
aggregates TTN and SMN, and HNK in TT 27/2018 only (BHK+NHK; a leaf again in TT 08/2024). RSX/RPH/RDD/NTS stay
leaves: their children are "of which" sub-indicators, parcels still carry the parent code.
"""

from __future__ import annotations

TT27, TT08, LEGACY, ZONE = "LANDUSE_TT27_2018", "LANDUSE_TT08_2024", "LANDUSE_LEGACY", "PLAN_ZONE_TT08_2024"

CODE_LIST_HEADER = ("code_list", "title_vi", "title_en", "legal_basis", "valid_from", "valid_to")
CODE_LISTS = (
    (LEGACY, "Mã loại đất cũ (trước 2014, Famis/DBF)", "Legacy pre-2014 land-use codes (Famis/DBF data)",
     "", "", ""),
    (ZONE, "Mã khu chức năng trong quy hoạch sử dụng đất", "Land-use planning functional-zone codes",
     "TT 08/2024/TT-BTNMT [U: codes as seen in a 2024-era provincial MPLIS table]", "2024-08-01", ""),
    (TT08, "Mã loại đất theo Thông tư 08/2024/TT-BTNMT", "Land-use type codes, Circular 08/2024/TT-BTNMT",
     "TT 08/2024/TT-BTNMT", "2024-08-01", ""),
    (TT27, "Mã loại đất theo Thông tư 27/2018/TT-BTNMT", "Land-use type codes, Circular 27/2018/TT-BTNMT "
     "(successor of TT 28/2014)", "TT 27/2018/TT-BTNMT", "2019-01-14", "2024-07-31"),
)

_CODES = (
    ("NNP", "both", "NNP", "", "Nhóm đất nông nghiệp", "Agricultural land group"),
    ("SXN", "2018", "NNP", "NNP", "Đất sản xuất nông nghiệp", "Agricultural production land"),
    ("CHN", "both", "NNP", "SXN/NNP", "Đất trồng cây hàng năm | Đất trồng cây hằng năm", "Annual-crop land"),
    ("LUA", "both", "NNP", "CHN", "Đất trồng lúa", "Rice land"),
    ("LUC", "both", "NNP", "LUA", "Đất chuyên trồng lúa nước | Đất chuyên trồng lúa",
     "Specialised (two or more crops) rice land"),
    ("LUK", "both", "NNP", "LUA", "Đất trồng lúa nước còn lại | Đất trồng lúa còn lại",
     "Other (single-crop) rice land"),
    ("LUN", "2018", "NNP", "LUA", "Đất trồng lúa nương", "Upland (rain-fed) rice land"),
    ("HNK", "both", "NNP", "CHN", "Đất trồng cây hàng năm khác | Đất trồng cây hằng năm khác",
     "Other annual-crop land"),
    ("BHK", "2018", "NNP", "HNK", "Đất bằng trồng cây hàng năm khác", "Other annual crops on flat land"),
    ("NHK", "2018", "NNP", "HNK", "Đất nương rẫy trồng cây hàng năm khác", "Other annual crops, shifting upland"),
    ("CLN", "both", "NNP", "SXN/NNP", "Đất trồng cây lâu năm", "Perennial-crop land"),
    ("LNP", "both", "NNP", "NNP", "Đất lâm nghiệp", "Forestry land"),
    ("RSX", "both", "NNP", "LNP", "Đất rừng sản xuất", "Production forest land"),
    ("RSN", "both", "NNP", "RSX", "Đất có rừng sản xuất là rừng tự nhiên | Đất rừng sản xuất là rừng tự nhiên",
     "Production forest land: natural forest"),
    ("RST", "2018", "NNP", "RSX", "Đất có rừng trồng sản xuất", "Production forest land: planted forest"),
    ("RSM", "2018", "NNP", "RSX", "Đất đang trồng rừng sản xuất", "Production forest land: being planted"),
    ("RSK", "2018", "NNP", "RSX", "Đất khoanh nuôi phục hồi rừng sản xuất", "Production forest land: regeneration"),
    ("RPH", "both", "NNP", "LNP", "Đất rừng phòng hộ", "Protection forest land"),
    ("RPN", "2018", "NNP", "RPH", "Đất có rừng phòng hộ là rừng tự nhiên", "Protection forest land: natural forest"),
    ("RPT", "2018", "NNP", "RPH", "Đất có rừng trồng phòng hộ", "Protection forest land: planted forest"),
    ("RPM", "2018", "NNP", "RPH", "Đất đang trồng rừng phòng hộ", "Protection forest land: being planted"),
    ("RPK", "2018", "NNP", "RPH", "Đất khoanh nuôi phục hồi rừng phòng hộ", "Protection forest land: regeneration"),
    ("RDD", "both", "NNP", "LNP", "Đất rừng đặc dụng", "Special-use forest land"),
    ("RDN", "2018", "NNP", "RDD", "Đất có rừng đặc dụng là rừng tự nhiên", "Special-use forest land: natural forest"),
    ("RDT", "2018", "NNP", "RDD", "Đất có rừng trồng đặc dụng", "Special-use forest land: planted forest"),
    ("RDM", "2018", "NNP", "RDD", "Đất đang trồng rừng đặc dụng", "Special-use forest land: being planted"),
    ("RDK", "2018", "NNP", "RDD", "Đất khoanh nuôi phục hồi rừng đặc dụng", "Special-use forest land: regeneration"),
    ("NTS", "both", "NNP", "NNP", "Đất nuôi trồng thủy sản", "Aquaculture land"),
    ("TSL", "2018", "NNP", "NTS", "Đất nuôi trồng thủy sản nước lợ, mặn", "Brackish/saltwater aquaculture land"),
    ("TSN", "2018", "NNP", "NTS", "Đất nuôi trồng thủy sản nước ngọt", "Freshwater aquaculture land"),
    ("CNT", "2024", "NNP", "NNP", "Đất chăn nuôi tập trung", "Concentrated livestock land"),
    ("LMU", "both", "NNP", "NNP", "Đất làm muối", "Salt-making land"),
    ("NKH", "both", "NNP", "NNP", "Đất nông nghiệp khác", "Other agricultural land"),
    ("PNN", "both", "PNN", "", "Nhóm đất phi nông nghiệp", "Non-agricultural land group"),
    ("OTC", "both", "PNN", "PNN", "Đất ở", "Residential land"),
    ("ONT", "both", "PNN", "OTC", "Đất ở tại nông thôn", "Rural residential land"),
    ("ODT", "both", "PNN", "OTC", "Đất ở tại đô thị", "Urban residential land"),
    ("CDG", "2018", "PNN", "PNN", "Đất chuyên dùng", "Special-purpose land"),
    ("TSC", "both", "PNN", "CDG/PNN", "Đất xây dựng trụ sở cơ quan", "Government office land"),
    ("CQA", "2024", "PNN", "PNN", "Đất quốc phòng, an ninh", "Defence and security land"),
    ("CQP", "both", "PNN", "CDG/CQA", "Đất quốc phòng", "Defence land"),
    ("CAN", "both", "PNN", "CDG/CQA", "Đất an ninh", "Security land"),
    ("DSN", "both", "PNN", "CDG/PNN", "Đất xây dựng công trình sự nghiệp", "Public-service facility land"),
    ("DTS", "2018", "PNN", "DSN", "Đất xây dựng trụ sở của tổ chức sự nghiệp", "Public-service organisation HQ land"),
    ("DVH", "both", "PNN", "DSN", "Đất xây dựng cơ sở văn hóa", "Cultural facility land"),
    ("DXH", "both", "PNN", "DSN", "Đất xây dựng cơ sở dịch vụ xã hội | Đất xây dựng cơ sở xã hội",
     "Social-service facility land"),
    ("DYT", "both", "PNN", "DSN", "Đất xây dựng cơ sở y tế", "Health facility land"),
    ("DGD", "both", "PNN", "DSN", "Đất xây dựng cơ sở giáo dục và đào tạo", "Education and training facility land"),
    ("DTT", "both", "PNN", "DSN", "Đất xây dựng cơ sở thể dục thể thao", "Sports facility land"),
    ("DKH", "both", "PNN", "DSN", "Đất xây dựng cơ sở khoa học và công nghệ", "Science and technology facility land"),
    ("DMT", "2024", "PNN", "DSN", "Đất xây dựng cơ sở môi trường", "Environmental facility land"),
    ("DKT", "2024", "PNN", "DSN", "Đất xây dựng cơ sở khí tượng thủy văn", "Hydro-meteorological facility land"),
    ("DNG", "both", "PNN", "DSN", "Đất xây dựng cơ sở ngoại giao", "Diplomatic facility land"),
    ("DSK", "both", "PNN", "DSN", "Đất xây dựng công trình sự nghiệp khác", "Other public-service facility land"),
    ("CSK", "both", "PNN", "CDG/PNN", "Đất sản xuất, kinh doanh phi nông nghiệp",
     "Non-agricultural production and business land"),
    ("SKK", "both", "PNN", "CSK", "Đất khu công nghiệp", "Industrial park land"),
    ("SKN", "both", "PNN", "CSK", "Đất cụm công nghiệp", "Industrial cluster land"),
    ("SKT", "2018", "PNN", "CSK", "Đất khu chế xuất", "Export-processing zone land"),
    ("SCT", "2024", "PNN", "CSK", "Đất khu công nghệ thông tin tập trung", "Concentrated IT park land"),
    ("TMD", "both", "PNN", "CSK", "Đất thương mại, dịch vụ", "Commercial and service land"),
    ("SKC", "both", "PNN", "CSK", "Đất cơ sở sản xuất phi nông nghiệp", "Non-agricultural production facility land"),
    ("SKS", "both", "PNN", "CSK", "Đất sử dụng cho hoạt động khoáng sản", "Mining land"),
    ("SKX", "2018", "PNN", "CSK", "Đất sản xuất vật liệu xây dựng, làm đồ gốm", "Building-material and pottery land"),
    ("CCC", "both", "PNN", "CDG/PNN", "Đất sử dụng vào mục đích công cộng", "Public-purpose land"),
    ("DGT", "both", "PNN", "CCC", "Đất giao thông | Đất công trình giao thông", "Transport land"),
    ("DTL", "both", "PNN", "CCC", "Đất thủy lợi | Đất công trình thủy lợi", "Irrigation and water-works land"),
    ("DCT", "2024", "PNN", "CCC", "Đất công trình cấp nước, thoát nước", "Water supply and drainage works land"),
    ("DPC", "2024", "PNN", "CCC", "Đất công trình phòng, chống thiên tai", "Disaster-prevention works land"),
    ("DDD", "2024", "PNN", "CCC", "Đất có di tích lịch sử-văn hóa, danh lam thắng cảnh, di sản thiên nhiên",
     "Heritage, scenic and natural-heritage sites land"),
    ("DDT", "2018", "PNN", "CCC", "Đất có di tích lịch sử - văn hóa", "Historical-cultural relic land"),
    ("DDL", "2018", "PNN", "CCC", "Đất danh lam thắng cảnh", "Scenic spot land"),
    ("DSH", "2018", "PNN", "CCC", "Đất sinh hoạt cộng đồng", "Community activity land"),
    ("DKV", "both", "PNN", "CCC", "Đất khu vui chơi, giải trí công cộng | "
     "Đất khu vui chơi, giải trí công cộng, sinh hoạt cộng đồng", "Public recreation (and community) land"),
    ("DNL", "both", "PNN", "CCC", "Đất công trình năng lượng | Đất công trình năng lượng, chiếu sáng công cộng",
     "Energy (and public lighting) works land"),
    ("DBV", "both", "PNN", "CCC", "Đất công trình bưu chính, viễn thông | "
     "Đất công trình hạ tầng bưu chính, viễn thông, công nghệ thông tin", "Post, telecom (and IT) works land"),
    ("DCH", "both", "PNN", "CCC", "Đất chợ | Đất chợ dân sinh, chợ đầu mối", "Market land"),
    ("DRA", "both", "PNN", "CCC", "Đất bãi thải, xử lý chất thải | Đất công trình xử lý chất thải",
     "Waste dump and waste treatment land"),
    ("DCK", "2018", "PNN", "CCC", "Đất công trình công cộng khác", "Other public works land"),
    ("TON", "both", "PNN", "PNN", "Đất cơ sở tôn giáo | Đất tôn giáo", "Religious land"),
    ("TIN", "both", "PNN", "PNN", "Đất cơ sở tín ngưỡng | Đất tín ngưỡng", "Belief and worship land"),
    ("NTD", "both", "PNN", "PNN", "Đất nghĩa trang, nghĩa địa, nhà tang lễ, nhà hỏa táng | "
     "Đất nghĩa trang, nhà tang lễ, cơ sở hỏa táng; đất cơ sở lưu giữ tro cốt", "Cemetery and funeral facility land"),
    ("SON", "both", "PNN", "PNN",
     "Đất sông, ngòi, kênh, rạch, suối | Đất có mặt nước dạng sông, ngòi, kênh, rạch, suối",
     "Rivers, canals and streams"),
    ("MNC", "both", "PNN", "PNN", "Đất có mặt nước chuyên dùng | Đất có mặt nước chuyên dùng dạng ao, hồ, đầm, phá",
     "Special-use water surface (2024: ponds, lakes, lagoons)"),
    ("PNK", "both", "PNN", "PNN", "Đất phi nông nghiệp khác", "Other non-agricultural land"),
    ("CSD", "both", "CSD", "", "Nhóm đất chưa sử dụng", "Unused land group"),
    ("BCS", "both", "CSD", "CSD", "Đất bằng chưa sử dụng", "Unused flat land"),
    ("DCS", "both", "CSD", "CSD", "Đất đồi núi chưa sử dụng", "Unused hilly or mountain land"),
    ("NCS", "both", "CSD", "CSD", "Núi đá không có rừng cây", "Bare rocky mountains"),
    ("MCS", "2018", "CSD", "CSD", "Đất có mặt nước chưa sử dụng", "Unused water surface"),
    ("MVB", "2018", "MVB", "", "Đất có mặt nước ven biển (chỉ tiêu quan sát)", "Coastal water surface (observation)"),
    ("MVT", "2018", "MVB", "MVB", "Đất mặt nước ven biển nuôi trồng thủy sản", "Coastal water surface: aquaculture"),
    ("MVR", "2018", "MVB", "MVB", "Đất mặt nước ven biển có rừng ngập mặn", "Coastal water surface: mangrove forest"),
    ("MVK", "2018", "MVB", "MVB", "Đất mặt nước ven biển mục đích khác", "Coastal water surface: other purposes"),
)

# Planning functional zones (spec §1.5, "seen in a 2024-era MPLIS code table"): (code, name_vi, name_en).
# CTS and TSK are listed by the spec without a meaning; they are kept so that such tables resolve.
_ZONES = (
    ("KKT", "Khu kinh tế", "Economic zone"),
    ("KCN", "Khu công nghiệp", "Industrial park zone"),
    ("SCC", "Cụm công nghiệp", "Industrial cluster zone"),
    ("CNC", "Khu công nghệ cao", "High-tech park zone"),
    ("KDT", "Đất đô thị", "Urban land zone"),
    ("DNT", "Khu dân cư nông thôn", "Rural residential zone"),
    ("KBT", "Khu bảo tồn", "Conservation zone"),
    ("KĐD", "Cơ sở bảo tồn đa dạng sinh học", "Biodiversity conservation facility"),
    ("CGT", "Đất do Nhà nước thu hồi chưa giao, chưa cho thuê",
     "Land recovered by the State, not yet allocated or leased"),
    ("TTN", "Đất tôn giáo, tín ngưỡng", "Religious and belief land (aggregate)"),
    ("SMN", "Đất sông, suối và mặt nước chuyên dùng", "Rivers, streams and special-use water (aggregate)"),
    ("CTS", "Mã CTS (chưa xác định nội dung)", "CTS: meaning not documented [U]"),
    ("TSK", "Mã TSK (chưa xác định nội dung)", "TSK: meaning not documented [U]"),
)

# Legacy pre-2014 codes: (code, group, name_vi, name_en, TT 08/2024 target for the manual crosswalk).
LEGACY_CODES = (
    ("T", "PNN", "Đất thổ cư", "Residential land (thổ cư)", "OTC"),
    ("2L", "NNP", "Đất 2 lúa", "Two-crop rice land", "LUC"),
    ("LNK", "NNP", "Đất trồng cây lâu năm khác", "Other perennial-crop land", "CLN"),
    ("AO", "NNP", "Đất ao", "Pond", "NTS"),
    ("Màu", "NNP", "Đất trồng màu", "Upland secondary-crop land (màu)", "HNK"),
    ("RĐ", "NNP", "Đất rừng đặc dụng", "Special-use forest land", "RDD"),
)

_AGGREGATES = {"NNP", "SXN", "CHN", "LUA", "LNP", "PNN", "OTC", "CDG", "CQA", "DSN", "CSK", "CCC", "CSD", "MVB",
               "TTN", "SMN"}
_AGGREGATES_TT27_ONLY = {"HNK"}
SENSITIVE = {"CQP", "CAN", "CQA"}
# RGB of the current-land-use map (bản đồ hiện trạng sử dụng đất): TT 27/2018/TT-BTNMT Phụ lục (ký hiệu, bảng màu),
# carried over by TT 08/2024/TT-BTNMT Phụ lục V; one table for both lists (a code keeps its colour across them).
# The nine of spec §1.5 are verified [S]; the rest are transcribed from that table [M] (check against the gazette PDF).
_SERVICE = (255, 170, 160)   # public-service, office, religious and other non-agricultural works (one colour)
_BUSINESS = (250, 170, 160)  # industrial zones, commerce, production
_MINING = (205, 170, 205)    # mining, building materials, waste
_FALLOW = (255, 255, 254)    # unused flat or hill land (white, kept distinct from "no colour")
COLORS = {
    # agriculture
    "LUC": (255, 252, 140), "LUK": (255, 252, 180), "LUN": (255, 252, 200), "HNK": (255, 240, 180),
    "BHK": (255, 240, 180), "NHK": (255, 240, 180), "CLN": (255, 210, 160), "CNT": (245, 255, 180),
    "NKH": (245, 255, 180), "LMU": (255, 255, 254), "NTS": (170, 255, 255),
    "RSX": (180, 255, 180), "RSN": (180, 255, 180), "RPH": (190, 255, 30), "RDD": (110, 255, 100),
    # residential, defence, security
    "ONT": (255, 208, 255), "ODT": (255, 160, 255), "CQP": (255, 100, 80), "CAN": (255, 80, 70),
    # offices and public-service works
    "TSC": _SERVICE, "TSN": _SERVICE, "TSL": _SERVICE, "DTS": _SERVICE, "DVH": _SERVICE, "DXH": _SERVICE,
    "DYT": _SERVICE, "DGD": _SERVICE, "DTT": _SERVICE, "DKH": _SERVICE, "DKT": _SERVICE, "DMT": _SERVICE,
    "DNG": _SERVICE, "DSK": _SERVICE,
    # business and production
    "SKK": _BUSINESS, "SKN": _BUSINESS, "SCT": _BUSINESS, "TMD": _BUSINESS, "SKC": _BUSINESS,
    "SKS": _MINING, "SKX": _MINING, "SKT": _MINING, "DRA": _MINING,
    # public purposes (CCC)
    "DGT": (255, 170, 50), "DTL": (170, 255, 255), "DNL": _SERVICE, "DBV": _SERVICE, "DCT": _SERVICE,
    "DPC": _SERVICE, "DDT": _SERVICE, "DDL": _SERVICE, "DDD": _SERVICE, "DKV": _SERVICE, "DSH": _SERVICE,
    "DCH": _SERVICE, "DCK": _SERVICE,
    # religion, cemeteries, water, other
    "TON": _SERVICE, "TIN": _SERVICE, "NTD": (210, 210, 210), "SON": (160, 255, 255), "MNC": (180, 255, 255),
    "MVT": (180, 255, 255), "MVR": (180, 255, 255), "MVK": (180, 255, 255), "MCS": (180, 255, 255),
    "PNK": _SERVICE,
    # unused land
    "BCS": _FALLOW, "DCS": _FALLOW, "NCS": (230, 230, 200),
}
# Forest sub-codes of TT 27/2018 (natural, planted, regenerating, nursery) take their category's colour.
COLORS.update({f"{prefix}{kind}": COLORS[category] for prefix, category in (("RD", "RDD"), ("RP", "RPH"), ("RS", "RSX"))
               for kind in "KMNT" if f"{prefix}{kind}" not in COLORS})
# Aggregates (group codes) are drawn with the colour of their principal sub-code (the table colours leaves only).
PRINCIPAL = {"NNP": "NKH", "SXN": "HNK", "CHN": "HNK", "LUA": "LUC", "LNP": "RSX", "PNN": "PNK", "OTC": "ONT",
             "CDG": "TSC", "CQA": "CQP", "DSN": "DVH", "CSK": "SKC", "CCC": "DGT", "CSD": "BCS", "MVB": "MNC"}
COLORS.update({agg: COLORS[leaf] for agg, leaf in PRINCIPAL.items()})
VERIFIED_COLORS = ("LUC", "ONT", "ODT", "RSX", "RPH", "RDD", "NTS", "DGT", "CQP")

LAND_USE_HEADER = ("code_list", "code", "parent_code", "group_code", "name_vi", "name_en", "is_aggregate",
                   "color_hex", "is_sensitive")


def _pick(value: str, sep: str, code_list: str) -> str:
    """The 2018 or 2024 variant of a "A<sep>B" literal (a plain value serves both lists)."""
    parts = [p.strip() for p in value.split(sep)]
    return parts[0] if code_list == TT27 or len(parts) == 1 else parts[1]


def _row(code_list: str, code: str, parent: str, group: str, name_vi: str, name_en: str) -> tuple:
    """One land_use_code row with the derived flags (aggregate, colour, sensitivity)."""
    aggregate = code in _AGGREGATES or (code_list == TT27 and code in _AGGREGATES_TT27_ONLY)
    color = "#{:02X}{:02X}{:02X}".format(*COLORS[code]) if code in COLORS else ""
    return (code_list, code, parent, group, name_vi, name_en, aggregate, color, code in SENSITIVE)


def _legacy_row(code: str, group: str, name_vi: str, name_en: str, target: str) -> tuple:
    """A legacy code, drawn in the colour of its TT 08/2024 crosswalk target."""
    row = list(_row(LEGACY, code, "", group, name_vi, name_en))
    row[7] = "#{:02X}{:02X}{:02X}".format(*COLORS[target])
    return tuple(row)


def land_use_code_rows() -> list[tuple]:
    """All rows of land_use_code.csv: TT 27/2018, TT 08/2024, planning zones and legacy codes."""
    rows = []
    for code, status, group, parent, name_vi, name_en in _CODES:
        lists = {"both": (TT27, TT08), "2018": (TT27,), "2024": (TT08,)}[status]
        for code_list in lists:
            rows.append(_row(code_list, code, _pick(parent, "/", code_list), group,
                             _pick(name_vi, "|", code_list), name_en))
    rows += [_row(ZONE, code, "", "ZONE", name_vi, name_en) for code, name_vi, name_en in _ZONES]
    rows += [_legacy_row(code, group, name_vi, name_en, target) for code, group, name_vi, name_en, target in LEGACY_CODES]
    return rows


def codes_in(code_list: str) -> set[str]:
    """The codes of one list."""
    return {row[1] for row in land_use_code_rows() if row[0] == code_list}
