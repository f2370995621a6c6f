"""VN_AQI constants of QĐ 1459/QĐ-TCMT (12 Nov 2019): Bảng 2 (breakpoints), Bảng 1 (bands and colours),
Bảng 4 (health effects) and Bảng 5 (recommended activities).

Text source: the signed PDF at vea.mae.gov.vn as transcribed cell by cell in
qnguyenle075/hcmc-air-quality:data/processed/qd_1459_vn_aqi.md@fa31c9b [S]; Bảng 2 also agrees with the domain
spec §6.2 (an independent transcription) [V: both read the same]. English texts are the hub's translations
(the decision has no English version) and say so in `BAND_TEXT_SOURCE`.

Bảng 2 is continuous (each row's upper breakpoint is the next row's lower one): PM2.5 25 → 50, 30 → 60,
40 → 80, 300 → 350. Its last row reads "≥ 1.200 / ≥ 150.000 / ≥ 2.630 / ≥ 3.850 / ≥ 600 / ≥ 500": a value at or
above it is AQI 500 (the scale ends at 500). O₃ 8-h has no rows above 400 µg/m³ (AQI 300).
"""

from __future__ import annotations

from dataclasses import dataclass

SCALE = "VN_AQI"
DECISION = "QĐ 1459/QĐ-TCMT (12/11/2019)"
# Bump when a rule of the engine changes; stored with every index row.
ALGORITHM_VERSION = "VN_AQI/QD1459-2019/hub-1"
AQI_LEVELS = (0, 50, 100, 150, 200, 300, 400, 500)

# µg/m³ at 25 °C, 1 atm. Keys are the parameter codes of data/parameters.csv; "O3_8h" is O₃'s 8-h table.
BREAKPOINTS: dict[str, tuple[float, ...]] = {
    "O3": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "O3_8h": (0, 100, 120, 170, 210, 400),
    "CO": (0, 10000, 30000, 45000, 60000, 90000, 120000, 150000),
    "SO2": (0, 125, 350, 550, 800, 1600, 2100, 2630),
    "NO2": (0, 100, 200, 700, 1200, 2350, 3100, 3850),
    "PM10": (0, 50, 150, 250, 350, 420, 500, 600),
    "PM2.5": (0, 25, 50, 80, 150, 250, 350, 500),
}
PM = ("PM2.5", "PM10")
GASES = ("O3", "NO2", "SO2", "CO")
POLLUTANTS = PM + GASES  # also the order that breaks ties for the dominant pollutant
O3_8H_TOP = 400.0  # "Không tính toán AQI thông số O3 khi giá trị trung bình 8 giờ lớn nhất trong ngày cao hơn 400"


@dataclass(frozen=True)
class Band:
    """One row of Bảng 1 with the health texts of Bảng 4 and 5 for its range."""

    low: int
    high: int
    name_vi: str
    name_en: str
    colour_vi: str
    rgb: tuple[int, int, int]
    health_vi: str
    health_en: str
    advice_general_vi: str
    advice_sensitive_vi: str
    advice_general_en: str
    advice_sensitive_en: str

    @property
    def hex(self) -> str:
        """The colour as #rrggbb (what web pages and QGIS data-defined styling take)."""
        return "#{:02x}{:02x}{:02x}".format(*self.rgb)

    @property
    def rgb_text(self) -> str:
        """The colour as the decision prints it ("0;228;0")."""
        return ";".join(str(c) for c in self.rgb)


_SENSITIVE = "(người già, trẻ em, người mắc các bệnh hô hấp, tim mạch…)"
_MASK_VI = "Nếu cần thiết phải ra ngoài, hãy đeo khẩu trang đạt tiêu chuẩn."
_MASK_EN = "If you must go out, wear a certified mask."
_INDOORS_VI = "Mọi người nên ở trong nhà, đóng cửa ra vào và cửa sổ. " + _MASK_VI
_INDOORS_EN = "Everyone should stay indoors and keep doors and windows closed. " + _MASK_EN

