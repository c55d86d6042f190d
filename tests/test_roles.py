"""Every role reaches exactly the pages RULES.md §9 allows it, enforced on the server."""
import pytest

pytestmark = pytest.mark.django_db

ROLES = ["owner", "admin", "manager", "agent", "affiliate", "viewer"]
# page -> the roles that may open it (all others: 403)
PAGES = {
    "/": {"owner", "admin", "manager", "agent", "viewer"},
    "/crm/leads/": {"owner", "admin", "manager", "agent", "viewer"},
    "/crm/pipeline/": {"owner", "admin", "manager", "agent", "viewer"},
    "/crm/leads/new/": {"owner", "admin", "manager", "agent"},
    "/affiliates/": {"owner", "admin", "manager", "viewer"},
    "/compliance/": {"owner", "admin", "manager", "agent", "viewer"},
    "/knowledge/": {"owner", "admin", "manager", "agent", "viewer"},
    "/affiliates/portal/": {"affiliate"},
    "/admin/": {"owner", "admin"},
    "/accounts/password-change/": set(ROLES),
    "/core/notifications/bell/": set(ROLES),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", list(PAGES))
def test_each_role_reaches_exactly_its_pages(client_for, people, role, path):
    response = client_for(people[role]).get(path)

    if role in PAGES[path]:
        assert response.status_code == 200, f"{role} should open {path}"
    elif path == "/" and role == "affiliate":
        assert response.status_code == 302 and response["Location"] == "/affiliates/portal/"
    elif path == "/admin/" and role != "affiliate":
        # Django admin sends people without admin rights to its own log-in page.
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    else:
        assert response.status_code == 403, f"{role} must not open {path}"


def test_an_anonymous_visitor_is_sent_to_log_in(host_client, people):
    response = host_client(people["agent"].host).get("/crm/leads/")

    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/crm/leads/"


def test_a_viewer_can_not_write_anything(client_for, people):
    client = client_for(people["viewer"])

    assert client.post("/crm/leads/new/", {"full_name": "x", "phone": "0501234567"}).status_code == 403
    assert client.post("/admin/accounts/user/add/", {}).status_code in (302, 403)


def test_a_viewer_may_still_change_their_own_language(client_for, people):
    assert client_for(people["viewer"]).post("/accounts/language/", {"language": "en"}).status_code == 302


def test_the_403_page_says_why_in_the_users_language(client_for, people):
    response = client_for(people["agent"], HTTP_ACCEPT_LANGUAGE="en").get("/affiliates/")

    assert response.status_code == 403
    assert "لا تملك صلاحية" in response.content.decode()  # the agent's stored language is Arabic


def test_the_tenant_admin_shows_no_platform_tables(client_for, people):
    page = client_for(people["admin"]).get("/admin/").content.decode()

    assert "/admin/accounts/user/" in page
    assert "/admin/tenancy/" not in page
