"""The bilingual shell as a person uses it, in a real browser."""
import pytest
from playwright.sync_api import expect
from django_tenants.utils import schema_context

from tests.conftest import PASSWORD


@pytest.fixture
def restore_agent_language(django_db_blocker):
    """The server commits the agent's language switch; put it back for the tests that follow."""
    yield
    from django.db import connection

    from dealix.accounts.models import User
    with django_db_blocker.unblock():
        with schema_context("tenant_a"):
            User.objects.filter(email="agent@a.test").update(language="ar")
        # Playwright's greenlet gets a connection of its own; close it so the test database can be dropped.
        connection.close()


def test_an_agent_logs_in_in_arabic_switches_to_english_and_logs_out(server, page, restore_agent_language):
    page.goto(server.url("tenant-a", "/"))

    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    page.get_by_label("البريد الإلكتروني").fill("agent@a.test")
    page.get_by_label("كلمة المرور").fill(PASSWORD)
    page.get_by_role("button", name="تسجيل الدخول").click()

    page.wait_for_url(server.url("tenant-a", "/"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("أهلًا")
    assert page.locator("html").get_attribute("dir") == "rtl"

    page.get_by_test_id("switch-language").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")

    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    page.wait_for_url("**/accounts/login/")
    assert page.get_by_role("button", name="Log in").is_visible()


def test_the_shell_fits_a_phone_screen_without_sideways_scrolling(server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ar-SA")
    page = context.new_page()
    page.goto(server.url("tenant-a", "/accounts/login/"))
    page.get_by_label("البريد الإلكتروني").fill("manager@a.test")
    page.get_by_label("كلمة المرور").fill(PASSWORD)
    page.get_by_role("button", name="تسجيل الدخول").click()
    page.wait_for_url(server.url("tenant-a", "/"))

    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="القائمة").click()
    assert page.get_by_role("link", name="إدارة العملاء").first.is_visible()
    context.close()


def test_the_notification_bell_loads_through_htmx(server, page):
    page.goto(server.url("tenant-a", "/accounts/login/"))
    page.get_by_label("البريد الإلكتروني").fill("owner@a.test")
    page.get_by_label("كلمة المرور").fill(PASSWORD)
    page.get_by_role("button", name="تسجيل الدخول").click()
    page.wait_for_url(server.url("tenant-a", "/"))

    with page.expect_response("**/core/notifications/bell/"):
        page.reload()
    # Wait for htmx to finish swapping and settling the bell: a click on the outgoing copy opens nothing.
    for _poll in range(100):
        if not page.evaluate("() => !!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"):
            break
        page.wait_for_timeout(50)
    bell = page.get_by_test_id("notification-bell")
    bell.click()
    expect(bell).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".notification-menu")).to_contain_text("لا توجد لديك إشعارات.")
