"""Django admin: every registered model's pages open in Arabic and English, lists do not query per row,
search folds Arabic spellings, statuses move only by audited actions, and money and people are never
deleted."""

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from tests import factories
from tests.conftest import PASSWORD, user_of

pytestmark = pytest.mark.django_db

TENANT_APPS = {config.label for config in apps.get_app_configs() if config.name in settings.TENANT_APPS}
PUBLIC_ONLY_APPS = {config.label for config in apps.get_app_configs()
                    if config.name in settings.SHARED_APPS and config.name not in settings.TENANT_APPS}
# Our own apps: their lists must not query per row (third-party admins are theirs to keep).
OWN_APPS = {"accounts", "core", "crm", "affiliates", "compliance", "knowledge", "tenancy"}


def registered(app_labels):
    models = [model for model in admin.site._registry if model._meta.app_label in app_labels]
    return sorted(models, key=lambda model: model._meta.label)


TENANT_MODELS = registered(TENANT_APPS)
PUBLIC_MODELS = registered(PUBLIC_ONLY_APPS)


def make_row(model, **fields):
    """One row of `model` in the current schema: its factory (tests/factories.py) where there is one,
    else a small builder for tables that have none."""
    factory = getattr(factories, f"{model.__name__}Factory", None)
    if factory is not None:
        return factory(**fields)
    builders = {
        "auth.group": lambda: model.objects.create(name=f"group {model.objects.count()}"),
        "core.savedview": lambda: model.objects.create(
            user=factories.UserFactory(), list_key="leads", name=f"view {model.objects.count()}"),
        "axes.accessattempt": lambda: model.objects.create(
            username=f"someone{model.objects.count()}@a.test", ip_address="10.0.0.1", user_agent="test",
            http_accept="*/*", path_info="/accounts/login/", get_data="", post_data="", failures_since_start=1),
        "axes.accesslog": lambda: model.objects.create(
            username="someone@a.test", ip_address="10.0.0.1", user_agent="test", http_accept="*/*",
            path_info="/accounts/login/"),
        "axes.accessfailurelog": lambda: model.objects.create(
            username="someone@a.test", ip_address="10.0.0.1", user_agent="test", http_accept="*/*",
            path_info="/accounts/login/", locked_out=False),
    }
    label = model._meta.label_lower
    assert label in builders, f"{label} is in the admin but tests/factories.py has no {model.__name__}Factory"
    return builders[label]()


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def may_add(model, user) -> bool:
    request = RequestFactory().get("/")
    request.user = user
    return admin.site._registry[model].has_add_permission(request)


@pytest.fixture
def admin_client(client_for, people):
    return client_for(people["admin"])


@pytest.fixture
def operator_client(db):
    """A platform operator: a superuser of the public schema, on the bare domain."""
    from dealix.accounts.models import User
    with schema_context(get_public_schema_name()):
        operator = User.objects.create_superuser("operator@dealix.test", PASSWORD, full_name="Operator")
        client = Client(HTTP_HOST="localhost")
        client.force_login(operator)
    return client, operator


# --- every page of every model opens -----------------------------------------------------------------

def assert_pages_open(client, model, row, user, language):
    changelist = client.get(admin_url(model, "changelist"), {"lang": language})
    assert changelist.status_code == 200, f"{model._meta.label} list in {language}"
    assert changelist["Content-Language"] == language

    add = client.get(admin_url(model, "add"), {"lang": language})
    assert add.status_code == (200 if may_add(model, user) else 403), f"{model._meta.label} add in {language}"

    change = client.get(admin_url(model, "change", row.pk), {"lang": language})
    assert change.status_code == 200, f"{model._meta.label} change in {language}"


@pytest.mark.parametrize("language", ["ar", "en"])
@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda model: model._meta.label)
def test_every_tenant_admin_page_opens_for_an_admin(model, language, admin_client, people, in_tenant_a):
    row = make_row(model)
    user = user_of(people["admin"])
    connection.set_tenant(in_tenant_a)

    assert_pages_open(admin_client, model, row, user, language)


@pytest.mark.parametrize("language", ["ar", "en"])
@pytest.mark.parametrize("model", PUBLIC_MODELS, ids=lambda model: model._meta.label)
def test_every_platform_admin_page_opens_for_an_operator(model, language, operator_client):
    client, operator = operator_client
    with schema_context(get_public_schema_name()):
        from dealix.tenancy.models import Domain, Tenant
        row = {Tenant: lambda: Tenant.objects.get(slug="tenant-a"),
               Domain: lambda: Domain.objects.filter(tenant__slug="tenant-a").first()}.get(
            model, lambda: make_row(model))()
        assert_pages_open(client, model, row, operator, language)


