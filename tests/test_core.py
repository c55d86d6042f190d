"""Core services: the Arabic normaliser, health, audit, cache isolation, notifications, dates."""
import datetime

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import override_settings
from django.utils import translation
from django_tenants.utils import schema_context

from dealix.core.audit import audit_create
from dealix.core.models import AuditLog, Notification
from dealix.core.phones import normalise_phone
from dealix.core.text import normalise_text
from tests.conftest import user_of


@pytest.mark.parametrize("typed, folded", [
    ("أحمد", "احمد"), ("إبراهيم", "ابراهيم"), ("آمنة", "امنه"), ("ٱلله", "الله"),
    ("مصطفى", "مصطفي"), ("فاطمة", "فاطمه"), ("مؤسسة", "موسسه"), ("هيئة", "هييه"),
    ("مُحَمَّد", "محمد"), ("ســـلام", "سلام"), ("٠٥٠١٢٣٤٥٦٧", "0501234567"), ("۱۲۳", "123"),
    ("  Ahmed   AL-Ghamdi ", "ahmed al-ghamdi"), ("", ""), (None, ""),
])
def test_the_arabic_normaliser_folds_what_people_type_differently(typed, folded):
    assert normalise_text(typed) == folded


@pytest.mark.parametrize("typed", ["0501234567", "+966 50 123 4567", "٠٥٠١٢٣٤٥٦٧", "00966501234567",
                                   "966501234567", "050-123-4567"])
def test_saudi_phone_numbers_typed_any_usual_way_become_e164(typed):
    assert normalise_phone(typed) == "+966501234567"


def test_an_invalid_phone_number_is_not_normalised():
    assert normalise_phone("12345") is None


@pytest.mark.django_db
def test_health_answers_ok_on_any_host(host_client):
    for host in ("localhost", "tenant-a.localhost", "unknown.localhost"):
        response = host_client(host).get("/health/")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "db": "ok", "redis": "ok"}


@pytest.mark.django_db
def test_health_answers_503_and_names_the_failing_part(host_client):
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = host_client("localhost").get("/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["db"] == "ok" and body["redis"].startswith("error")


@pytest.mark.django_db
def test_an_audit_row_is_rolled_back_with_the_write_it_describes(in_tenant_a, people):
    agent = user_of(people["agent"])
    connection.set_tenant(in_tenant_a)
    count_before = AuditLog.objects.count()

    with pytest.raises(RuntimeError), transaction.atomic():
        audit_create(actor=agent, instance=agent)
        raise RuntimeError("the write failed after its audit row")

    assert AuditLog.objects.count() == count_before


@pytest.mark.django_db
def test_audit_rows_cannot_be_changed_or_deleted(in_tenant_a, people):
    agent = user_of(people["agent"])
    connection.set_tenant(in_tenant_a)
    row = audit_create(actor=agent, instance=agent)

    with pytest.raises(TypeError):
        row.save()
    with pytest.raises(TypeError):
        row.delete()
    with pytest.raises(TypeError):
        AuditLog.objects.filter(pk=row.pk).delete()


@pytest.mark.django_db
def test_cache_keys_are_prefixed_with_the_tenant(tenant_a, tenant_b):
    connection.set_tenant(tenant_a)
    cache.set("greeting", "hello A")
    connection.set_tenant(tenant_b)
    assert cache.get("greeting") is None
    cache.set("greeting", "hello B")
    connection.set_tenant(tenant_a)
    assert cache.get("greeting") == "hello A"
    cache.delete("greeting")
    connection.set_tenant(tenant_b)
    cache.delete("greeting")


@pytest.mark.django_db
def test_the_notification_bell_shows_unread_notifications_and_marks_them_read(client_for, people):
    agent = user_of(people["agent"])
    with schema_context("tenant_a"):
        Notification.objects.create(user=agent, type="lead_assigned", title="New lead: Nora")
        Notification.objects.create(user=user_of(people["agent2"]), type="lead_assigned", title="Not yours")
    client = client_for(people["agent"])

    bell = client.get("/core/notifications/bell/", HTTP_HX_REQUEST="true").content.decode()
    assert "New lead: Nora" in bell and "Not yours" not in bell
    assert ">1</span>" in bell

    after = client.post("/core/notifications/read/", HTTP_HX_REQUEST="true").content.decode()
    assert ">1</span>" not in after
    with schema_context("tenant_a"):
        assert Notification.objects.get(title="New lead: Nora").is_read


def test_dates_show_the_hijri_date_beside_the_gregorian_one():
    from dealix.core.templatetags.dealix import dual_date, hijri

    moment = datetime.datetime(2026, 11, 29, 21, 30, tzinfo=datetime.timezone.utc)  # 00:30 on the 30th in Riyadh
    with translation.override("en"):
        assert hijri(moment) == "20 Jumada al-Akhirah 1448 AH"
        assert "Nov. 30, 2026" in dual_date(moment)
    with translation.override("ar"):
        assert hijri(datetime.date(2026, 11, 29)) == "19 جمادى الآخرة 1448 هـ"


def test_money_is_formatted_in_riyals_for_the_language():
    from decimal import Decimal

    from dealix.core.templatetags.dealix import sar

    with translation.override("en"):
        assert sar(Decimal("1499.50")) == "SAR\xa01,499.50"
    with translation.override("ar"):
        assert "1,499.50" in sar(Decimal("1499.50")) and "ر.س" in sar(Decimal("1499.50"))


def test_a_select_written_in_one_pass_escapes_marks_the_choice_and_keeps_groups():
    import uuid

    from dealix.core.templatetags.dealix import options
    chosen = uuid.UUID("41519f22-76e8-4a0c-af88-e4fea54804e1")

    html = options([("", "Anyone"), (str(chosen), "Reem <script>"), ("Riyadh", [("olaya", "Olaya & Malaz")])],
                   chosen)

    assert html == ('<option value="">Anyone</option>'
                    f'<option value="{chosen}" selected>Reem &lt;script&gt;</option>'
                    '<optgroup label="Riyadh"><option value="olaya">Olaya &amp; Malaz</option></optgroup>')
    assert 'selected' not in options([("1", "One")], None) and 'value="" selected' in options([("", "-")], None)
