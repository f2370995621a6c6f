"""Which records of which file get which §11 defect (cadastre part), and the manifest entries for them."""

from __future__ import annotations

import unicodedata

from hub.samples import defects as d
from hub.samples.admin import AdminLayout, new_commune_at
from hub.samples.defects import Broken, Picker
from hub.samples.parcels import Parcel, Sheet, rng_for

SHP_DIR = "cantho/cadastre_cantho_old"
SOCTRANG = "cantho/cadastre_soctrang_old.gpkg"
UTM = "cantho/cadastre_utm48n_mislabeled.gpkg"
UNCLOSED = "cantho/cadastre_soctrang_unclosed_ring.gpkg"
HAGIANG = "tuyenquang/cadastre_hagiang_old.tab"
TEXT_FIELDS = ("DiaChi", "TenChu", "GhiChu")


def file_for(sh: Sheet) -> str:
    """Output file (relative to out_dir) that carries a sheet."""
    kind, g = sh.spec.kind, sh.group.key
    if kind == "utm_extract":
        return UTM
    if kind == "unclosed_extract":
        return UNCLOSED
    if g == "cantho_old":
        return f"{SHP_DIR}/{sh.spec.old_code}.shp"
    if g == "soctrang_old":
        return SOCTRANG
    if g == "hagiang_old":
        return HAGIANG
    suffix = "_swapped" if kind == "swapped" else ""
    return f"tuyenquang/famis_tuyenquang_{sh.spec.old_code}_{sh.spec.sheet_no}{suffix}.dgn"


