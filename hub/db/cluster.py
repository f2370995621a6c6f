"""The embedded PostgreSQL + PostGIS cluster: private to the project, loopback and Unix socket only.

The server is the newest installed PostgreSQL major that has PostGIS (15 on Debian 12, 16 on Ubuntu 24.04, 17 on
Debian 13); an existing cluster keeps the major it was created with (its PG_VERSION).
initdb and pg_ctl refuse to run as root, so when the hub runs as root the cluster belongs to an
unprivileged OS user (HUB_DB_OS_USER, created on demand) and every server command runs as that user.
"""

from __future__ import annotations

import errno
import os
import pwd
import re
import shutil
import socket
import subprocess
from pathlib import Path

from hub.errors import ConfigError, DatabaseUnavailable, M
from hub.settings import DbSettings, db_settings, hub_home

PG_ROOT = Path("/usr/lib/postgresql")
PG_SHARE = Path("/usr/share/postgresql")
SUPERUSER = "hub"


def majors() -> list[int]:
    """Installed PostgreSQL server majors that have PostGIS, newest first (Debian/Ubuntu layout)."""
    found = []
    for d in PG_ROOT.glob("*/bin/initdb"):
        major = d.parents[1].name
        if major.isdigit() and any((PG_SHARE / major / "extension").glob("postgis.control")):
            found.append(int(major))
    return sorted(found, reverse=True)


def server_major(settings: DbSettings | None = None) -> int:
    """The major the embedded cluster runs: its PG_VERSION when it exists, else the newest with PostGIS."""
    settings = settings or db_settings()
    version_file = settings.cluster_dir / "PG_VERSION"
    try:
        text = version_file.read_text().strip()
    except OSError:
        text = ""
    if text.isdigit():
        return int(text)
    have = majors()
    if not have:
        raise ConfigError("no PostgreSQL server with PostGIS is installed: run `make install` (it installs "
                          "postgresql-NN and postgresql-NN-postgis-3 for this system's NN)")
    return have[0]


