"""Logging in and out, tenant isolation of accounts, throttling, password reset, languages."""
import re

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from dealix.core.models import AuditLog
from tests.conftest import PASSWORD, user_of

pytestmark = pytest.mark.django_db


def login(client, email, password=PASSWORD):
    return client.post("/accounts/login/", {"username": email, "password": password})


def test_an_agent_logs_in_and_lands_on_home(host_client, people):
    client = host_client(people["agent"].host)

    response = login(client, "Agent@A.test")

    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    agent = user_of(people["agent"])
    assert agent.last_login_at is not None
    with schema_context("tenant_a"):
        assert AuditLog.objects.filter(user=agent, action="login").exists()


def test_a_wrong_password_is_refused_with_a_message(host_client, people):
    client = host_client(people["agent"].host, HTTP_ACCEPT_LANGUAGE="en")

    response = login(client, people["agent"].email, "wrong-password")

    assert response.status_code == 200
    assert "The email or password is not right" in response.content.decode()


def test_a_user_of_tenant_a_cannot_log_in_on_tenant_b(host_client, people):
    client = host_client(people["outsider"].host)

    response = login(client, people["agent"].email)

    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session


def test_a_session_cookie_from_tenant_a_is_not_accepted_on_tenant_b(client_for, host_client, people):
    client_a = client_for(people["agent"])
    assert client_a.get("/").status_code == 200
    session_cookie = client_a.cookies["sessionid"].value

    client_b = host_client(people["outsider"].host)
    client_b.cookies["sessionid"] = session_cookie
    response = client_b.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_session_is_rotated_at_login(host_client, people):
    client = host_client(people["agent"].host)
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key

    login(client, people["agent"].email)

    assert client.session.session_key != before


def test_logging_out_ends_the_session(client_for, people):
    client = client_for(people["agent"])

    client.post("/accounts/logout/")

    assert client.get("/").status_code == 302


def test_repeated_failed_logins_lock_the_account_out_for_a_while(host_client, people):
    client = host_client(people["agent"].host, HTTP_ACCEPT_LANGUAGE="en")
    for _attempt in range(5):
        login(client, people["agent"].email, "wrong-password")

    response = login(client, people["agent"].email)  # even the right password is refused now

    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_mails_a_link_on_the_tenants_host_that_sets_a_new_password(host_client, people):
    client = host_client(people["agent"].host)

    client.post("/accounts/password-reset/", {"email": people["agent"].email})

    assert len(mail.outbox) == 1
    link = re.search(r"http://(\S+?)(/accounts/reset/\S+/)", mail.outbox[0].body)
    assert link.group(1) == people["agent"].host
    form_page = client.get(link.group(2), follow=True)
    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": "a-brand-new-passphrase",
                                                            "new_password2": "a-brand-new-passphrase"})
    assert response.status_code == 302
    assert login(host_client(people["agent"].host), people["agent"].email, "a-brand-new-passphrase").status_code == 302


def test_password_reset_for_an_unknown_email_reveals_nothing_and_sends_nothing(host_client, people):
    response = host_client(people["agent"].host).post("/accounts/password-reset/", {"email": "nobody@a.test"})

    assert response.status_code == 302
    assert mail.outbox == []


def test_arabic_is_the_default_language_and_right_to_left(host_client, people):
    page = host_client(people["agent"].host).get("/accounts/login/").content.decode()

    assert '<html lang="ar" dir="rtl">' in page
    assert "bootstrap.rtl.min.css" in page


def test_switching_language_is_stored_on_the_user_and_changes_direction(client_for, people):
    client = client_for(people["agent"])

    response = client.post("/accounts/language/", {"language": "en", "next": "/crm/leads/"})

    assert response.status_code == 302 and response["Location"] == "/crm/leads/"
    assert user_of(people["agent"]).language == "en"
    page = client.get("/crm/leads/").content.decode()
    assert '<html lang="en" dir="ltr">' in page
    assert "bootstrap.min.css" in page


def test_the_language_switch_refuses_to_redirect_to_another_site(client_for, people):
    response = client_for(people["agent"]).post("/accounts/language/", {"language": "en",
                                                                        "next": "https://evil.example/"})

    assert response["Location"] == "/"