def test_models_that_are_records_of_what_happened_can_not_be_added_by_hand(people, in_tenant_a):
    from compliance.models import Consent
    from dealix.core.models import AuditLog
    from knowledge.models import AIConversation
    admin_user = user_of(people["admin"])
    connection.set_tenant(in_tenant_a)

    assert not may_add(AuditLog, admin_user)
    assert not may_add(AIConversation, admin_user)
    assert may_add(Consent, admin_user)  # a consent given on paper is recorded by hand


def test_tenant_tables_are_not_in_the_platform_admin(operator_client):
    client, _operator = operator_client

    assert client.get("/admin/crm/lead/").status_code == 403
    assert "/admin/crm/" not in client.get("/admin/").content.decode()


# --- lists do not query per row ----------------------------------------------------------------------

def changelist_queries(client, model) -> int:
    url = admin_url(model, "changelist")
    assert client.get(url, {"lang": "en"}).status_code == 200  # warm up: the language is stored once
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"lang": "en"}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", registered(TENANT_APPS & OWN_APPS), ids=lambda model: model._meta.label)
def test_a_changelist_makes_as_many_queries_for_12_rows_as_for_2(model, admin_client, in_tenant_a):
    for _ in range(2):
        make_row(model)
    with_two = changelist_queries(admin_client, model)
    connection.set_tenant(in_tenant_a)
    for _ in range(10):
        make_row(model)

    assert changelist_queries(admin_client, model) == with_two


# --- search -------------------------------------------------------------------------------------------

def test_the_lead_search_finds_arabic_names_however_they_are_spelt(admin_client, in_tenant_a):
    from crm.models import Lead
    factories.LeadFactory(full_name="أحمد الغامدي", company_name="", email="a@example.test")
    factories.LeadFactory(full_name="سارة القحطاني", company_name="", email="s@example.test")

    page = admin_client.get(admin_url(Lead, "changelist"), {"q": "احمد", "lang": "ar"}).content.decode()

    assert "أحمد الغامدي" in page
    assert "سارة القحطاني" not in page


def test_the_contact_search_finds_a_phone_typed_the_local_way(admin_client, in_tenant_a):
    from crm.models import Contact
    factories.ContactFactory(full_name="نورة العتيبي", phone="+966501234567")
    factories.ContactFactory(full_name="ريم الشهري", phone="+966551112222")

    page = admin_client.get(admin_url(Contact, "changelist"), {"q": "050 123 4567", "lang": "ar"}).content.decode()

    assert "نورة العتيبي" in page
    assert "ريم الشهري" not in page


def test_autocomplete_of_a_lead_folds_arabic_too(admin_client, in_tenant_a):
    lead = factories.LeadFactory(full_name="أحمد الغامدي", company_name="", email="a@example.test")
    factories.LeadFactory(full_name="سارة القحطاني", company_name="", email="s@example.test")

    response = admin_client.get("/admin/autocomplete/", {
        "term": "احمد", "app_label": "crm", "model_name": "contact", "field_name": "lead"})

    assert [item["id"] for item in response.json()["results"]] == [str(lead.pk)]


def test_commissions_are_found_by_their_affiliates_name(admin_client, in_tenant_a):
    from affiliates.models import Commission
    commission = factories.CommissionFactory(affiliate=factories.AffiliateFactory(full_name="إبراهيم العنزي"))
    factories.CommissionFactory(affiliate=factories.AffiliateFactory(full_name="Omar Saleh"))

    response = admin_client.get(admin_url(Commission, "changelist"), {"q": "ابراهيم", "lang": "en"})

    assert list(response.context["cl"].result_list) == [commission]


# --- statuses move by actions -------------------------------------------------------------------------

def run_action(client, model, action, rows, **extra):
    return client.post(admin_url(model, "changelist") + "?lang=en",
                       {"action": action, "index": 0, ACTION_CHECKBOX_NAME: [row.pk for row in rows], **extra},
                       follow=True)


def page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def approvable_commission():
    """A pending deal commission whose customer is past the 30-day guarantee window and has paid."""
    import datetime
    from django.utils import timezone
    commission = factories.CommissionFactory()
    customer = factories.CustomerFactory(deal=commission.deal, plan="pro",
                                         activated_at=timezone.now() - datetime.timedelta(days=40))
    factories.PaymentFactory(customer=customer)
    return commission