class Plan:
    """Collects manifest entries while breaking records."""

    def __init__(self, seed: int, sheets: list[Sheet], layouts: dict[str, AdminLayout]) -> None:
        """Index the sheets by (old commune, sheet no)."""
        self.seed, self.sheets, self.layouts = seed, sheets, layouts
        self.by = {(s.spec.old_code, s.spec.sheet_no): s for s in sheets}
        self.broken: list[Broken] = []
        self.pickers: dict[str, Picker] = {}

    def picker(self, sh: Sheet) -> Picker:
        """One picker per output file."""
        f = file_for(sh)
        return self.pickers.setdefault(f, Picker(self.seed, f))

    def add(self, sh: Sheet, p: Parcel | None, defect: str, rule: str, severity: str, note: str, **expected):
        """Record one manifest entry for parcel p of sheet sh."""
        key = p.key if p is not None else f"{sh.spec.old_code}.{sh.spec.sheet_no}.*"
        self.broken.append(Broken(file_for(sh), p, key, defect, rule, severity, note, expected))

    def pick(self, code: str, sheet_no: int, **kw) -> tuple[Sheet, Parcel]:
        """Sheet and a fresh parcel of it."""
        sh = self.by[(code, sheet_no)]
        return sh, self.picker(sh).pick(sh, **kw)

    # ---- shared recipes -------------------------------------------------------------------------------------
    def bowtie(self, code, no):
        """#1 self-intersecting ring."""
        sh, p = self.pick(code, no, span1=True)
        d.bowtie(p)
        self.add(sh, p, "1_bowtie", "invalid_geometry", "error", "top vertices swapped: self-intersecting ring")

    def slivers(self, code, no, area, defect, rule):
        """#2 overlap (area > 0) or gap (area < 0) with the east neighbour."""
        sh, p = self.pick(code, no, east=True)
        q = d.right_neighbour(sh, p)
        self.picker(sh).mark(q)
        off, real = d.sliver(p, area)
        what = "overlaps" if area > 0 else "leaves a gap towards"
        self.add(sh, p, defect, rule, "warn", f"east edge pushed {abs(off):.3f} m: {what} {q.key}",
                 sliver_m2=round(real, 4), neighbour=q.key)

    def duplicate(self, code, no):
        """#3 a parcel re-labelled with its east neighbour's number."""
        sh, p = self.pick(code, no, east=True)
        q = d.right_neighbour(sh, p)
        self.picker(sh).mark(q)
        original = q.number
        q.number = p.number
        for r in (p, q):
            self.add(sh, r, "3_duplicate", "duplicate_key", "error",
                     f"parcel number {p.number} used twice on the sheet ({q.key} was {original})")

    def area(self, code, no):
        """#5 declared area beyond 0.0004·M·√P."""
        sh, p = self.pick(code, no)
        info = d.area_off(p, sh.spec.scale)
        self.add(sh, p, "5_area", "area_mismatch", "warn", "DienTich = computed + 3·ΔP", **info)

    def land_use(self, code, no, value, rule, severity, note):
        """#6 a raw land-use value."""
        sh, p = self.pick(code, no, interior=False)
        p.land_use = value
        self.add(sh, p, "6_land_use", rule, severity, note, value=value)

    def legit_pair(self, a: tuple[str, int], b: tuple[str, int]):
        """#4 the same (sheet, parcel) number in two old communes merged into one new commune."""
        for code, no in (a, b):
            sh = self.by[(code, no)]
            p = next(x for x in sh.parcels if x.number == 1)
            if id(p) in self.picker(sh).used:
                raise AssertionError(f"{p.key} is already broken: call legit_pair first")
            self.picker(sh).mark(p)
            self.add(sh, p, "4_same_number_merged", "none", "none",
                     f"{a[0]}.{a[1]}.1 and {b[0]}.{b[1]}.1 both lie in one new commune: legit, key needs the "
                     "old commune code", new_commune_code=self.layouts_new(code, p))

    def layouts_new(self, code: str, p: Parcel) -> str:
        """New commune code holding a parcel."""
        x, y = d.lonlat_point(p)
        return new_commune_at(self.layouts, code, x, y)

    def split(self, code, no):
        """#13 one parcel of the split old commune on each side of the new boundary."""
        sh = self.by[(code, no)]
        seen = set()
        for p in sorted(sh.parcels, key=lambda q: (q.col, q.row)):
            new = self.layouts_new(code, p)
            if new not in seen and id(p) not in self.picker(sh).used and 0 < p.row < sh.part.rows - 1:
                seen.add(new)
                self.picker(sh).mark(p)
                self.add(sh, p, "13_split_commune", "none", "info",
                         f"old commune {code} was split in 2025; this parcel belongs to new commune {new} "
                         "(assign spatially, not by code)", new_commune_code=new)

    def sensitive(self, code, no, lu):
        """#15 CQP / CAN parcel."""
        sh, p = self.pick(code, no, interior=False)
        d.sensitive(p, lu)
        self.add(sh, p, "15_sensitive", "sensitive_land_use", "warn", f"{lu} parcel: exclude from public views")

    def pii(self, code, no, where):
        """#14 owner name + CCCD in free text."""
        sh, p = self.pick(code, no, interior=False)
        info = d.pii_note(p, self.seed, where)
        self.add(sh, p, f"14_pii_{where.lower()}", "personal_data_in_text", "warn",
                 f"owner name and 12-digit CCCD inside {where}", **info)

    def wrong_ids(self, group_keys: tuple[str, ...], method: str):
        """#19 1 % of the IDs minted with a wrong datum path."""
        pool = [(s, p) for s in self.sheets if s.group.key in group_keys and s.spec.kind == "normal"
                for p in s.parcels if id(p) not in self.picker(s).used]
        n = max(1, round(0.01 * len(pool)))
        rng = rng_for(self.seed, "wrong_ids", *group_keys)
        for k in sorted(rng.choice(len(pool), size=n, replace=False).tolist()):
            sh, p = pool[k]
            self.picker(sh).mark(p)
            p.id_method = method
            how = "PROJ default (EPSG:5194 in the Mekong)" if method == "proj_default" else "no datum shift"
            self.add(sh, p, "19_id_wrong_datum", "national_id_mismatch", "warn",
                     f"MaDinhDanh minted via {how}; keep the official value", method=method)

    def encoding(self, code, no, fld, cls, severity, note, pred=None, transform=None):
        """#10 a value stored in another encoding than the file default."""
        sh, p = self.pick(code, no, interior=False, pred=pred)
        attr = {"DiaChi": "dia_chi", "TenChu": "ten_chu", "GhiChu": "ghi_chu"}[fld]
        if transform:
            setattr(p, attr, transform(getattr(p, attr)))
        p.enc[fld] = cls
        self.add(sh, p, f"10_{cls}", "encoding_uncertain", severity, note, field=fld,
                 text=unicodedata.normalize("NFC", getattr(p, attr)))
        return p
