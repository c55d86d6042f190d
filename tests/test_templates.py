"""Message templates: the standard set every tenant starts with, checking and filling `{variables}`, and
the pages where managers write them and everyone else reads them."""
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django_tenants.utils import schema_context

from crm import templating
from crm.models import Template
from crm.standard_templates import STANDARD_TEMPLATES, ensure_standard_templates, template_rows
from crm.template_services import template_create, template_set_active, template_update
from dealix.core.models import AuditLog
from tests.conftest import user_of
from tests.factories import CompanyFactory, ContactFactory, LeadFactory, TemplateFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """The service-level checks below read their messages in English; pages choose their own language."""
    from django.utils import translation
    with translation.override("en"):
        yield

PROMISED = {  # key -> the channel types the product promises for it
    "cold_whatsapp_opener": {"whatsapp"}, "warm_whatsapp_follow_up": {"whatsapp"}, "call_opener": {"voice"},
    "meeting_confirmation": {"whatsapp", "email"}, "no_show_recovery": {"whatsapp"},
    "proposal_follow_up": {"whatsapp", "email"}, "affiliate_invite": {"email"}, "affiliate_acceptance": {"email"},
    "affiliate_rejection": {"email"}, "affiliate_promotion": {"email"}, "hr_escalation": {"email"},
    "guarantee_explanation": {"email"}, "complaint_acknowledgment": {"email"},
    "privacy_request_acknowledgment": {"email"}, "opt_out_confirmation": {"whatsapp", "email", "sms"},
    "welcome": {"whatsapp", "email", "sms"}, "no_response_follow_up": {"whatsapp", "email"},
    "meeting_reminder": {"whatsapp", "email"}, "meeting_rescheduled": {"whatsapp", "email"},
    "meeting_cancelled": {"whatsapp", "email"}, "meeting_invitation": {"whatsapp", "email"},
}
ROWS = template_rows()


def as_template(**fields):
    return SimpleNamespace(**{"name": "t", "key": "", "type": "whatsapp", "subject": "", **fields})


# --- the standard set -------------------------------------------------------------------------------

def test_a_freshly_created_tenant_has_every_standard_template_in_arabic_and_english():
    from dealix.tenancy.services import tenant_create
    tenant_create(actor=None, name="Fresh Co", slug="fresh-co", owner_email="o@fresh.test",
                  owner_full_name="O", owner_password="whatever-long-enough")

    with schema_context("fresh_co"):
        present = {(t.key, t.type, t.language): t for t in Template.objects.exclude(key="")}

    for key, types in PROMISED.items():
        for kind in types:
            for language in ("ar", "en"):
                template = present.get((key, kind, language))
                assert template is not None, (key, kind, language)
                assert template.is_active
                assert template.approved == (kind == "whatsapp")
                assert (kind != "whatsapp") or template.provider_name.startswith("dealix_")
    assert {(row["key"], row["type"], row["language"]) for row in ROWS} <= set(present)


def test_a_tenants_untouched_standard_templates_read_as_the_current_standard_texts(in_tenant_a):
    """The seeding migration keeps a frozen copy; later rewordings ship as migrations of their own
    (crm.0012 for «إحالة»). Together they must give every tenant today's texts."""
    present = {(t.key, t.type, t.language): t for t in Template.objects.exclude(key="")}

    for row in ROWS:
        template = present[(row["key"], row["type"], row["language"])]
        assert (template.subject, template.body) == (row["subject"], row["body"]), (row["key"], row["language"])
    acceptance = present[("affiliate_acceptance", "email", "ar")].body
    assert "رمز الإحالة الخاص بكم" in acceptance and "ترشيح" not in acceptance


def test_the_arabic_copy_of_each_template_is_written_in_arabic_and_named_in_arabic(in_tenant_a):
    for template in Template.objects.filter(key__in=list(PROMISED)):
        is_arabic = templating.guess_language(template.name + template.body) == "ar"
        assert is_arabic == (template.language == "ar"), template


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row['key']}-{row['type']}-{row['language']}")
def test_every_standard_template_validates_and_renders_with_sample_values(in_tenant_a, row):
    templating.validate_template(type=row["type"], subject=row["subject"], body=row["body"],
                                 language=row["language"])

    rendered = templating.render(as_template(**row), templating.sample_context(row["language"]))

    assert "{" not in rendered.body + rendered.subject and "}" not in rendered.body + rendered.subject
    assert rendered.body.strip()
    assert set(templating.variables_in(row["subject"] + row["body"])) <= set(templating.VARIABLES)


