"""EWKB written from coordinate arrays is byte-identical to shapely's, and PostGIS reads it back unchanged."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from ingest.spatial import wkb

HOLE = Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(2, 2), (4, 2), (4, 4), (2, 4)], [(6, 6), (8, 6), (7, 8)]])
GEOMS = np.array([box(0, 0, 1, 1), HOLE, MultiPolygon([box(20, 20, 21, 21), HOLE]),
                  Polygon([(0, 0, 5), (1, 0, 6), (1, 1, 7)]), box(604163.582, 1222172.54, 604244.081, 1222231.466)],
                 dtype=object)


def _shapely_ewkb(geoms: np.ndarray, srid: int) -> list[bytes]:
    """The reference: shapely's little-endian EWKB of each geometry promoted to a 2D MultiPolygon."""
    multi = [g if g.geom_type == "MultiPolygon" else MultiPolygon([g]) for g in shapely.force_2d(geoms)]
    return list(shapely.to_wkb(shapely.set_srid(np.array(multi, dtype=object), srid), include_srid=True,
                               byte_order=1))


def test_bytes_equal_shapely_for_polygons_holes_multis_and_z():
    """Polygons, holes, multipolygons and 3D input (Z dropped) give shapely's exact bytes, SRID included."""
    coords, offsets = wkb.ragged(GEOMS)
    assert wkb.Layout(offsets).write(coords, 4756).to_pylist() == _shapely_ewkb(GEOMS, 4756)


def test_single_polygon_input_and_empty_input():
    """An array of plain polygons (no multis) and an empty array both work."""
    polys = GEOMS[[0, 1, 4]]
    coords, offsets = wkb.ragged(polys)
    assert wkb.Layout(offsets).write(coords, 4326).to_pylist() == _shapely_ewkb(polys, 4326)
    coords, offsets = wkb.ragged(np.array([], dtype=object))
    assert len(wkb.Layout(offsets).write(coords, 4326)) == 0


def test_plain_polygon_path_equals_shapely_ragged_arrays():
    """Polygons only (some with holes, some 3D): the shortcut gives shapely's own ragged arrays."""
    rng = np.random.default_rng(3)
    pool = [box(0, 0, 1, 1), HOLE, Polygon([(0, 0, 5), (1, 0, 6), (1, 1, 7)]), box(5, 5, 9, 7)]
    polys = np.array([pool[i] for i in rng.integers(0, len(pool), 500)], dtype=object)
    for geoms in (polys, polys[shapely.get_num_interior_rings(polys) == 0], polys[:1]):
        coords, offsets = wkb.ragged(geoms)
        _, ref_coords, (ring_off, poly_off) = shapely.to_ragged_array(geoms, include_z=False)
        assert np.array_equal(coords, ref_coords)
        assert np.array_equal(offsets[0], ring_off) and np.array_equal(offsets[1], poly_off)
        assert np.array_equal(offsets[2], np.arange(len(geoms) + 1))
        assert wkb.Layout(offsets).write(coords, 4326).to_pylist() == _shapely_ewkb(geoms, 4326)


def test_coordinates_are_written_where_they_belong():
    """Transformed coordinates (here: shifted) land in the right rings: parsing the bytes gives the shift."""
    coords, offsets = wkb.ragged(GEOMS)
    out = wkb.Layout(offsets).write(coords + [100.0, -50.0], 4326)
    back = shapely.from_wkb(np.array(out.to_pylist(), dtype=object))
    moved = shapely.transform(shapely.force_2d(GEOMS), lambda xy: xy + [100.0, -50.0])
    assert all(shapely.equals_exact(a, b, 0) or a.equals(b) for a, b in zip(back, moved))
    assert list(shapely.get_srid(back)) == [4326] * len(GEOMS)


def test_postgis_reads_the_bytes_back(admin_conn):
    """PostGIS's binary input takes the bytes and returns them unchanged."""
    coords, offsets = wkb.ragged(GEOMS)
    for value in wkb.Layout(offsets).write(coords, 4756).to_pylist():
        got = admin_conn.execute("SELECT ST_AsEWKB(%s::bytea::geometry, 'NDR'), ST_SRID(%s::bytea::geometry)",
                                 (value, value)).fetchone()
        assert bytes(got[0]) == value and got[1] == 4756


def test_take_selects_geometries_as_ragging_them_again_would():
    """wkb.take of some geometries (any order, repeats, none, all) equals wkb.ragged of those geometries."""
    rag = wkb.ragged(GEOMS)
    for index in ([4, 0, 2], [2], [], [1, 1], list(range(len(GEOMS)))):
        index = np.array(index, dtype=np.int64)
        coords, offsets = wkb.take(rag, index)
        want_coords, want_offsets = wkb.ragged(GEOMS[index])
        assert np.array_equal(coords, want_coords[:, :2] if len(want_coords) else want_coords.reshape(0, 2))
        assert all(np.array_equal(a, b) for a, b in zip(offsets, want_offsets))
