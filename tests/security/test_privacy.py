"""Privacy regressions against the real PostGIS (security cases P04 and P05).

P04: a role that may create functions cannot read hidden (is_sensitive: CQP/CAN/CQA) rows through the public
view with a cheap leaky function: the pub views are security_barrier. A control view without the barrier shows
the same probe does leak, so the test can fail. P05: failing ingests, flagged ingests and API-like queries leave
no owner name (personal data) in the hub's log files or the PostgreSQL log.
"""

from __future__ import annotations

import os
import re
import unicodedata

import psycopg
import pytest
from psycopg import sql

from hub.db.cluster import log_file
from hub.db.connect import connect, conninfo
from hub.settings import hub_home
from hub.text import vni_encode
from ingest.core.run import Options, run_ingest
from tests.ingest.conftest import parcels, write_shp
from tests.ingest.faultkit import hub

DS = "cadastre_cantho"
OWNER = "Lạc Thị Diễm Kiều"  # a name no other test uses
OWNER_ID = "079186004321"


@pytest.fixture(scope="module")
def sensitive_published(hub_db, tmp_path_factory):
    """cadastre_cantho published with CQP parcels (hidden from pub); returns (visible ids, hidden ids)."""
    path = write_shp(tmp_path_factory.mktemp("p04") / "p04" / "p04.shp", parcels(16, owner=OWNER, y0=1140000))
    run_ingest(DS, [path.parent], Options(force=True))
    with connect("admin", hub_db) as conn:
        rows = conn.execute("SELECT parcel_key, is_sensitive FROM cadastre.cadastre_cantho UNION ALL "
                            "SELECT parcel_key, is_sensitive FROM restricted.cadastre_cantho_sensitive").fetchall()
    hidden = {k for k, s in rows if s}
    assert len(hidden) == 2  # CODES[7] = CQP, rows 8 and 16
    return {k for k, s in rows if not s}, hidden


@pytest.fixture()
def prober(hub_db):
    """A role with CREATE on a scratch schema and SELECT on the pub view only; yields (conn, notices, schema)."""
    role, schema = f"hub_p04_probe_{os.getpid()}", f"p04_scratch_{os.getpid()}"
    admin = psycopg.connect(conninfo("admin", hub_db), autocommit=True)
    admin.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
    admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    admin.execute(sql.SQL("GRANT USAGE, CREATE ON SCHEMA {} TO {}").format(sql.Identifier(schema),
                                                                          sql.Identifier(role)))
    admin.execute(sql.SQL("GRANT USAGE ON SCHEMA pub TO {}").format(sql.Identifier(role)))
    admin.execute(sql.SQL("GRANT SELECT ON pub.cadastre_cantho TO {}").format(sql.Identifier(role)))
    conn = psycopg.connect(conninfo("admin", hub_db), autocommit=True)
    notices: list[str] = []
    conn.add_notice_handler(lambda d: notices.append(d.message_primary))
    conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
    assert conn.execute("SELECT current_user").fetchone()[0] == role
    yield conn, notices, schema, admin, role
    conn.close()
    admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
    admin.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
    admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
    admin.close()


def _leak_function(conn, schema: str) -> None:
    """A cheap, non-leakproof function that prints its arguments."""
    conn.execute(sql.SQL(
        "CREATE FUNCTION {}.leak(VARIADIC v text[]) RETURNS boolean LANGUAGE plpgsql COST 0.0000001 AS "
        "$$BEGIN RAISE NOTICE 'leak:%', array_to_string(v, '|'); RETURN true; END$$").format(sql.Identifier(schema)))


def _probe(conn, schema: str, relation: sql.Composable) -> None:
    """Query a relation with the leaky function in WHERE, in a few shapes the planner treats differently."""
    fn = sql.Identifier(schema, "leak")
    for where in (sql.SQL("{}(id)").format(fn),
                  sql.SQL("{}(id, address, land_use_codes) AND sheet_no > 0").format(fn),
                  sql.SQL("{}(id::text) OR id = 'none'").format(fn)):
        conn.execute(sql.SQL("SELECT count(*) FROM {} WHERE {}").format(relation, where)).fetchone()


def test_p04_pub_views_have_no_row_filter(sensitive_published, admin_conn, hub_db):
    """Every published view is a pure projection of a core table that holds no hidden row: nothing to leak.
    The hidden rows live in restricted.<id>_sensitive, which neither the API nor analysts can read."""
    _, hidden = sensitive_published
    views = [r[0] for r in admin_conn.execute("SELECT view_name FROM meta.published_collection")]
    assert "pub.cadastre_cantho" in views
    for view in views:
        definition = admin_conn.execute("SELECT pg_get_viewdef(%s::regclass)", (view,)).fetchone()[0]
        assert " WHERE " not in definition.upper(), (view, definition)
    in_core = admin_conn.execute("SELECT count(*) FROM cadastre.cadastre_cantho WHERE parcel_key = ANY(%s)",
                                 (list(hidden),)).fetchone()[0]
    assert in_core == 0
    for role in ("api", "analyst"):
        with psycopg.connect(conninfo(role, hub_db, tcp=True), autocommit=True) as conn:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("SELECT count(*) FROM restricted.cadastre_cantho_sensitive")