BANDS: tuple[Band, ...] = (
    Band(0, 50, "Tốt", "Good", "Xanh", (0, 228, 0),
         "Chất lượng không khí tốt, không ảnh hưởng tới sức khỏe",
         "Air quality is good and does not affect health.",
         "Tự do thực hiện các hoạt động ngoài trời", "Tự do thực hiện các hoạt động ngoài trời",
         "Outdoor activities as usual.", "Outdoor activities as usual."),
    Band(51, 100, "Trung bình", "Moderate", "Vàng", (255, 255, 0),
         "Chất lượng không khí ở mức chấp nhận được. Tuy nhiên, đối với những người nhạy cảm " + _SENSITIVE
         + " có thể chịu những tác động nhất định tới sức khỏe.",
         "Air quality is acceptable; sensitive people (the elderly, children, people with respiratory or heart "
         "disease) may feel some effects on their health.",
         "Tự do thực hiện các hoạt động ngoài trời",
         "Nên theo dõi các triệu chứng như ho hoặc khó thở, nhưng vẫn có thể hoạt động bên ngoài.",
         "Outdoor activities as usual.",
         "Watch for symptoms such as coughing or shortness of breath; outdoor activity is still possible."),
    Band(101, 150, "Kém", "Poor", "Da cam", (255, 126, 0),
         "Những người nhạy cảm gặp phải các vấn đề về sức khỏe, những người bình thường ít ảnh hưởng.",
         "Sensitive people experience health problems; others are little affected.",
         "Những người thấy có triệu chứng đau mắt, ho hoặc đau họng… nên cân nhắc giảm các hoạt động ngoài "
         "trời. Đối với học sinh, có thể hoạt động bên ngoài, nhưng nên giảm bớt việc tập thể dục kéo dài.",
         "Nên giảm các hoạt động mạnh và giảm thời gian hoạt động ngoài trời. Những người mắc bệnh hen suyễn có "
         "thể cần sử dụng thuốc thường xuyên hơn.",
         "People with sore eyes, a cough or a sore throat should consider less outdoor activity. Pupils may be "
         "outside but should cut down prolonged exercise.",
         "Reduce strenuous activity and time outdoors. People with asthma may need their medication more often."),
    Band(151, 200, "Xấu", "Bad", "Đỏ", (255, 0, 0),
         "Những người bình thường bắt đầu có các ảnh hưởng tới sức khỏe, nhóm người nhạy cảm có thể gặp những vấn "
         "đề sức khỏe nghiêm trọng hơn.",
         "Everyone begins to feel health effects; sensitive people may have more serious problems.",
         "Mọi người nên giảm các hoạt động mạnh khi ở ngoài trời, tránh tập thể dục kéo dài và nghỉ ngơi nhiều "
         "hơn trong nhà.",
         "Nên ở trong nhà và giảm hoạt động mạnh. " + _MASK_VI,
         "Everyone should reduce strenuous outdoor activity, avoid prolonged exercise and rest more indoors.",
         "Stay indoors and reduce strenuous activity. " + _MASK_EN),
    Band(201, 300, "Rất xấu", "Very bad", "Tím", (143, 63, 151),
         "Cảnh báo hưởng tới sức khỏe: mọi người bị ảnh hưởng tới sức khỏe nghiêm trọng hơn.",
         "Health warning: everyone may have more serious health effects.",
         "Mọi người hạn chế tối đa các hoạt động ngoài trời và chuyển tất cả các hoạt động vào trong nhà. "
         + _MASK_VI,
         "Nên ở trong nhà và giảm hoạt động mạnh.",
         "Everyone should keep outdoor activity to a minimum and move all activities indoors. " + _MASK_EN,
         "Stay indoors and reduce strenuous activity."),
    # Bảng 5 merges the two advice cells of this row (one text for both groups).
    Band(301, 500, "Nguy hại", "Hazardous", "Nâu", (126, 0, 35),
         "Cảnh báo khẩn cấp về sức khỏe: Toàn bộ dân số bị ảnh hưởng tới sức khỏe tới mức nghiêm trọng.",
         "Health emergency: the whole population is seriously affected.",
         _INDOORS_VI, _INDOORS_VI, _INDOORS_EN, _INDOORS_EN),
)
BAND_TEXT_SOURCE = {"vi": f"{DECISION}, Bảng 1, 4 và 5", "en": f"hub translation of {DECISION}, Tables 1, 4, 5"}
NO_DATA_VI, NO_DATA_EN = "Không có dữ liệu", "No data"

METHOD_VI = (
    "VN_AQI theo Quyết định 1459/QĐ-TCMT ngày 12/11/2019 của Tổng cục Môi trường. AQI giờ: PM2.5 và PM10 dùng "
    "giá trị Nowcast của 12 giờ gần nhất (trọng số w = Cmin/Cmax, tối thiểu 1/2; chuẩn hóa theo tổng trọng số "
    "của các giờ có dữ liệu; cần ít nhất 2 trong 3 giờ gần nhất), O3, NO2, SO2, CO dùng giá trị trung bình 1 giờ "
    "(O3 theo bảng 1 giờ). AQI ngày: PM dùng trung bình 24 giờ, NO2, SO2, CO dùng trung bình 1 giờ lớn nhất "
    "trong ngày, O3 lấy giá trị lớn hơn giữa AQI của trung bình 1 giờ lớn nhất và của trung bình 8 giờ lớn "
    "nhất (không dùng 8 giờ khi trên 400 µg/m3). Ngày tính từ 01:00 đến 00:00 hôm sau (giờ Việt Nam, UTC+7). "
    "AQI thông số tính theo nội suy tuyến tính Bảng 2, AQI là giá trị lớn nhất của các AQI thông số, làm tròn "
    "thành số nguyên (0,5 làm tròn lên), tối đa 500; bắt buộc có PM10 hoặc PM2.5.")
METHOD_EN = (
    "VN_AQI per Decision 1459/QĐ-TCMT of 12 Nov 2019 (Vietnam Environment Administration). Hourly: PM2.5 and PM10 "
    "by NowCast over the last 12 hours (w = Cmin/Cmax, at least 1/2, normalised by the weights of the hours "
    "present; at least 2 of the 3 latest hours needed); O3, NO2, SO2, CO from the 1-hour mean (O3 on its 1-hour "
    "table). Daily: PM from the 24-hour mean; NO2, SO2, CO from the day's highest hour; O3 the larger of the "
    "indices of the highest 1-hour and highest 8-hour means (8-hour not used above 400 µg/m3). The day runs "
    "01:00 to 00:00 next day, Vietnam time (UTC+7). Sub-indices interpolate Table 2 linearly; the AQI is the "
    "highest sub-index, rounded half up to an integer, at most 500; PM10 or PM2.5 is required. This is not "
    "the US EPA AQI.")


def band_of(aqi: int | None) -> Band | None:
    """The band of a rounded AQI value (None for no data)."""
    if aqi is None:
        return None
    for b in BANDS:
        if aqi <= b.high:
            return b
    return BANDS[-1]
