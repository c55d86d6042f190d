"""Fixtures for the whole suite.

The test database is created once per run; inside it, `django_db_setup` creates the public tenant, the
template schema and two tenants, A and B, with a user per role, and commits them. Every test then runs
inside a transaction that is rolled back, so tests are isolated and the schemas are made only once.

    tenant_a / tenant_b     the Tenant rows (tenant A: every role; tenant B: an owner and an agent)
    people                  {"owner": User, "agent": User, ...} of tenant A (plus "agent2", "outsider")
    in_tenant_a             the connection set to tenant A for code that reads or writes its tables
    client_for(user)        a test client logged in on the user's own host
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import get_public_schema_name, schema_context

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct-horse-battery"
TENANT_A = "tenant-a"
TENANT_B = "tenant-b"


def pytest_collection_modifyitems(items):
    """Browser tests last: they share committed data with a server process."""
    items.sort(key=lambda item: "tests/browser/" in str(item.fspath))


@dataclass(frozen=True)
class Person:
    """A user as the tests know them: enough to log in and to find them again in their schema."""
    role: str
    email: str
    schema: str
    host: str


def _host(slug: str) -> str:
    from dealix.tenancy.services import host_for
    return host_for(slug)


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker):
    """Create the test database whatever tests were selected (pytest-django would skip it when only
    browser tests run, and the browser's server needs it), then the tenants every test shares."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        config = setup_databases(verbosity=request.config.option.verbose, interactive=False,
                                 aliases={"default"}, serialized_aliases=set())
        assert connection.settings_dict["NAME"].startswith("test_"), "refusing to seed a non-test database"
        _create_shared_tenants()
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=request.config.option.verbose)


def _create_shared_tenants():
    from dealix.accounts.choices import Role
    from dealix.accounts.services import user_create
    from dealix.tenancy.schemas import ensure_public_tenant, ensure_template_schema
    from dealix.tenancy.services import tenant_create

    ensure_public_tenant()
    ensure_template_schema()
    tenant_create(actor=None, name="Tenant A", slug=TENANT_A, owner_email="owner@a.test",
                  owner_full_name="Owner A", owner_password=PASSWORD, language="ar")
    tenant_create(actor=None, name="Tenant B", slug=TENANT_B, owner_email="owner@b.test",
                  owner_full_name="Owner B", owner_password=PASSWORD, language="en")
    with schema_context("tenant_a"):
        for role in (Role.ADMIN, Role.MANAGER, Role.AGENT, Role.AFFILIATE, Role.VIEWER):
            user_create(actor=None, email=f"{role}@a.test", full_name=f"{role.label} A", role=role,
                        password=PASSWORD, check_permission=False)
        user_create(actor=None, email="agent2@a.test", full_name="Second Agent A", role=Role.AGENT,
                    password=PASSWORD, check_permission=False)
    with schema_context("tenant_b"):
        user_create(actor=None, email="agent@b.test", full_name="Agent B", role=Role.AGENT,
                    password=PASSWORD, check_permission=False)
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _public_schema_after_each_test():
    """Requests through the test client leave the connection on their tenant; start each test clean."""
    yield
    if hasattr(connection, "set_schema_to_public"):
        connection.set_schema_to_public()


@pytest.fixture
def tenant_a(db):
    from dealix.tenancy.models import Tenant
    with schema_context(get_public_schema_name()):
        return Tenant.objects.get(slug=TENANT_A)


@pytest.fixture
def tenant_b(db):
    from dealix.tenancy.models import Tenant
    with schema_context(get_public_schema_name()):
        return Tenant.objects.get(slug=TENANT_B)


@pytest.fixture
def in_tenant_a(tenant_a):
    connection.set_tenant(tenant_a)
    yield tenant_a
    connection.set_schema_to_public()


@pytest.fixture
def in_tenant_b(tenant_b):
    connection.set_tenant(tenant_b)
    yield tenant_b
    connection.set_schema_to_public()


@pytest.fixture
def people(tenant_a):
    """Tenant A's users by role, plus a second agent and an outsider (tenant B's agent)."""
    found = {}
    for role in ("owner", "admin", "manager", "agent", "affiliate", "viewer", "agent2"):
        found[role] = Person(role=role.rstrip("2"), email=f"{role}@a.test", schema="tenant_a", host=_host(TENANT_A))
    found["outsider"] = Person(role="agent", email="agent@b.test", schema="tenant_b", host=_host(TENANT_B))
    return found


def user_of(person: Person):
    """The User row of a Person (switches the connection to their schema)."""
    from dealix.accounts.models import User
    with schema_context(person.schema):
        return User.objects.get(email=person.email)


@pytest.fixture
def client_for(db):
    """`client_for(person)` → a Client logged in on the person's own host; `language="en"` also sets the
    user's stored language (rolled back with the test), which is what pages are rendered in."""

    def make(person: Person, language: str | None = None, **extra) -> Client:
        client = Client(HTTP_HOST=person.host, **extra)
        with schema_context(person.schema):
            from dealix.accounts.models import User
            user = User.objects.get(email=person.email)
            if language:
                User.objects.filter(pk=user.pk).update(language=language)
                user.language = language
            client.force_login(user)
        return client

    return make


@pytest.fixture
def host_client():
    """`host_client(host)` → an anonymous Client on that host."""
    return lambda host, **extra: Client(HTTP_HOST=host, **extra)