def test_approving_inside_the_guarantee_window_is_refused_as_on_the_programmes_page(admin_client, in_tenant_a):
    from affiliates.models import Commission
    commission = factories.CommissionFactory()

    response = run_action(admin_client, Commission, "move_to_approved", [commission])

    connection.set_tenant(in_tenant_a)
    assert Commission.objects.get(pk=commission.pk).status == "pending"
    assert len(page_messages(response)) == 1


def test_approving_a_pending_commission_moves_it_and_writes_the_audit_row(admin_client, people, in_tenant_a):
    from affiliates.models import Commission
    from dealix.core.models import AuditLog
    commission = approvable_commission()

    response = run_action(admin_client, Commission, "move_to_approved", [commission])

    connection.set_tenant(in_tenant_a)
    commission.refresh_from_db()
    assert commission.status == "approved"
    assert commission.approved_by.email == people["admin"].email and commission.approved_at is not None
    entry = AuditLog.objects.get(entity_id=commission.pk)
    assert entry.user.email == people["admin"].email
    assert entry.changes["status"] == ["pending", "approved"]
    assert page_messages(response) == ["1 commission moved to “Approved”."]


def test_paying_a_pending_commission_is_refused_and_changes_nothing(admin_client, in_tenant_a):
    from affiliates.models import Commission
    from dealix.core.models import AuditLog
    commission = factories.CommissionFactory()

    response = run_action(admin_client, Commission, "move_to_paid", [commission])

    connection.set_tenant(in_tenant_a)
    commission.refresh_from_db()
    assert commission.status == "pending"
    assert not AuditLog.objects.filter(entity_id=commission.pk).exists()
    [message] = page_messages(response)
    assert message.endswith(": A commission cannot go from “Pending” to “Paid”.")


def test_one_refused_row_does_not_stop_the_others(admin_client, in_tenant_a):
    from affiliates.models import Commission
    pending = approvable_commission()
    paid = factories.CommissionFactory(paid=True)

    response = run_action(admin_client, Commission, "move_to_approved", [pending, paid])

    connection.set_tenant(in_tenant_a)
    assert Commission.objects.get(pk=pending.pk).status == "approved"
    assert Commission.objects.get(pk=paid.pk).status == "paid"
    assert len(page_messages(response)) == 2


def test_a_held_commission_is_not_approved(admin_client, in_tenant_a):
    from affiliates.models import Commission
    commission = factories.CommissionFactory(held=True, hold_reason="self-referral")

    response = run_action(admin_client, Commission, "move_to_approved", [commission])

    connection.set_tenant(in_tenant_a)
    assert Commission.objects.get(pk=commission.pk).status == "pending"
    assert "self-referral" in page_messages(response)[0]


def test_losing_a_lead_asks_for_the_reason_first(admin_client, in_tenant_a):
    from crm.models import Lead
    lead = factories.LeadFactory(status="new")

    question = run_action(admin_client, Lead, "move_to_lost", [lead])
    connection.set_tenant(in_tenant_a)
    assert question.templates[0].name == "admin/dealix/transition_reason.html"
    assert Lead.objects.get(pk=lead.pk).status == "new"

    # The intermediate page posts back without the changelist's "index", as delete confirmation does.
    admin_client.post(admin_url(Lead, "changelist"), {
        "action": "move_to_lost", ACTION_CHECKBOX_NAME: [lead.pk], "transition_reason": "Chose a competitor"})
    connection.set_tenant(in_tenant_a)
    lead.refresh_from_db()
    assert (lead.status, lead.lost_reason) == ("lost", "Chose a competitor")


def test_the_status_is_not_a_form_field(admin_client, in_tenant_a):
    from affiliates.models import Commission
    commission = factories.CommissionFactory()

    form = admin_client.get(admin_url(Commission, "change", commission.pk)).context["adminform"].form

    assert "status" not in form.fields
    assert "amount" in form.fields  # still pending: the amount may be corrected


def test_money_is_read_only_once_a_commission_left_pending(admin_client, in_tenant_a):
    from affiliates.models import Commission
    commission = factories.CommissionFactory(approved=True)

    form = admin_client.get(admin_url(Commission, "change", commission.pk)).context["adminform"].form

    assert not {"amount", "rate", "affiliate", "status"} & set(form.fields)


