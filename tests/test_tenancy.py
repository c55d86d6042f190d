"""Tenants: sign-up, slugs, routing by host, suspended tenants, and cloning from the template."""
import pytest
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context

from dealix.accounts.models import User
from dealix.tenancy import schemas
from dealix.tenancy.models import Domain, Tenant
from dealix.tenancy.services import host_for

pytestmark = pytest.mark.django_db

SIGNUP = {"company_name": "مؤسسة النخبة", "slug": "nukhba", "full_name": "هند السبيعي",
          "email": "Hind@Nukhba.test", "password": "a-long-enough-passphrase", "language": "ar",
          "accept_terms": "on"}


def test_signup_creates_a_working_tenant_whose_owner_can_log_in(host_client):
    response = host_client("localhost").post("/signup/", SIGNUP)

    assert response.status_code == 200
    assert "nukhba.localhost" in response.content.decode()
    tenant = Tenant.objects.get(slug="nukhba")
    assert tenant.schema_name == "nukhba" and tenant.is_active and tenant.plan == "free"
    assert Domain.objects.get(tenant=tenant).domain == host_for("nukhba")
    with schema_context("nukhba"):
        owner = User.objects.get()
        assert (owner.email, owner.role, owner.language) == ("hind@nukhba.test", "owner", "ar")

    client = host_client(host_for("nukhba"))
    login = client.post("/accounts/login/", {"username": "hind@nukhba.test", "password": SIGNUP["password"]})
    assert login.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "مؤسسة النخبة" in home.content.decode()


@pytest.mark.parametrize("slug, message", [
    ("www", "reserved"), ("admin", "reserved"), ("public", "reserved"), ("api", "reserved"),
    ("static", "reserved"), ("Acme", "lower-case"), ("my co", "spaces"), ("a" * 40, "at most 32"),
    ("-acme", "hyphens"), ("acme_co", "hyphens"), ("tenant-a", "already taken"),
])
def test_signup_refuses_a_bad_slug_with_a_message_and_creates_nothing(host_client, slug, message):
    tenants_before = Tenant.objects.count()

    response = host_client("localhost", HTTP_ACCEPT_LANGUAGE="en").post("/signup/", {**SIGNUP, "slug": slug})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Tenant.objects.count() == tenants_before


def test_signup_errors_are_in_arabic_for_an_arabic_visitor(host_client):
    response = host_client("localhost", HTTP_ACCEPT_LANGUAGE="ar").post("/signup/", {**SIGNUP, "slug": "www"})

    assert "محجوز" in response.content.decode()
    assert 'dir="rtl"' in response.content.decode()


def test_signup_with_a_weak_password_creates_nothing(host_client):
    response = host_client("localhost", HTTP_ACCEPT_LANGUAGE="en").post(
        "/signup/", {**SIGNUP, "password": "12345678"})

    assert response.status_code == 200
    assert not Tenant.objects.filter(slug="nukhba").exists()


def test_a_failure_while_creating_the_owner_leaves_no_tenant_and_no_schema():
    from django.core.exceptions import ValidationError
    from dealix.tenancy.services import tenant_create

    with pytest.raises(ValidationError):
        tenant_create(actor=None, name="Broken", slug="broken", owner_email="not-an-email",
                      owner_full_name="X", owner_password="whatever-long-enough")

    assert not Tenant.objects.filter(slug="broken").exists()
    from django_tenants.utils import schema_exists
    assert not schema_exists("broken")


def test_an_unknown_host_gets_the_404_page(host_client):
    response = host_client("nobody.localhost", HTTP_ACCEPT_LANGUAGE="en").get("/")

    assert response.status_code == 404
    assert "There is no Dealix workspace at this address" in response.content.decode()


def test_a_suspended_tenant_gets_a_clear_page_not_an_error(host_client, tenant_a):
    Tenant.objects.filter(pk=tenant_a.pk).update(is_active=False)

    response = host_client(host_for("tenant-a"), HTTP_ACCEPT_LANGUAGE="en").get("/accounts/login/")

    assert response.status_code == 403
    assert "This workspace is suspended" in response.content.decode()


def test_a_cloned_tenant_has_the_same_catalogue_as_a_migrated_one():
    """The clone path (fast) and the migration path (the reference) must produce the same schema."""
    from dealix.tenancy.services import tenant_create

    tenant_create(actor=None, name="Cloned", slug="cloned", owner_email="o@cloned.test",
                  owner_full_name="O", owner_password="whatever-long-enough")
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "migrated"')
    call_command("migrate_schemas", schema_name="migrated", interactive=False, verbosity=0)
    connection.set_schema_to_public()

    cloned, migrated = schemas.catalogue("cloned"), schemas.catalogue("migrated")

    for part in ("columns", "constraints", "indexes", "sequences", "migrations"):
        assert cloned[part] == migrated[part], part
    assert len(cloned["migrations"]) > 10


def test_tenant_create_command_makes_a_tenant_with_its_owner():
    call_command("tenant_create", "desert-co", name="Desert Co", owner_email="boss@desert.test",
                 owner_name="Boss", owner_password="whatever-long-enough", language="en")

    tenant = Tenant.objects.get(slug="desert-co")
    assert tenant.schema_name == "desert_co" and tenant.language == "en"
    with schema_context("desert_co"):
        assert User.objects.get().role == "owner"


def test_tenant_create_command_reports_a_bad_slug_as_an_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="reserved|محجوز"):
        call_command("tenant_create", "admin", name="X", owner_email="x@x.test", owner_name="X",
                     owner_password="whatever-long-enough")