def test_no_standard_sms_carries_a_link_even_once_filled_in(in_tenant_a):
    sms = [row for row in ROWS if row["type"] == "sms"]

    assert sms
    for row in sms:
        rendered = templating.render(as_template(**row), templating.sample_context(row["language"]))
        assert not templating.has_link(rendered.body), row["key"]
        assert templating.sms_segments(rendered.body) <= 2, row["key"]


def test_the_standard_texts_quote_the_tenants_rules_not_fixed_numbers(in_tenant_a):
    in_tenant_a.settings = {**(in_tenant_a.settings or {}), "rules": {"guarantee_days": 45, "dsr_fulfil_days": 20}}
    guarantee = Template.objects.get(key="guarantee_explanation", language="en")

    rendered = templating.render(guarantee, templating.context_for(tenant=in_tenant_a, extra={
        "contact_name": "Noura", "agent_name": "Khalid"}))

    assert "45 days" in rendered.body and "45-day" in rendered.subject
    assert "30" not in rendered.body


@pytest.mark.parametrize("days, arabic, english", [(30, "بعد 30 يومًا من تاريخ", "again 30 days from"),
                                                  (7, "بعد 7 أيام من تاريخ", "again 7 days from"),
                                                  (2, "بعد يومين من تاريخ", "again 2 days from"),
                                                  (1, "بعد يوم واحد من تاريخ", "again 1 day from"),
                                                  (100, "بعد 100 يوم من تاريخ", "again 100 days from")])
def test_a_rule_number_reads_right_in_arabic_whatever_the_owner_sets_it_to(in_tenant_a, days, arabic, english):
    in_tenant_a.settings = {**(in_tenant_a.settings or {}), "rules": {"reapply_after_days": days,
                                                                      "complaint_ack_hours": 1}}
    extra = {"affiliate_name": "Reem", "reason": "the sector is not covered yet", "contact_name": "Reem",
             "ticket_id": "C-1"}
    context = templating.context_for(tenant=in_tenant_a, extra=extra)

    rejection_ar = templating.render(Template.objects.get(key="affiliate_rejection", language="ar"), context)
    rejection_en = templating.render(Template.objects.get(key="affiliate_rejection", language="en"), context)
    complaint_ar = templating.render(Template.objects.get(key="complaint_acknowledgment", language="ar"), context)

    assert arabic in rejection_ar.body and english in rejection_en.body
    assert "خلال ساعة واحدة لمتابعتها" in complaint_ar.body


def test_ensuring_the_standard_templates_recreates_only_the_missing_ones(in_tenant_a):
    edited = Template.objects.get(key="welcome", type="sms", language="ar")
    Template.objects.filter(pk=edited.pk).update(body="نص عدّله المدير {contact_name}")
    Template.objects.filter(key="welcome", type="whatsapp", language="en").delete()

    created = ensure_standard_templates()

    assert [(t.key, t.type, t.language) for t in created] == [("welcome", "whatsapp", "en")]
    assert Template.objects.get(pk=edited.pk).body == "نص عدّله المدير {contact_name}"
    assert ensure_standard_templates() == []


def test_the_standard_template_falls_back_to_the_other_language_and_skips_inactive_ones(in_tenant_a):
    assert templating.standard_template("welcome", "email", "en").language == "en"
    Template.objects.filter(key="welcome", type="email", language="en").update(is_active=False)

    assert templating.standard_template("welcome", "email", "en").language == "ar"
    Template.objects.filter(key="welcome", type="email").update(is_active=False)
    assert templating.standard_template("welcome", "email", "en") is None


def test_every_key_in_the_module_is_a_promised_or_operational_one():
    assert {spec["key"] for spec in STANDARD_TEMPLATES} == set(PROMISED)


# --- checking and filling ---------------------------------------------------------------------------

def test_variables_are_listed_once_in_order_of_first_appearance():
    assert templating.variables_in("{b} and {a}, then { b } and {c}") == ["b", "a", "c"]


def test_an_unknown_variable_is_refused_and_named():
    with pytest.raises(ValidationError) as error:
        templating.validate_template(type="email", subject="Hi {contact_nam}", body="Dear {customer}, hello.")

    assert "{contact_nam}" in " ".join(error.value.message_dict["subject"])
    assert "{customer}" in " ".join(error.value.message_dict["body"])


