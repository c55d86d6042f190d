"""The sales workspace in a real browser, in Arabic and in English."""
import re

import pytest
from django_tenants.utils import schema_context

from tests.conftest import PASSWORD


def log_in(page, server, email, *, language="ar"):
    page.goto(server.url("tenant-a", f"/accounts/login/?lang={language}"))
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(server.url("tenant-a", "/"))


@pytest.fixture
def reset_languages(django_db_blocker):
    yield
    from django.db import connection

    from dealix.accounts.models import User
    with django_db_blocker.unblock():
        with schema_context("tenant_a"):
            User.objects.filter(email__in=["manager@a.test", "agent2@a.test"]).update(language="ar")
        connection.close()


def test_an_agent_creates_a_lead_finds_it_by_another_spelling_and_drags_its_deal(server, page, reset_languages):
    log_in(page, server, "agent2@a.test")
    page.goto(server.url("tenant-a", "/crm/leads/new/"))
    page.fill("#id_full_name", "إبراهيم المطيري")
    page.fill("#id_phone", "0551230000")
    page.fill("#id_company_name", "مؤسسة الإتقان")
    page.select_option("#id_sector", "education")
    page.get_by_test_id("save-lead").click()
    page.wait_for_url(re.compile(r".*/crm/leads/[0-9a-f-]+/$"))
    assert page.get_by_test_id("lead-status").inner_text() == "جديد"

    page.goto(server.url("tenant-a", "/crm/leads/"))
    page.get_by_test_id("list-search").fill("ابراهيم")  # typed without the hamza
    page.wait_for_selector("text=إبراهيم المطيري")
    assert page.locator("#list-table").get_by_text("إبراهيم المطيري").is_visible()

    page.locator("#list-table").get_by_text("إبراهيم المطيري").click()
    for status in ("contacted", "qualified"):
        page.select_option("#status-select", status)
        page.get_by_test_id("change-status").click()
        page.wait_for_load_state()
    page.fill("#id_deal_title", "توريد أجهزة المعهد")
    page.get_by_test_id("convert").click()
    page.wait_for_url(server.url("tenant-a", "/crm/pipeline/"))

    card = page.locator("[data-testid=deal-card]", has_text="توريد أجهزة المعهد")
    with page.expect_response(re.compile(r".*/crm/deals/.*/move/")):
        card.drag_to(page.locator("[data-stage-drop=proposal] .pipeline-cards"))
    moved = page.locator("[data-stage-drop=proposal] [data-testid=deal-card]", has_text="توريد أجهزة المعهد")
    moved.wait_for()
    assert moved.is_visible()


def test_a_manager_imports_a_csv_with_one_bad_row_and_reads_the_error_in_english(server, page, tmp_path,
                                                                                  reset_languages):
    csv_file = tmp_path / "leads.csv"
    csv_file.write_text("Name,Phone,Email\nGood Person,0552220000,good@example.sa\nBad Person,12345,\n",
                        encoding="utf-8")
    log_in(page, server, "manager@a.test")

    page.goto(server.url("tenant-a", "/crm/leads/import/?lang=en"))
    assert page.locator("html").get_attribute("dir") == "ltr"
    page.set_input_files("input[type=file]", str(csv_file))
    page.get_by_test_id("upload").click()
    page.get_by_test_id("preview").click()

    errors = page.get_by_test_id("import-errors")
    errors.wait_for()
    assert "Row 3: “12345” is not a valid phone number." in errors.inner_text()
    assert page.get_by_test_id("commit-import").is_disabled()