def pg_bin(tool: str) -> str:
    """Path of a server binary of the cluster's PostgreSQL major."""
    major = server_major()
    path = PG_ROOT / str(major) / "bin" / tool
    if path.exists():
        return str(path)
    raise ConfigError(f"PostgreSQL {major} tool '{tool}' not found: install postgresql-{major} and "
                      f"postgresql-{major}-postgis-3 (`make install` does it)")


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something already listens on host:port (a bind attempt, nothing is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError as exc:
            return exc.errno in (errno.EADDRINUSE, errno.EACCES)
    return False


def free_port(after: int, host: str = "127.0.0.1") -> int:
    """The first free port above `after` (a suggestion for the message; not reserved)."""
    for port in range(after + 1, min(after + 200, 65535)):
        if not port_in_use(port, host):
            return port
    return after + 1


def port_taken_error(port: int) -> DatabaseUnavailable:
    """The clear message of a port held by someone else."""
    return DatabaseUnavailable(M("db.port_taken", port=port, suggest=free_port(port)))


def _as_root() -> bool:
    """Whether this process runs as root."""
    return os.geteuid() == 0


def _ensure_os_user(name: str) -> pwd.struct_passwd:
    """Create the unprivileged cluster owner if missing (root only)."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                       check=True, capture_output=True)
        return pwd.getpwnam(name)


def _run(args: list[str], settings: DbSettings, check: bool = True) -> subprocess.CompletedProcess:
    """Run a server tool as the cluster owner."""
    if _as_root():
        args = ["runuser", "-u", settings.os_user, "--", *args]
    return subprocess.run(args, check=check, capture_output=True, text=True)


def _prepare_dirs(settings: DbSettings) -> None:
    """Create data, socket and log folders owned by the cluster owner, private (0700)."""
    home = hub_home()
    home.mkdir(parents=True, exist_ok=True)
    dirs = [settings.cluster_dir, settings.socket_dir, home / "logs"]
    owner = _ensure_os_user(settings.os_user) if _as_root() else None
    for d in dirs:
        d.mkdir(parents=True, exist_ok=True)
        if owner:
            os.chown(d, owner.pw_uid, owner.pw_gid)
        os.chmod(d, 0o700)
    if owner:  # the owner must be able to traverse every parent of the data folder
        for parent in settings.cluster_dir.resolve().parents:
            if not os.stat(parent).st_mode & 0o001:
                raise ConfigError(f"{parent} is not traversable by '{settings.os_user}'; set HUB_DB_DATA_DIR "
                                  "to a folder it can reach")


def _configure(settings: DbSettings) -> None:
    """Write the cluster's settings: loopback + private socket, scram passwords on TCP."""
    conf = settings.cluster_dir / "postgresql.auto.conf"
    lines = [
        "listen_addresses = '127.0.0.1'",
        f"port = {settings.port}",
        f"unix_socket_directories = '{settings.socket_dir}'",
        "unix_socket_permissions = 0700",
        "shared_buffers = '512MB'",
        "work_mem = '32MB'",
        "maintenance_work_mem = '512MB'",
        "max_wal_size = '4GB'",
        # A single private node: no replicas, so minimal WAL. COPY into a staging table created in the same
        # transaction (every ingest run) then skips WAL entirely; durability at commit is unchanged.
        "wal_level = 'minimal'",
        "max_wal_senders = 0",
        "max_connections = 200",
        "password_encryption = 'scram-sha-256'",
        "log_min_messages = 'warning'",
        "log_min_error_statement = 'panic'",  # statements may carry user values: keep them out of logs
    ]
    hba = settings.cluster_dir / "pg_hba.conf"
    hba_lines = [
        "# Hub-managed: the socket folder is private (0700), so 'trust' reaches only the owner and root.",
        "local all all trust",
        "host all all 127.0.0.1/32 scram-sha-256",
    ]
    for path, body in ((conf, lines), (hba, hba_lines)):
        tmp = path.with_suffix(".tmp")
        tmp.write_text("\n".join(body) + "\n")
        if _as_root():
            owner = pwd.getpwnam(settings.os_user)
            os.chown(tmp, owner.pw_uid, owner.pw_gid)
        tmp.replace(path)


def initialized(settings: DbSettings) -> bool:
    """Whether the data folder holds a cluster."""
    return (settings.cluster_dir / "PG_VERSION").exists()


def running(settings: DbSettings) -> bool:
    """Whether the embedded server is up."""
    if not initialized(settings):
        return False
    return _run([pg_bin("pg_ctl"), "status", "-D", str(settings.cluster_dir)], settings, check=False).returncode == 0


def log_file() -> Path:
    """The server log."""
    return hub_home() / "logs" / "postgresql.log"


def up(settings: DbSettings) -> bool:
    """Initialise (once) and start the cluster; returns False when it was already running."""
    if not settings.embedded:
        raise ConfigError("HUB_DATABASE_URL is set: the hub uses that server and manages no cluster")
    if not running(settings) and port_in_use(settings.port):
        raise port_taken_error(settings.port)  # before anything is created: the other server stays untouched
    _prepare_dirs(settings)
    from hub.db import guard

    guard.build()  # the role guard's library, before any session of a guarded role can need it
    if not initialized(settings):
        res = _run([pg_bin("initdb"), "-D", str(settings.cluster_dir), "-U", SUPERUSER, "--auth-local=trust",
                    "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"], settings, check=False)
        if res.returncode != 0:
            raise DatabaseUnavailable("initdb failed; see the output above", internal=res.stderr)
    _configure(settings)
    if running(settings):
        return False
    log = log_file()
    start = log.stat().st_size if log.exists() else 0
    res = _run([pg_bin("pg_ctl"), "start", "-w", "-t", "60", "-D", str(settings.cluster_dir),
                "-l", str(log)], settings, check=False)
    if res.returncode != 0:
        tail = log.read_bytes()[start:].decode("utf-8", "replace") if log.exists() else ""
        if "Address already in use" in tail or "could not bind" in tail:
            raise port_taken_error(settings.port)
        fatal = re.findall(r"(?:FATAL|PANIC|ERROR):\s*(.+)", tail)
        raise DatabaseUnavailable(M("db.start_failed", reason=fatal[-1].strip() if fatal else "pg_ctl failed",
                                    log=log), internal=res.stderr + tail[-2000:])
    return True


def down(settings: DbSettings) -> bool:
    """Stop the cluster (fast shutdown); returns False when it was not running."""
    if not running(settings):
        return False
    _run([pg_bin("pg_ctl"), "stop", "-m", "fast", "-w", "-D", str(settings.cluster_dir)], settings)
    return True


def destroy(settings: DbSettings) -> None:
    """Stop and delete the cluster's data (used by `hub db reset --yes`)."""
    down(settings)
    shutil.rmtree(settings.cluster_dir, ignore_errors=True)