@pytest.mark.parametrize("body, says", [
    ("Hello {contact_name, welcome.", "never closed"),
    ("Hello {} welcome.", "Empty braces"),
    ("Hello contact_name} welcome.", "no opening"),
    ("Hello {{1}} welcome.", "not as WhatsApp's {{1}}"),
])
def test_malformed_braces_are_refused_with_a_clear_message(body, says):
    with pytest.raises(ValidationError) as error:
        templating.validate_template(type="sms", subject="", body=body)

    assert says in " ".join(error.value.message_dict["body"])


def test_an_email_needs_a_subject_and_every_template_a_body():
    with pytest.raises(ValidationError) as error:
        templating.validate_template(type="email", subject=" ", body="  ")

    assert set(error.value.message_dict) == {"subject", "body"}


def test_a_whatsapp_template_may_not_start_or_end_with_a_variable_or_put_two_together():
    for body in ("{contact_name}, welcome to us.", "Welcome to us, {contact_name}.",
                 "Hello {contact_name} {agent_name} is here for you."):
        with pytest.raises(ValidationError):
            templating.validate_template(type="whatsapp", subject="", body=body)
    templating.validate_template(type="whatsapp", subject="", body="Hello {contact_name}, see you soon.")


def test_a_whatsapp_template_over_1024_characters_is_refused():
    with pytest.raises(ValidationError) as error:
        templating.validate_template(type="whatsapp", subject="", body="Hello {contact_name}. " + "x" * 1010)

    assert "1024" in " ".join(error.value.message_dict["body"])


def test_sms_length_is_counted_in_parts_seventy_arabic_or_160_latin_characters_each():
    assert templating.sms_segments("a" * 160) == 1 and templating.sms_segments("a" * 161) == 2
    assert templating.sms_segments("س" * 70) == 1 and templating.sms_segments("س" * 71) == 2
    assert templating.sms_segments("[" * 80) == 1 and templating.sms_segments("[" * 81) == 2
    with pytest.raises(ValidationError) as error:
        templating.validate_template(type="sms", subject="", body="مرحبًا {contact_name} " + "س" * 400)
    assert "parts" in " ".join(error.value.message_dict["body"])
    templating.validate_template(type="sms", subject="", body="Hello {contact_name} " + "a" * 850)


def test_a_missing_or_empty_value_is_refused_and_named():
    template = as_template(type="email", subject="Your {meeting_type}", body="Hello {contact_name}, {meeting_link} x")

    with pytest.raises(ValidationError) as error:
        templating.render(template, {"contact_name": "Noura", "meeting_type": "  "})

    assert "{meeting_type}" in error.value.messages[0] and "{meeting_link}" in error.value.messages[0]
    assert error.value.params["names"] == ["meeting_type", "meeting_link"]


def test_rendering_fills_the_text_and_gives_the_whatsapp_parameters_in_order():
    template = as_template(body="Hello {contact_name}, times: {slots}. Bye {contact_name}, see you.")

    rendered = templating.render(template, {"contact_name": "<b>Noura</b>", "slots": "Mon 10:00\nTue 11:00"})

    assert rendered.params == ["<b>Noura</b>", "Mon 10:00 · Tue 11:00"]
    assert rendered.body == "Hello <b>Noura</b>, times: Mon 10:00 · Tue 11:00. Bye <b>Noura</b>, see you."


def test_an_email_keeps_the_line_breaks_of_a_multi_line_value():
    template = as_template(type="email", subject="Times", body="Dear {contact_name},\n{slots}\nThanks")

    rendered = templating.render(template, {"contact_name": "Noura", "slots": "Mon 10:00\nTue 11:00"})

    assert "Mon 10:00\nTue 11:00" in rendered.body


def test_the_context_comes_from_the_contact_the_lead_and_the_sender(in_tenant_a):
    sender = UserFactory(full_name="خالد العتيبي", phone="+966501234567")
    company = CompanyFactory(name="Safwa Clinics", name_ar="عيادات الصفوة")
    contact = ContactFactory(full_name="نورة القحطاني", company=company, language="ar", owner=None)

    values = templating.context_for(contact=contact, sender=sender, extra={"meeting_time": "الأحد 10:00"})

    assert values["contact_name"] == "نورة القحطاني" and values["first_name"] == "نورة"
    assert values["company_name"] == "عيادات الصفوة"
    assert values["agent_name"] == "خالد العتيبي" and values["agent_phone"] == "+966501234567"
    assert values["tenant_name"] == "Tenant A" and values["meeting_time"] == "الأحد 10:00"
    assert values["guarantee_days"] == 30


