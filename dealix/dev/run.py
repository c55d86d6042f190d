"""The Makefile's entry point: `python -m dealix.dev.run demo|test|bench|migrate|shell [args]`.

Starts the embedded servers where DATABASE_URL / REDIS_URL are unset, runs the command, and stops what
it started, on success, failure or Ctrl-C alike.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

from dealix.dev import services
from dealix.dev.i18n import compile_catalogues

BASE_DIR = services.BASE_DIR
PYTHON = sys.executable
DEMO_PASSWORD = "dealix-demo"


def manage(*args: str, check: bool = True) -> int:
    return subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, check=check).returncode


def setup_database() -> None:
    manage("setup_db")


def demo() -> int:
    started_at = time.monotonic()
    setup_database()
    manage("seed_demo")
    port = os.environ.get("DEALIX_PORT", "8000")
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "DEALIX_PUBLIC_PORT": os.environ.get("DEALIX_PUBLIC_PORT", port)}
    children = [
        subprocess.Popen([PYTHON, "manage.py", "runserver", f"0.0.0.0:{port}", "--noreload"], cwd=BASE_DIR,
                         env=env),
        # SimpleWorker runs jobs in its own process instead of forking one per job: our jobs are short and
        # idempotent, and keeping the database connection makes a send ~100 ms faster (PERFORMANCE.md).
        subprocess.Popen([PYTHON, "manage.py", "rqworker", "default", "--with-scheduler",
                          "--worker-class", "rq.worker.SimpleWorker"], cwd=BASE_DIR, env=env),
        subprocess.Popen([PYTHON, "manage.py", "clock"], cwd=BASE_DIR, env=env),
    ]
    domain = os.environ.get("DEALIX_DOMAIN", "localhost")
    roles = ("owner", "admin", "manager", "agent", "affiliate", "viewer")
    print(f"""
  Dealix is running (ready in {time.monotonic() - started_at:.1f} s). Ctrl-C stops everything.

  Public site and sign-up:  http://{domain}:{port}/
  Acme (Arabic):            http://acme.{domain}:{port}/
  Gulf Trading (English):   http://gulf-trading.{domain}:{port}/
  Platform admin:           http://{domain}:{port}/admin/   operator@dealix.test / {DEMO_PASSWORD}

  Logins on each tenant, password {DEMO_PASSWORD}:
    """ + "\n    ".join(f"{role:<10} {role}@acme.test   ({role}@gulf-trading.test)" for role in roles) + "\n",
          flush=True)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        # The web server and the clock stop at once on SIGTERM; the worker finishes its job first on SIGINT.
        server, worker, clock = children
        for child in (server, clock):
            if child.poll() is None:
                child.terminate()
        if worker.poll() is None:
            worker.send_signal(signal.SIGINT)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    return 0


def test(args: list[str]) -> int:
    env = {**os.environ}
    return subprocess.run([PYTHON, "-m", "pytest", *args], cwd=BASE_DIR, env=env).returncode


def bench(args: list[str]) -> int:
    """Benchmarks run in a database of their own, so they neither disturb nor depend on the demo."""
    os.environ["DATABASE_URL"] = services.use_database(os.environ["DATABASE_URL"], "dealix_bench")
    # A Redis database of their own too, so a running demo's worker never takes a benchmark's job.
    os.environ["REDIS_URL"] = re.sub(r"/\d+$", "", os.environ["REDIS_URL"].rstrip("/")) + "/14"
    manage("setup_db", "--verbosity", "0")
    return manage("bench", *args, check=False)


def main(argv: list[str]) -> int:
    command, args = argv[0], argv[1:]
    if command == "reset":
        services.reset_data()
        return 0
    compile_catalogues()
    (BASE_DIR / "staticfiles").mkdir(exist_ok=True)  # whitenoise serves from the finders in development
    started = services.ensure_services()
    # Ctrl-C reaches every process of the group; we stop the servers ourselves, in `finally`.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        if command == "demo":
            return demo()
        if command == "test":
            return test(args)
        if command == "bench":
            return bench(args)
        if command == "migrate":
            setup_database()
            return 0
        if command == "manage":
            return manage(*args, check=False)
        raise SystemExit(f"unknown command {command!r}")
    except KeyboardInterrupt:
        return 130
    finally:
        services.stop_services(started)
        if started.postgres or started.redis:
            print("Stopped the embedded PostgreSQL and Redis.", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
