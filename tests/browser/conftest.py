"""A real server and a real browser: `manage.py runserver` in a subprocess, serving the test database
(whose tenants and users django_db_setup committed), driven by Playwright through Debian's Chromium.

Without Chromium these tests are skipped locally; with DEALIX_REQUIRE_BROWSER=1 (CI) a missing browser
is a failure."""
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

CHROMIUM = os.environ.get("DEALIX_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM}: install Debian's chromium package"
        if os.environ.get("DEALIX_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def server(django_db_setup, django_db_blocker, chromium_path):
    """Base URL pieces of a live server on the test database: `server.url(slug, path)`."""
    database = urlsplit(os.environ["DATABASE_URL"])
    test_database_url = urlunsplit(database._replace(path="/" + connection.settings_dict["NAME"]))
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": test_database_url, "DJANGO_SETTINGS_MODULE": "dealix.settings_test",
           "PYTHONUNBUFFERED": "1"}
    log = open(ROOT / ".data" / "browser-server.log", "w")
    process = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the test server did not start; see {log.name}")
        time.sleep(0.1)

    class Server:
        def url(self, slug: str, path: str = "/") -> str:
            return f"http://{slug}.localhost:{port}{path}"

    yield Server()
    process.terminate()
    process.wait(timeout=10)
    log.close()
    _wait_for_other_sessions_to_close(django_db_blocker)


def _wait_for_other_sessions_to_close(django_db_blocker):
    """The server's connections close a moment after it exits; the test database is dropped after this."""
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid()")
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ar-SA")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