def test_a_leads_owner_signs_when_no_sender_is_given(in_tenant_a):
    agent = UserFactory(full_name="Sara Agent", role="agent")
    lead = LeadFactory(full_name="Omar Saleh", company_name="Oasis Trading", assigned_to=agent)

    values = templating.context_for(lead=lead)

    assert (values["contact_name"], values["company_name"], values["agent_name"]) == (
        "Omar Saleh", "Oasis Trading", "Sara Agent")


# --- services -----------------------------------------------------------------------------------------

def test_a_manager_creates_a_template_and_the_write_is_audited(in_tenant_a, people):
    manager = user_of(people["manager"])
    connection.set_tenant(in_tenant_a)

    template = template_create(actor=manager, data={
        "name": "Quick hello", "type": "sms", "language": "en", "subject": "ignored", "body": "Hi {first_name}!"})

    assert template.subject == "" and template.key == ""
    entry = AuditLog.objects.get(entity_id=template.pk)
    assert entry.action == "create" and entry.user == manager and entry.changes["body"] == [None, "Hi {first_name}!"]


def test_changing_the_text_of_an_approved_whatsapp_template_clears_its_approval(in_tenant_a, people):
    manager = user_of(people["manager"])
    connection.set_tenant(in_tenant_a)
    template = Template.objects.get(key="welcome", type="whatsapp", language="en")

    template_update(actor=manager, template=template, data={"approved": True, "is_active": True})
    assert Template.objects.get(pk=template.pk).approved
    template_update(actor=manager, template=template, data={"body": "Hello {contact_name}, welcome aboard."})

    assert not Template.objects.get(pk=template.pk).approved


def test_agents_and_viewers_may_not_write_templates(in_tenant_a, people):
    template = Template.objects.get(key="welcome", type="sms", language="ar")
    for role in ("agent", "viewer"):
        actor = user_of(people[role])
        connection.set_tenant(in_tenant_a)
        with pytest.raises(PermissionDenied):
            template_update(actor=actor, template=template, data={"name": "x"})
        with pytest.raises(PermissionDenied):
            template_set_active(actor=actor, template=template, active=False)


# --- pages --------------------------------------------------------------------------------------------

def test_the_list_filters_by_type_and_language_and_hides_inactive_templates(client_for, people, in_tenant_a):
    TemplateFactory(name="Retired promo", type="sms", language="en", is_active=False,
                    body="Old offer for {contact_name} today.")
    client = client_for(people["agent"], language="en")

    page = client.get("/crm/templates/?type=sms&language=en").content.decode()
    assert "Welcome" in page and "Opt-out confirmation" in page
    assert "Meeting reminder" not in page and "ترحيب" not in page and "Retired promo" not in page

    inactive = client.get("/crm/templates/?status=inactive", HTTP_HX_REQUEST="true")
    assert "Retired promo" in inactive.content.decode() and "<html" not in inactive.content.decode()
    assert "HX-Request" in inactive["Vary"]


def test_the_live_preview_renders_arabic_right_to_left_with_sample_values(client_for, people):
    response = client_for(people["agent"]).post("/crm/templates/preview/", {
        "type": "whatsapp", "language": "ar", "subject": "", "body": "مرحبًا {contact_name}، معكم {agent_name} اليوم."})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'dir="rtl"' in page and 'lang="ar"' in page
    assert "مرحبًا نورة القحطاني، معكم خالد العتيبي اليوم." in page
    assert "<html" not in page


def test_the_live_preview_lists_unknown_variables_as_errors(client_for, people):
    response = client_for(people["manager"], language="en").post("/crm/templates/preview/", {
        "type": "email", "language": "en", "subject": "Hi", "body": "Dear {contact_name}, your {invoice_no} is ready."})

    page = response.content.decode()
    assert 'dir="ltr"' in page and "Unknown variable: {invoice_no}" in page
    assert "Dear Noura Al-Qahtani, your {invoice_no} is ready." in page


def test_a_manager_creates_a_template_through_the_page(client_for, people):
    response = client_for(people["manager"], language="en").post("/crm/templates/new/", {
        "name": "تذكير بالدفع", "type": "whatsapp", "language": "ar", "subject": "",
        "body": "مرحبًا {contact_name}، نذكّركم بموعد السداد. شكرًا لكم.", "is_active": "on"})

    assert response.status_code == 302
    with schema_context("tenant_a"):
        template = Template.objects.get(name="تذكير بالدفع")
        assert response["Location"] == f"/crm/templates/{template.pk}/"
        assert AuditLog.objects.filter(entity_id=template.pk, action="create").exists()