def test_only_an_owner_approves_a_guarantee_claim_over_the_limit(client_for, people, in_tenant_a):
    from compliance.models import GuaranteeClaim
    claim = factories.GuaranteeClaimFactory(status="reviewing", amount_claimed=80000, amount_approved=60000)

    refused = run_action(client_for(people["admin"]), GuaranteeClaim, "move_to_approved", [claim])
    connection.set_tenant(in_tenant_a)
    assert GuaranteeClaim.objects.get(pk=claim.pk).status == "reviewing"
    assert "owner" in page_messages(refused)[0]

    run_action(client_for(people["owner"]), GuaranteeClaim, "move_to_approved", [claim])
    connection.set_tenant(in_tenant_a)
    assert GuaranteeClaim.objects.get(pk=claim.pk).status == "approved"


# --- saves go through the services and are audited ------------------------------------------------------

def test_a_lead_added_in_the_admin_is_scored_and_audited(admin_client, people, in_tenant_a):
    from crm.models import Lead
    from dealix.core.models import AuditLog
    agent = user_of(people["agent"])
    connection.set_tenant(in_tenant_a)

    response = admin_client.post(admin_url(Lead, "add"), {
        "full_name": "خالد الدوسري", "phone": "0551234567", "source": "web", "sector": "healthcare",
        "employees": "30", "assigned_to": agent.pk, "timing": "urgent"})

    assert response.status_code == 302, response.context["adminform"].form.errors
    connection.set_tenant(in_tenant_a)
    lead = Lead.objects.get(full_name="خالد الدوسري")
    assert lead.phone == "+966551234567"
    assert lead.score > 0 and lead.score_breakdown["industry_fit"] == 25
    assert AuditLog.objects.filter(entity_id=lead.pk, action="create", user__email=people["admin"].email).exists()


def test_a_consent_can_be_recorded_but_never_changed(admin_client, in_tenant_a):
    from compliance.models import Consent
    contact = factories.ContactFactory()
    consent = factories.ConsentFactory(contact=contact)

    added = admin_client.post(admin_url(Consent, "add"), {
        "contact": contact.pk, "channel": "email", "status": "granted", "source": "paper_form",
        "granted_at_0": timezone.localdate().isoformat(), "granted_at_1": "10:00:00"})
    changed = admin_client.post(admin_url(Consent, "change", consent.pk), {"source": "edited"})

    assert added.status_code == 302
    assert changed.status_code == 403
    connection.set_tenant(in_tenant_a)
    assert Consent.objects.filter(contact=contact).count() == 2
    assert Consent.objects.get(pk=consent.pk).source != "edited"


def test_deactivating_a_company_keeps_it_and_audits_it(admin_client, people, in_tenant_a):
    from crm.models import Company
    from dealix.core.models import AuditLog
    company = factories.CompanyFactory(is_active=True)

    run_action(admin_client, Company, "deactivate", [company])

    connection.set_tenant(in_tenant_a)
    assert Company.objects.get(pk=company.pk).is_active is False
    assert AuditLog.objects.get(entity_id=company.pk).changes["is_active"] == [True, False]


# --- nothing financial and nobody is deleted -------------------------------------------------------------

@pytest.mark.parametrize("factory_name", ["CommissionFactory", "ContactFactory"])
def test_the_delete_page_is_forbidden_for_money_and_people(factory_name, admin_client, in_tenant_a):
    row = getattr(factories, factory_name)()

    response = admin_client.get(admin_url(type(row), "delete", row.pk))

    assert response.status_code == 403


@pytest.mark.parametrize("label", ["affiliates.commission", "affiliates.payout", "affiliates.dispute",
                                   "affiliates.affiliatedeal", "compliance.refund", "compliance.guaranteeclaim",
                                   "core.auditlog", "crm.contact", "crm.company", "crm.customer", "crm.lead",
                                   "affiliates.affiliate", "compliance.consent"])
def test_no_delete_permission_for_financial_rows_people_and_history(label, people, in_tenant_a):
    request = RequestFactory().get("/")
    request.user = user_of(people["owner"])
    connection.set_tenant(in_tenant_a)

    assert admin.site._registry[apps.get_model(label)].has_delete_permission(request) is False


def test_the_date_hierarchy_of_a_time_based_table_filters(admin_client, in_tenant_a):
    from crm.models import Lead
    today = timezone.localdate()
    factories.LeadFactory(full_name="Lead of this month")

    response = admin_client.get(admin_url(Lead, "changelist"), {
        "created_at__year": today.year, "created_at__month": today.month, "lang": "en"})

    assert "Lead of this month" in response.content.decode()