def test_p04_leaky_function_sees_no_hidden_row(sensitive_published, prober):
    """A RAISE NOTICE function with a tiny COST in WHERE on the pub view prints visible rows only."""
    visible, hidden = sensitive_published
    conn, notices, schema, _, _ = prober
    _leak_function(conn, schema)
    _probe(conn, schema, sql.Identifier("pub", "cadastre_cantho"))
    printed = " ".join(notices)
    assert notices and all(k in printed for k in visible), "the probe function did not run"
    assert not [k for k in hidden if re.search(rf"(^|[|:\s]){re.escape(k)}($|[|\s])", printed)], notices
    # and the role really has nothing else
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT count(*) FROM cadastre.cadastre_cantho")


def test_p04_control_without_barrier_does_leak(sensitive_published, prober):
    """Control: the probe does catch a leak. Two twin views over core + hidden rows filter with a costed operator
    (`coalesce(is_sensitive::int, 0) = 0`, so the planner would run the cheaper leaky function first);
    without security_barrier the hidden rows reach the notices, with it they do not. This is why the hub keeps
    hidden rows out of the tables behind pub views instead of filtering them in the view."""
    _, hidden = sensitive_published
    conn, notices, schema, admin, role = prober
    body = ("SELECT parcel_key AS id, address, land_use_codes, sheet_no FROM (SELECT * FROM cadastre.cadastre_cantho "
            "UNION ALL SELECT * FROM restricted.cadastre_cantho_sensitive) t WHERE coalesce(is_sensitive::int, 0) = 0")
    for name, opts in (("no_barrier", ""), ("with_barrier", " WITH (security_barrier)")):
        admin.execute(sql.SQL("CREATE VIEW {}{} AS {}").format(sql.Identifier(schema, name), sql.SQL(opts),
                                                               sql.SQL(body)))
        admin.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(sql.Identifier(schema, name), sql.Identifier(role)))
    _leak_function(conn, schema)
    _probe(conn, schema, sql.Identifier(schema, "with_barrier"))
    assert notices and not any(k in " ".join(notices) for k in hidden), notices
    notices.clear()
    _probe(conn, schema, sql.Identifier(schema, "no_barrier"))
    assert any(k in " ".join(notices) for k in hidden), notices


# --- P05 -------------------------------------------------------------------------------------------------------

def _needles() -> list[str]:
    """The owner name and ID as they could reach a log: NFC, NFD, VNI bytes as Latin-1, bare ID."""
    return [OWNER, unicodedata.normalize("NFD", OWNER), vni_encode(OWNER), "Diễm Kiều", OWNER_ID]


def _logs() -> dict[str, str]:
    """Every hub log file and the PostgreSQL server log, as text."""
    files = {p for p in (hub_home() / "logs").glob("*.log")} | {log_file()}
    return {str(p): p.read_bytes().decode("utf-8", errors="replace") for p in files if p.exists()}


def _sizes() -> dict[str, int]:
    """Current size of each log file."""
    return {k: len(v) for k, v in _logs().items()}


def test_p05_no_owner_names_in_logs(sensitive_published, hub_db, admin_conn, tmp_path):
    """Failing runs (CRS error, publish rolled back by a leftover view, rows quarantined), a flagged run and
    API-like reads (a filter naming the owner, a read of a restricted table, a cancelled statement carrying the
    owner as a literal) write errors to the logs, and none of those lines holds the owner's name or ID."""
    sizes = _sizes()
    rows = parcels(12, owner=OWNER, y0=1150000)
    for r in rows:
        r["SoCCCD"] = OWNER_ID
        r["GhiChu"] = vni_encode(f"chủ {OWNER} đã ký")     # personal data in a free-text column
    rows[0]["MaXa"] = None                                 # quarantined with the owner's raw row
    no_prj = write_shp(tmp_path / "noprj" / "noprj.shp", rows, epsg=None)
    ok = write_shp(tmp_path / "ok" / "ok.shp", rows)
    outputs = [hub("ingest", DS, no_prj.parent)]           # CRS error (exit 7)
    assert outputs[-1].code == 7
    admin_conn.execute("CREATE VIEW public.p05_leftover AS SELECT * FROM cadastre.cadastre_cantho")
    try:
        outputs.append(hub("ingest", DS, ok.parent, "--force"))  # publish fails inside the transaction
    finally:
        admin_conn.execute("DROP VIEW public.p05_leftover")
    assert outputs[-1].code not in (0, 7)
    outputs.append(hub("ingest", DS, ok.parent, "--force", "--encoding", "tcvn3"))  # VNI declared TCVN3
    assert outputs[-1].code == 0
    with psycopg.connect(conninfo("api", hub_db, tcp=True), autocommit=True) as api:
        api.execute("SELECT count(*) FROM pub.cadastre_cantho WHERE address = %s OR id LIKE %s",
                    (OWNER, f"%{OWNER}%")).fetchone()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            api.execute("SELECT owner_name FROM restricted.cadastre_cantho_personal WHERE owner_name = %s", (OWNER,))
        api.execute("SET statement_timeout = 50")
        with pytest.raises(psycopg.errors.QueryCanceled):
            api.execute(f"SELECT pg_sleep(1) FROM pub.cadastre_cantho WHERE address <> '{OWNER}' LIMIT 1")
    logs = _logs()
    grew = {k for k, v in logs.items() if len(v) > sizes.get(k, 0)}
    assert str(log_file()) in grew, "the PostgreSQL log recorded nothing: the probe proves nothing"
    assert str(hub_home() / "logs" / "hub.log") in grew, "hub.log recorded nothing: the probe proves nothing"
    assert "statement timeout" in logs[str(log_file())][sizes.get(str(log_file()), 0):]
    leaks = {(path, n) for path, text in logs.items() for n in _needles() if n in text}
    assert not leaks, leaks
    for out in outputs:
        assert not [n for n in _needles() if n in out.stdout + out.stderr], out