def test_an_invalid_template_shows_its_errors_and_nothing_is_saved(client_for, people):
    response = client_for(people["manager"], language="en").post("/crm/templates/new/", {
        "name": "Broken", "type": "email", "language": "en", "subject": "",
        "body": "Dear {contact_name}, your {invoice_no} is due {", "is_active": "on"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "An email template needs a subject." in page
    assert "Unknown variable: {invoice_no}" in page and "is never closed" in page
    with schema_context("tenant_a"):
        assert not Template.objects.filter(name="Broken").exists()


def test_a_manager_edits_a_template_and_the_change_is_audited(client_for, people):
    with schema_context("tenant_a"):
        template = Template.objects.get(key="welcome", type="email", language="en")
    client = client_for(people["manager"], language="en")

    response = client.post(f"/crm/templates/{template.pk}/", {
        "name": "Welcome", "type": "email", "language": "en", "subject": "Hello from {tenant_name}",
        "body": template.body, "is_active": "on"})

    assert response.status_code == 302
    with schema_context("tenant_a"):
        assert Template.objects.get(pk=template.pk).subject == "Hello from {tenant_name}"
        entry = AuditLog.objects.get(entity_id=template.pk, action="update")
        assert entry.changes["subject"] == ["Welcome to {tenant_name}", "Hello from {tenant_name}"]


def test_an_invalid_edit_keeps_what_was_typed_and_changes_nothing(client_for, people):
    with schema_context("tenant_a"):
        template = Template.objects.get(key="welcome", type="whatsapp", language="en")
    response = client_for(people["admin"], language="en").post(f"/crm/templates/{template.pk}/", {
        "name": "Welcome", "type": "whatsapp", "language": "en", "body": "{contact_name} welcome", "is_active": "on",
        "approved": "on", "provider_name": "dealix_welcome"})

    page = response.content.decode()
    assert response.status_code == 200 and "starts with a variable" in page and "{contact_name} welcome" in page
    with schema_context("tenant_a"):
        assert Template.objects.get(pk=template.pk).body == template.body
        assert not AuditLog.objects.filter(entity_id=template.pk).exists()


def test_a_manager_deactivates_a_template_and_automations_stop_finding_it(client_for, people, tenant_a):
    with schema_context("tenant_a"):
        template = Template.objects.get(key="meeting_reminder", type="whatsapp", language="ar")

    response = client_for(people["manager"]).post(f"/crm/templates/{template.pk}/active/", {"active": "0"})

    assert response.status_code == 302
    connection.set_tenant(tenant_a)
    assert not Template.objects.get(pk=template.pk).is_active
    assert templating.standard_template("meeting_reminder", "whatsapp", "ar").language == "en"
    assert AuditLog.objects.get(entity_id=template.pk).changes == {"is_active": [True, False]}


@pytest.mark.parametrize("role", ["agent", "viewer"])
def test_agents_and_viewers_read_a_template_but_cannot_change_it(client_for, people, role):
    with schema_context("tenant_a"):
        template = Template.objects.get(key="welcome", type="sms", language="ar")
    client = client_for(people[role])

    page = client.get(f"/crm/templates/{template.pk}/")
    assert page.status_code == 200 and "disabled" in page.content.decode()
    assert 'data-testid="preview-text"' in page.content.decode() and "نورة القحطاني" in page.content.decode()
    assert 'data-testid="save-template"' not in page.content.decode()
    assert client.get("/crm/templates/new/").status_code == 403
    assert client.post(f"/crm/templates/{template.pk}/", {"name": "x", "type": "sms", "language": "ar",
                                                          "body": "x"}).status_code == 403
    assert client.post(f"/crm/templates/{template.pk}/active/", {"active": "0"}).status_code == 403
    with schema_context("tenant_a"):
        assert Template.objects.get(pk=template.pk).name == template.name and template.is_active


def test_an_affiliate_sees_no_templates(client_for, people):
    assert client_for(people["affiliate"]).get("/crm/templates/").status_code == 403


def test_another_tenants_template_is_not_found(client_for, people):
    with schema_context("tenant_b"):
        theirs = TemplateFactory(name="Tenant B only", body="Hello {contact_name} from B.")

    client = client_for(people["manager"])

    assert client.get(f"/crm/templates/{theirs.pk}/").status_code == 404
    assert client.post(f"/crm/templates/{theirs.pk}/active/", {"active": "0"}).status_code == 404


def test_the_crm_tabs_link_to_the_templates(client_for, people):
    page = client_for(people["agent"], language="en").get("/crm/templates/").content.decode()

    assert 'href="/crm/templates/"' in page and 'aria-current="page"' in page
