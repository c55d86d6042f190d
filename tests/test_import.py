"""Importing leads from CSV and Excel, as a person does it: upload, map, preview, import."""
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from openpyxl import Workbook

from crm.models import Lead
from dealix.accounts.models import User
from dealix.core.models import AuditLog

pytestmark = pytest.mark.django_db

ARABIC_CSV = ("الاسم,الجوال,البريد الإلكتروني,الشركة,القطاع,المدينة\n"
              "أحمد الغامدي,0501234567,ahmed@example.sa,مؤسسة النخبة,الرعاية الصحية,الرياض\n"
              "سارة القحطاني,+966 55 123 4567,,شركة الأفق,retail,جدة\n"
              "فهد الشمري,٠٥٣١٢٣٤٥٦٧,fahad@example.sa,,,الدمام\n")


def upload(client, content: bytes, name="leads.csv"):
    return client.post("/crm/leads/import/", {"file": SimpleUploadedFile(name, content)})


def import_id(response) -> str:
    return re.search(r"/crm/leads/import/([0-9a-f-]+)/", response["Location"]).group(1)


def leads_named(*names):
    with schema_context("tenant_a"):
        return {lead.full_name: lead for lead in Lead.objects.filter(full_name__in=names)}


def run_import(client, content: bytes, name="leads.csv", **mapping_overrides):
    response = upload(client, content, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    pk = import_id(response)
    page = client.get(f"/crm/leads/import/{pk}/")
    mapping = {f"map_{field}": str(index) for field, index in page.context["lead_import"].mapping.items()}
    mapping.update(mapping_overrides)
    preview = client.post(f"/crm/leads/import/{pk}/", {**mapping, "duplicate_mode": mapping_overrides.pop(
        "duplicate_mode", "skip")}, follow=True)
    return pk, preview


def test_an_arabic_utf8_csv_is_mapped_checked_and_imported(client_for, people):
    client = client_for(people["agent"], language="en")

    pk, preview = run_import(client, ARABIC_CSV.encode("utf-8"))
    assert "3 rows are ready, 0 have errors" in preview.content.decode()
    response = client.post(f"/crm/leads/import/{pk}/commit/", follow=True)

    assert "Imported: 3 new leads" in response.content.decode()
    leads = leads_named("أحمد الغامدي", "سارة القحطاني", "فهد الشمري")
    assert leads["أحمد الغامدي"].phone == "+966501234567" and leads["أحمد الغامدي"].sector == "healthcare"
    assert leads["سارة القحطاني"].phone == "+966551234567" and leads["سارة القحطاني"].sector == "retail"
    assert leads["فهد الشمري"].phone == "+966531234567"
    assert all(lead.source == "import" and lead.assigned_to.email == "agent@a.test" for lead in leads.values())
    assert leads["أحمد الغامدي"].score == 25  # industry fit only
    with schema_context("tenant_a"):
        assert AuditLog.objects.filter(entity_id=leads["فهد الشمري"].pk, action="create").exists()
        assert Lead.objects.filter(search_text__contains="احمد").exists()


def test_a_windows_1256_csv_from_arabic_excel_imports_correctly(client_for, people):
    client = client_for(people["agent"])

    pk, _preview = run_import(client, ARABIC_CSV.replace("٠٥٣١٢٣٤٥٦٧", "0531234567").encode("cp1256"))
    client.post(f"/crm/leads/import/{pk}/commit/")

    assert set(leads_named("أحمد الغامدي", "سارة القحطاني", "فهد الشمري")) == {
        "أحمد الغامدي", "سارة القحطاني", "فهد الشمري"}


def test_an_xlsx_file_imports(client_for, people):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Mobile", "Email", "City"])
    sheet.append(["Layla Haddad", "0549876543", "layla@example.sa", "Khobar"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    client = client_for(people["agent"])

    pk, _preview = run_import(client, buffer.getvalue(), name="leads.xlsx")
    client.post(f"/crm/leads/import/{pk}/commit/")

    assert leads_named("Layla Haddad")["Layla Haddad"].phone == "+966549876543"


def test_a_bad_row_in_the_middle_is_reported_and_nothing_is_imported(client_for, people):
    csv_text = ("name,phone,email\n"
                "Good One,0501111111,\n"
                "Bad Phone,12345,\n"
                "No Contact,,\n"
                + ("X" * 10000) + ",0502222222,\n"
                "Good Two,0503333333,two@example.sa\n")
    client = client_for(people["agent"], language="en")

    pk, preview = run_import(client, csv_text.encode())
    page = preview.content.decode()
    response = client.post(f"/crm/leads/import/{pk}/commit/", follow=True)

    assert "2 rows are ready, 3 have errors" in page
    assert "Row 3: “12345” is not a valid phone number." in page
    assert "Row 4: Give at least a phone number or an email." in page
    assert "Row 5: The name is longer than 255 characters." in page
    assert "Nothing was imported: 3 rows have errors" in response.content.decode()
    assert leads_named("Good One", "Good Two") == {}



@pytest.mark.parametrize("bad_rows, ready, refused", [
    (1, "صفّان جاهزان، و1 فيها أخطاء", "لم يُستورد أي شيء: في صف واحد أخطاء."),
    (3, "صفّان جاهزان، و3 فيها أخطاء", "لم يُستورد أي شيء: في 3 صفوف أخطاء."),
    (11, "صفّان جاهزان، و11 فيها أخطاء", "لم يُستورد أي شيء: في 11 صفًا أخطاء."),
])
def test_the_arabic_preview_and_refusal_count_the_rows_with_the_right_plural(client_for, people, bad_rows, ready,
                                                                            refused):
    csv_text = ("name,phone,email\nGood One,0501111111,\n"
                + "".join(f"Bad {number},12345,\n" for number in range(bad_rows))
                + "Good Two,0503333333,two@example.sa\n")
    client = client_for(people["agent"], language="ar")

    pk, preview = run_import(client, csv_text.encode())
    response = client.post(f"/crm/leads/import/{pk}/commit/", follow=True)

    assert ready in preview.content.decode()
    assert refused in response.content.decode()


def test_the_arabic_summary_counts_the_new_leads_with_the_right_plural(client_for, people):
    client = client_for(people["agent"], language="ar")

    pk, preview = run_import(client, ARABIC_CSV.encode("utf-8"))
    assert "3 صفوف جاهزة، و0 فيها أخطاء" in preview.content.decode()
    response = client.post(f"/crm/leads/import/{pk}/commit/", follow=True)

    listed = response.content.decode()
    assert "تم الاستيراد: عدد العملاء المحتملين الجدد 3، ودُمج 0، وعدد المكررات المتجاوَزة 0." in listed
    page = client.get(f"/crm/leads/import/{pk}/").content.decode()
    assert "تم الاستيراد: 3 عملاء محتملين جدد، ودُمج 0، وعدد المكررات المتجاوَزة 0." in page

@pytest.mark.parametrize("mode, expected_leads, expected_email", [
    ("skip", 1, ""), ("merge", 1, "merged@example.sa"), ("create", 2, "")])
def test_duplicates_are_skipped_merged_or_created_as_chosen(client_for, people, mode, expected_leads, expected_email):
    with schema_context("tenant_a"):
        Lead.objects.create(full_name="Existing Person", phone="+966504444444",
                            assigned_to=User.objects.get(email="agent@a.test"))
    client = client_for(people["agent"])

    pk, _preview = run_import(client, b"name,phone,email\nExisting Again,0504444444,merged@example.sa\n",
                              duplicate_mode=mode)
    client.post(f"/crm/leads/import/{pk}/commit/")

    with schema_context("tenant_a"):
        matching = Lead.objects.filter(phone="+966504444444")
        assert matching.count() == expected_leads
        assert Lead.objects.get(full_name="Existing Person").email == expected_email


def test_a_row_repeating_an_earlier_row_of_the_file_is_a_duplicate(client_for, people):
    client = client_for(people["agent"], language="en")

    pk, preview = run_import(client, b"name,phone\nFirst,0505555555\nSecond,+966505555555\n")
    client.post(f"/crm/leads/import/{pk}/commit/")

    assert "1 match existing leads or earlier rows" in preview.content.decode()
    assert set(leads_named("First", "Second")) == {"First"}


def test_a_file_over_the_size_limit_is_refused_with_a_message(client_for, people):
    huge = b"name,phone\n" + b"x" * (16 * 1024 * 1024)

    response = upload(client_for(people["agent"], language="en"), huge)

    assert response.status_code == 200
    assert "The file is larger than 15 MB" in response.content.decode()


@pytest.mark.parametrize("content, name", [(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "photo.png"),
                                           (b"PK\x03\x04not really a workbook", "fake.xlsx")])
def test_a_file_that_is_not_a_table_is_refused_with_a_message(client_for, people, content, name):
    response = upload(client_for(people["agent"], language="en"), content, name)

    assert "This file is not a CSV or Excel file." in response.content.decode()


def test_the_mapping_must_name_the_name_column(client_for, people):
    client = client_for(people["agent"], language="en")
    pk = import_id(upload(client, b"a,b\nx,0501234567\n"))

    response = client.post(f"/crm/leads/import/{pk}/", {"map_phone": "1"})

    assert "Choose the column that holds the name." in response.content.decode()


def test_someone_elses_import_is_a_404(client_for, people):
    pk = import_id(upload(client_for(people["agent"]), ARABIC_CSV.encode()))

    assert client_for(people["agent2"]).get(f"/crm/leads/import/{pk}/").status_code == 404
    assert client_for(people["agent2"]).post(f"/crm/leads/import/{pk}/commit/").status_code == 404


def test_importing_twice_does_not_create_twice(client_for, people):
    client = client_for(people["agent"])
    pk, _preview = run_import(client, ARABIC_CSV.encode())

    client.post(f"/crm/leads/import/{pk}/commit/")
    client.post(f"/crm/leads/import/{pk}/commit/")

    with schema_context("tenant_a"):
        assert Lead.objects.filter(full_name="أحمد الغامدي").count() == 1
