"""`hub db`: the embedded PostGIS cluster (or an existing one via HUB_DATABASE_URL) and its migrations."""

from __future__ import annotations

import os
import shutil

import click
from psycopg import sql

from hub.cli.options import emit_json, info, json_option
from hub.db import cluster
from hub.db.connect import ROLE_NAMES, connect, conninfo, database_name
from hub.db.migrate import applied, available, migrate
from hub.errors import ConfigError, HubError, M
from hub.settings import db_settings


@click.group()
def db() -> None:
    """Manage the hub database.

    \b
    By default the hub runs a private PostgreSQL + PostGIS cluster in .hub/pg (the newest installed
    major with PostGIS: 15 on Debian 12, 16 on Ubuntu 24.04, 17 on Debian 13), reachable only on
    127.0.0.1:HUB_DB_PORT (default 55432) and a private Unix socket. A second copy of the hub, or another
    PostgreSQL on that port, needs its own port: HUB_DB_PORT=55433 hub db up (or make demo HUB_DB_PORT=55433).
    Set HUB_DATABASE_URL to use an existing PostGIS instead: every command then uses that server and
    `up`/`down` only apply migrations.

    \b
    Example:
      hub db up && hub db status
      hub db psql --role api -c "SELECT count(*) FROM pub.land_use_codes"
    """


def ensure_database() -> bool:
    """Create the hub database in the embedded cluster if missing; True when created."""
    name = database_name()
    with connect("admin", dbname="postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(name)))
    return True


@db.command()
def up() -> None:
    """Start the embedded cluster (once), create the database and apply pending migrations.

    Running it twice is a no-op. Example: `hub db up`
    """
    s = db_settings()
    if s.embedded:
        started = cluster.up(s)
        info(M.text("db.started" if started else "db.already_running", port=s.port))
        if ensure_database():
            info(M.text("db.created", name=database_name()))
    done = migrate()
    info(M.text("db.migrated", count=len(done)) if done else M.text("db.up_to_date"))


@db.command()
def down() -> None:
    """Stop the embedded cluster (data is kept). Example: `hub db down`"""
    s = db_settings()
    if not s.embedded:
        raise ConfigError("HUB_DATABASE_URL is set: the hub does not manage that server")
    info(M.text("db.stopped") if cluster.down(s) else M.text("db.was_not_running"))


@db.command(name="migrate")
def migrate_cmd() -> None:
    """Apply pending migrations only. Example: `hub db migrate`"""
    done = migrate()
    info(M.text("db.migrated", count=len(done)) if done else M.text("db.up_to_date"))


@db.command()
@json_option
def status(as_json: bool) -> None:
    """Print server, PostGIS and schema versions. Example: `hub db status --json`"""
    s = db_settings()
    out: dict = {"mode": "embedded" if s.embedded else "external", "database": database_name()}
    if s.embedded:
        out["data_dir"] = str(s.cluster_dir)
        out["port"] = s.port
        out["postgresql_major"] = cluster.server_major(s)
        out["running"] = cluster.running(s)
    with connect("admin") as conn:
        out["server_version"] = conn.execute("SHOW server_version").fetchone()[0]
        out["postgis_version"] = conn.execute("SELECT postgis_full_version()").fetchone()[0].split('"')[1]
        out["proj_version"] = conn.execute("SELECT postgis_proj_version()").fetchone()[0]
        have = applied(conn)
    out["role_guard"] = _guard_state()
    latest = max((m.version for m in available()), default=0)
    out["schema_version"] = max(have, default=0)
    out["schema_latest"] = latest
    out["pending_migrations"] = sorted(m.path.name for m in available() if m.version not in have)
    if as_json:
        emit_json(out)
        return
    for key, value in out.items():
        click.echo(f"{key:>20}: {value}")


def _guard_state() -> str:
    """Whether hub_api sessions run under hub_guard (issue 16 item 10), as the role itself sees it."""
    from hub.db import guard

    try:
        with connect("api") as api:
            return "active" if guard.active(api) else "not installed (SQL-level hardening only)"
    except HubError:
        return "unknown (hub_api cannot connect)"


@db.command()
@click.option("--role", type=click.Choice(["admin", *ROLE_NAMES]), default="admin", show_default=True)
@click.option("--tcp", is_flag=True, help="127.0.0.1 with password instead of the private socket.")
def url(role: str, tcp: bool) -> None:
    """Print the libpq connection string of a role (contains a password for non-admin roles).

    Example (QGIS, psql): `psql "$(hub db url --role analyst --tcp)"`
    """
    click.echo(conninfo(role, tcp=tcp))


@db.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.option("--role", type=click.Choice(["admin", *ROLE_NAMES]), default="admin", show_default=True)
@click.pass_context
def psql(ctx: click.Context, role: str) -> None:
    """Open psql as a role; extra arguments go to psql.

    Example: `hub db psql --role api -c "SELECT * FROM restricted.quarantine"` (denied, as it should be)
    """
    exe = shutil.which("psql")
    if not exe:
        raise ConfigError("psql is not installed (apt-get install postgresql-client)")
    os.execv(exe, [exe, conninfo(role), *ctx.args])


@db.command()
@click.option("--yes", is_flag=True, help="Confirm: delete every table and loaded dataset.")
def reset(yes: bool) -> None:
    """Delete the embedded cluster's data (asks for --yes). Example: `hub db reset --yes && hub db up`"""
    s = db_settings()
    if not s.embedded:
        raise ConfigError("HUB_DATABASE_URL is set: drop that database yourself")
    if not yes:
        raise click.UsageError("refusing without --yes")
    cluster.destroy(s)
    info("embedded cluster deleted")
