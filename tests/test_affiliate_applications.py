"""Joining the partner programme: the public application page, its evaluation, a manager's approval or
rejection with their emails, and suspension, reinstatement and termination (RULES.md §6)."""
import datetime as dt
import ipaddress
import re
import uuid
from decimal import Decimal

import django_rq
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_tenants.utils import schema_context
from rq import SimpleWorker

from affiliates import applications
from affiliates.applications import (active_policies, affiliate_apply, affiliate_approve, affiliate_for_user,
                                     affiliate_reinstate, affiliate_reject, affiliate_suspend, affiliate_terminate,
                                     policy_accept)
from affiliates.choices import AffiliateStatus
from affiliates.models import Affiliate, PolicyAcceptance
from affiliates.views_apply import new_form_token
from affiliates.views_staff import STAFF_PAGES
from compliance.models import Policy
from dealix.accounts.models import User
from dealix.core.models import AuditLog
from tests import factories as f
from tests.conftest import PASSWORD, user_of

pytestmark = pytest.mark.django_db

HOST = "tenant-a.localhost"


def fresh_ip() -> str:
    """An address no other test (nor an earlier run, whose counts stay in Redis for the hour) used, so
    the hourly limit of one never touches another."""
    part = uuid.uuid4().hex
    return str(ipaddress.ip_address(f"2001:db8:{part[:4]}:{part[4:8]}::{part[8:12]}"))  # as PostgreSQL writes it


@pytest.fixture
def old_token(monkeypatch):
    """A token issued a minute ago, as a person who filled the form would send."""
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() - dt.timedelta(minutes=1))
    token = new_form_token()
    monkeypatch.setattr(timezone, "now", real_now)
    return token


@pytest.fixture
def queue():
    queue = django_rq.get_queue("default")
    queue.empty()
    yield queue
    queue.empty()


def run_jobs(queue):
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def application(**overrides) -> dict:
    data = {"full_name": "Faisal Al-Dosari", "email": "faisal@example.sa", "phone": "0551234567", "city": "Riyadh",
            "audience": "I run a WhatsApp group of 300 clinic and pharmacy owners in Riyadh and Qassim, and I "
                        "visit about twenty clinics a month for my current job in medical supplies.",
            "sectors": ["healthcare", "beauty"], "experience": "3_5", "language": "en",
            "accept_commission": True, "accept_rules": True}
    data.update(overrides)
    return data


def form_data(token, **overrides) -> dict:
    data = application(**overrides)
    data.pop("language")
    data = {key: ("on" if value is True else value) for key, value in data.items() if value is not False}
    data["token"] = token
    return data


@pytest.fixture
def manager(people, in_tenant_a):
    return user_of(people["manager"])


def user_of_admin():
    return User.objects.get(email="admin@a.test")


@pytest.fixture
def applicant(in_tenant_a):
    return affiliate_apply(data=application(), ip_address="203.0.113.9")


# --- the public page ----------------------------------------------------------------------------------

def test_the_page_is_in_the_tenants_language_and_links_to_both_policy_texts(host_client):
    response = host_client(HOST).get("/affiliates/apply/")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'dir="rtl"' in page and 'name="website"' in page and 'name="token"' in page
    assert "/affiliates/apply/policies/commission/" in page and "/affiliates/apply/policies/affiliate_rules/" in page
    assert 'name="viewport"' in page


def test_the_policy_pages_show_the_seeded_texts_in_arabic_and_english(host_client):
    commission = host_client(HOST).get("/affiliates/apply/policies/commission/").content.decode()
    rules = host_client(HOST).get("/affiliates/apply/policies/affiliate_rules/?lang=en").content.decode()

    assert "سياسة العمولات" in commission and "Commission policy" in commission and "SAR 100" in commission
    assert "قواعد برنامج الشركاء" in rules and "90 days" in rules and "after 30 days" in rules
    assert host_client(HOST).get("/affiliates/apply/policies/privacy/").status_code == 404


def test_a_person_applies_and_waits_in_the_queue_with_an_evaluation(host_client, old_token):
    ip = fresh_ip()
    response = host_client(HOST, HTTP_ACCEPT_LANGUAGE="en").post(
        "/affiliates/apply/", form_data(old_token), REMOTE_ADDR=ip)

    assert response.status_code == 200 and "Thank you for applying" in response.content.decode()
    with schema_context("tenant_a"):
        affiliate = Affiliate.objects.get(email="faisal@example.sa")
        policies = {policy.type: str(policy.pk) for policy in active_policies()}
        assert AuditLog.objects.filter(entity_id=affiliate.pk, action="create", user=None, ip_address=ip).exists()
    assert affiliate.status == AffiliateStatus.APPLIED and affiliate.user is None and affiliate.referral_code is None
    assert affiliate.phone == "+966551234567" and affiliate.city == "Riyadh"
    evaluation = affiliate.evaluation
    assert evaluation["scores"] == {"completeness": 100, "experience": 75, "sector_fit": 100, "audience": 100}
    assert evaluation["score"] == 92 and evaluation["flags"] == [] and evaluation["risk"] == 0
    assert evaluation["application"]["sectors"] == ["healthcare", "beauty"]
    assert evaluation["application"]["language"] == "en"
    assert evaluation["acceptance"]["ip"] == ip and evaluation["acceptance"]["policies"] == policies
    assert abs(dt.datetime.fromisoformat(evaluation["acceptance"]["at"]) - timezone.now()) < dt.timedelta(minutes=1)


def test_bad_input_is_refused_in_arabic_and_nothing_is_created(host_client, old_token):
    data = form_data(old_token, full_name="", phone="12345", sectors=[], accept_rules=False)

    response = host_client(HOST, HTTP_ACCEPT_LANGUAGE="ar").post("/affiliates/apply/", data, REMOTE_ADDR=fresh_ip())

    page = response.content.decode()
    assert response.status_code == 400 and 'dir="rtl"' in page
    assert "هذا الحقل مطلوب" in page
    assert "أدخل رقم جوال صحيحًا، مثل 0501234567." in page
    with schema_context("tenant_a"):
        assert not Affiliate.objects.filter(email="faisal@example.sa").exists()


def test_the_honeypot_and_a_too_fast_form_create_nothing(host_client, old_token):
    bot = host_client(HOST).post("/affiliates/apply/", form_data(old_token, website="http://spam.example"),
                                 REMOTE_ADDR=fresh_ip())
    fast = host_client(HOST, HTTP_ACCEPT_LANGUAGE="en").post(
        "/affiliates/apply/", form_data(new_form_token(), email="fast@example.sa"), REMOTE_ADDR=fresh_ip())

    assert bot.status_code == 400 and fast.status_code == 400 and "very fast" in fast.content.decode()
    with schema_context("tenant_a"):
        assert not Affiliate.objects.exists()


def test_one_address_may_send_only_a_few_applications_an_hour(host_client, old_token):
    ip = fresh_ip()
    client = host_client(HOST, HTTP_ACCEPT_LANGUAGE="en")
    statuses = [client.post("/affiliates/apply/", form_data(old_token, email=f"p{n}@example.sa", phone=""),
                            REMOTE_ADDR=ip).status_code for n in range(6)]

    assert statuses == [400] * 5 + [429]
    assert "Too many applications" in client.post("/affiliates/apply/", {}, REMOTE_ADDR=ip).content.decode()


def test_an_email_that_already_applied_is_refused(applicant):
    with pytest.raises(ValidationError) as refused:
        affiliate_apply(data=application(phone="0559876543"), ip_address="203.0.113.10")

    assert "already an application or a partner account" in refused.value.message_dict["email"][0]
    assert Affiliate.objects.filter(email="faisal@example.sa").count() == 1


def test_an_email_of_a_staff_login_is_refused(people, in_tenant_a):
    with pytest.raises(ValidationError) as refused:
        affiliate_apply(data=application(email=people["agent"].email.upper()))

    assert "already belongs to an account" in refused.value.message_dict["email"][0]


def test_a_phone_shared_with_another_affiliate_or_a_user_is_flagged_for_the_manager(in_tenant_a):
    partner = f.AffiliateFactory()
    staff = f.UserFactory()

    shared_with_partner = affiliate_apply(data=application(email="one@example.sa", phone=partner.phone))
    shared_with_staff = affiliate_apply(data=application(email="two@example.sa", phone=staff.phone))

    assert shared_with_partner.evaluation["flags"] == ["phone_of_affiliate"]
    assert shared_with_partner.evaluation["risk"] == 30
    assert "phone_of_user" in shared_with_staff.evaluation["flags"]


def test_a_thin_application_scores_lower_than_a_full_one(in_tenant_a):
    thin = affiliate_apply(data=application(email="thin@example.sa", phone="0561112222", city="",
                                            audience="friends", sectors=["government"], experience="none"))

    assert thin.evaluation["scores"] == {"completeness": 60, "experience": 0, "sector_fit": 20, "audience": 3}
    assert thin.evaluation["score"] < 30


def test_a_rejected_applicant_may_not_reapply_within_30_days_and_is_told_when(applicant, manager):
    affiliate_reject(actor=manager, affiliate=applicant, reason="we already have partners in Qassim")
    rejected_at = Affiliate.objects.get(pk=applicant.pk).rejected_at

    with pytest.raises(ValidationError) as refused:
        affiliate_apply(data=application(email="new.address@example.sa"), now=rejected_at + dt.timedelta(days=29))

    message = refused.value.messages[0]
    reapply_day = timezone.localdate(rejected_at + dt.timedelta(days=30))
    assert "You may apply again from" in message and str(reapply_day.year) in message
    assert Affiliate.objects.count() == 1


def test_a_rejected_applicant_may_reapply_after_30_days_as_a_new_application(applicant, manager):
    affiliate_reject(actor=manager, affiliate=applicant, reason="we already have partners in Qassim")
    rejected_at = Affiliate.objects.get(pk=applicant.pk).rejected_at

    again = affiliate_apply(data=application(), now=rejected_at + dt.timedelta(days=31))

    assert again.pk != applicant.pk and again.status == AffiliateStatus.APPLIED
    assert again.evaluation["flags"] == ["reapplied"] and again.evaluation["previous_application"] == str(applicant.pk)
    assert list(applications.open_applications()) == [again]


# --- approval ---------------------------------------------------------------------------------------

def test_approval_gives_a_login_a_code_the_recorded_acceptances_and_a_welcome_email(
        applicant, manager, people, client_for, host_client, queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(people["manager"]).post(f"/affiliates/partners/{applicant.pk}/approve/",
                                                      {"tier": "silver", "commission_rate": ""})
    run_jobs(queue)

    assert response.status_code == 302
    with schema_context("tenant_a"):
        affiliate = Affiliate.objects.select_related("user").get(pk=applicant.pk)
        acceptances = {a.policy.type: a for a in PolicyAcceptance.objects.filter(affiliate=affiliate)
                       .select_related("policy")}
        assert AuditLog.objects.filter(entity_id=affiliate.user.pk, action="create", user__email=manager.email).exists()
    assert affiliate.status == AffiliateStatus.ACTIVE and affiliate.approved_at is not None
    assert affiliate.tier == "silver" and affiliate.commission_rate == Decimal("17.00")
    assert re.fullmatch(r"FAISAL\d{2}", affiliate.referral_code)
    assert affiliate.user.role == "affiliate" and affiliate.user.language == "en"
    assert affiliate.user.email == "faisal@example.sa" and not affiliate.user.has_usable_password()
    assert set(acceptances) == {"commission", "affiliate_rules"}
    applied_at = dt.datetime.fromisoformat(applicant.evaluation["acceptance"]["at"])
    assert all(a.accepted_at == applied_at and a.ip_address == "203.0.113.9" for a in acceptances.values())

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["faisal@example.sa"] and "Welcome to the Tenant A partner programme" in email.subject
    assert affiliate.referral_code in email.body
    assert f"http://{HOST}/forms/lead/?ref={affiliate.referral_code}" in email.body
    # The set-password link works like a password reset, on the tenant's host, and opens the portal.
    link = re.search(rf"http://{re.escape(HOST)}(/accounts/reset/\S+/)", email.body).group(1)
    client = host_client(HOST)
    form_page = client.get(link, follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": "a-partner-passphrase-7",
                                                  "new_password2": "a-partner-passphrase-7"})
    assert client.post("/accounts/login/", {"username": "faisal@example.sa",
                                            "password": "a-partner-passphrase-7"}).status_code == 302
    assert client.get("/").headers["Location"] == "/affiliates/portal/"


def test_the_welcome_email_is_in_the_applicants_language_and_goes_once(
        in_tenant_a, manager, queue, django_capture_on_commit_callbacks):
    arabic = affiliate_apply(data=application(full_name="فيصل الدوسري", email="faisal.d@example.sa", language="ar"))
    with django_capture_on_commit_callbacks(execute=True):
        affiliate_approve(actor=manager, affiliate=arabic)
    run_jobs(queue)
    assert applications.send_acceptance_email(str(arabic.pk)) is False  # already sent

    arabic.refresh_from_db()
    assert len(mail.outbox) == 1
    assert "أهلًا بكم في برنامج شركاء" in mail.outbox[0].subject and "رمز الإحالة الخاص بكم" in mail.outbox[0].body
    assert re.fullmatch(r"FAISAL\d{2}", arabic.referral_code)  # an Arabic name: the email's name makes the code
    assert arabic.commission_rate == Decimal("15.00")  # bronze's base rate, from the rules



@pytest.mark.parametrize("days, arabic", [(1, "(صالح لمدة يوم واحد)"), (2, "(صالح لمدة يومين)"),
                                          (3, "(صالح لمدة 3 أيام)"), (11, "(صالح لمدة 11 يومًا)")])
def test_the_arabic_welcome_email_says_how_long_the_password_link_works(
        in_tenant_a, manager, queue, settings, django_capture_on_commit_callbacks, days, arabic):
    settings.PASSWORD_RESET_TIMEOUT = days * 86400
    applicant = affiliate_apply(data=application(full_name="فيصل الدوسري", email="faisal.d@example.sa", language="ar"))
    with django_capture_on_commit_callbacks(execute=True):
        affiliate_approve(actor=manager, affiliate=applicant)
    run_jobs(queue)

    assert f"لتسجيل الدخول إلى بوابة الشركاء، اختاروا أولًا كلمة المرور عبر هذا الرابط {arabic}:" in mail.outbox[0].body

def test_referral_codes_are_unique_even_for_the_same_name(in_tenant_a, manager, monkeypatch):
    first = affiliate_apply(data=application(email="a@example.sa", phone="0550000001"))
    second = affiliate_apply(data=application(email="b@example.sa", phone="0550000002"))
    # The same two digits come up first for both: the second must look further.
    draws = iter([27, 27, 27, 31])
    monkeypatch.setattr(applications.secrets, "randbelow", lambda _n: next(draws))

    affiliate_approve(actor=manager, affiliate=first)
    affiliate_approve(actor=manager, affiliate=second)

    first.refresh_from_db(), second.refresh_from_db()
    assert first.referral_code == "FAISAL37" and second.referral_code == "FAISAL41"


def test_an_application_is_decided_only_once(applicant, manager):
    affiliate_approve(actor=manager, affiliate=applicant)

    with pytest.raises(ValidationError):
        affiliate_approve(actor=manager, affiliate=applicant)
    with pytest.raises(ValidationError):
        affiliate_reject(actor=manager, affiliate=applicant, reason="changed our mind")


def test_a_rate_out_of_range_is_refused_and_nothing_changes(applicant, manager, people, client_for):
    response = client_for(people["manager"], language="en").post(
        f"/affiliates/partners/{applicant.pk}/approve/", {"tier": "gold", "commission_rate": "140"}, follow=True)

    assert "Ensure this value is less than or equal to 100" in response.content.decode()
    with schema_context("tenant_a"):
        assert Affiliate.objects.get(pk=applicant.pk).status == AffiliateStatus.APPLIED
        assert not User.objects.filter(email="faisal@example.sa").exists()


# --- rejection ----------------------------------------------------------------------------------------

def test_rejection_closes_the_application_and_tells_the_applicant_why(
        applicant, people, client_for, queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(people["manager"]).post(f"/affiliates/partners/{applicant.pk}/reject/",
                                           {"reason": "we already have enough partners in Riyadh"})
    run_jobs(queue)

    with schema_context("tenant_a"):
        affiliate = Affiliate.objects.get(pk=applicant.pk)
    assert affiliate.status == AffiliateStatus.TERMINATED and affiliate.rejected_at is not None
    assert affiliate.status_reason == "we already have enough partners in Riyadh" and affiliate.user is None
    assert len(mail.outbox) == 1
    assert "because we already have enough partners in Riyadh" in mail.outbox[0].body
    assert "apply again 30 days" in mail.outbox[0].body



@pytest.mark.parametrize("days, arabic", [(7, "بعد 7 أيام من اليوم"), (11, "بعد 11 يومًا من اليوم"),
                                          (2, "بعد يومين من اليوم")])
def test_the_plain_arabic_rejection_says_when_to_apply_again(in_tenant_a, manager, days, arabic):
    """With the standard rejection text switched off, the short built-in message still counts the days."""
    from crm.models import Template
    Template.objects.filter(key="affiliate_rejection").update(is_active=False)
    in_tenant_a.settings = {**(in_tenant_a.settings or {}), "rules": {"reapply_after_days": days}}
    applicant = affiliate_apply(data=application(full_name="فيصل الدوسري", email="faisal.d@example.sa", language="ar"))
    affiliate_reject(actor=manager, affiliate=applicant, reason="اكتمل عدد الشركاء في الرياض")

    assert applications.send_rejection_email(str(applicant.pk)) is True

    assert mail.outbox[0].body == ("نعتذر عن عدم قبول طلبكم في الوقت الحالي، وذلك بسبب: اكتمل عدد الشركاء في الرياض. "
                                   f"يمكنكم التقديم مجددًا {arabic}.")

def test_a_rejection_needs_a_reason(applicant, manager):
    with pytest.raises(ValidationError):
        affiliate_reject(actor=manager, affiliate=applicant, reason="  ")
    applicant.refresh_from_db()
    assert applicant.status == AffiliateStatus.APPLIED and applicant.rejected_at is None


# --- suspension, reinstatement, termination -----------------------------------------------------------

@pytest.fixture
def partner(in_tenant_a):
    return f.AffiliateFactory(language="en")


def test_a_suspended_affiliate_is_shut_out_of_the_portal_until_an_admin_reinstates_them(
        partner, people, client_for, host_client):
    client = host_client(HOST)
    assert client.post("/accounts/login/", {"username": partner.user.email, "password": PASSWORD}).status_code == 302
    assert client.get("/").headers["Location"] == "/affiliates/portal/"

    client_for(people["manager"]).post(f"/affiliates/partners/{partner.pk}/suspend/",
                                       {"reason": "four times the usual leads this week"})

    after = client.get("/affiliates/portal/")
    assert after.status_code == 302 and after.headers["Location"].startswith("/accounts/login/")
    assert client.post("/accounts/login/", {"username": partner.user.email, "password": PASSWORD}).status_code == 200
    with schema_context("tenant_a"):
        partner.refresh_from_db()
        assert partner.status == AffiliateStatus.SUSPENDED and not partner.user.is_active
        assert partner.status_reason == "four times the usual leads this week"

    refused = client_for(people["manager"]).post(f"/affiliates/partners/{partner.pk}/reinstate/", {})
    client_for(people["admin"]).post(f"/affiliates/partners/{partner.pk}/reinstate/",
                                     {"reason": "the spike was a trade show"})

    assert refused.status_code == 403
    with schema_context("tenant_a"):
        partner.refresh_from_db()
        assert partner.status == AffiliateStatus.ACTIVE and partner.user.is_active
    assert client.post("/accounts/login/", {"username": partner.user.email, "password": PASSWORD}).status_code == 302


def test_the_fraud_rules_may_suspend_without_a_person_and_it_is_audited(partner):
    affiliate_suspend(actor=None, affiliate=partner, reason="risk score 86: self-referral and a lead spike")

    partner.refresh_from_db()
    assert partner.status == AffiliateStatus.SUSPENDED
    assert AuditLog.objects.filter(entity_id=partner.pk, user=None, changes__status=["active", "suspended"]).exists()


def test_termination_is_final_and_closes_the_login(partner, manager):
    affiliate_terminate(actor=manager, affiliate=partner, reason="shared customers' numbers with a competitor")

    partner.refresh_from_db()
    assert partner.status == AffiliateStatus.TERMINATED and not partner.user.is_active
    with pytest.raises(ValidationError):
        affiliate_reinstate(actor=user_of_admin(), affiliate=partner)
    with pytest.raises(ValidationError):
        affiliate_terminate(actor=manager, affiliate=partner, reason="")


def test_the_history_shows_each_decision_with_its_reason(partner, manager, people, client_for):
    affiliate_suspend(actor=manager, affiliate=partner, reason="four times the usual leads")
    affiliate_reinstate(actor=user_of_admin(), affiliate=partner, reason="a trade show")

    page = client_for(people["viewer"], language="en").get(f"/affiliates/partners/{partner.pk}/").content.decode()

    assert "four times the usual leads" in page and "a trade show" in page
    assert 'data-testid="approve-form"' not in page and "/suspend/" not in page  # a viewer decides nothing


# --- policies and the login's affiliate ---------------------------------------------------------------

def test_an_affiliate_accepts_a_new_policy_version_once(partner):
    current = Policy.objects.get(type="commission", is_active=True)
    Policy.objects.filter(pk=current.pk).update(is_active=False)
    new = Policy.objects.create(type="commission", name="Commission policy", content="v2", version=current.version + 1,
                                is_active=True, effective_from=timezone.localdate())

    assert applications.pending_policies(partner)[0] == new
    first = policy_accept(affiliate=partner, policy=new, ip_address="203.0.113.50")
    again = policy_accept(affiliate=partner, policy=new, ip_address="203.0.113.51")

    assert first.pk == again.pk and first.ip_address == "203.0.113.50"
    assert new not in applications.pending_policies(partner)
    with pytest.raises(ValidationError):
        policy_accept(affiliate=partner, policy=current)


def test_affiliate_for_user_finds_the_record_behind_a_login_and_nothing_for_staff(partner, manager):
    assert affiliate_for_user(partner.user) == partner
    assert affiliate_for_user(manager) is None


# --- who may see and decide ---------------------------------------------------------------------------

def test_the_programme_home_counts_and_links_to_every_staff_page(applicant, partner, people, client_for):
    response = client_for(people["manager"], language="en").get("/affiliates/")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="count-applications">1<' in page and 'data-testid="count-active">1<' in page
    for name, *_rest in STAFF_PAGES:
        try:
            url = reverse(name)
        except NoReverseMatch:  # a page its owner has not built yet
            continue
        assert f'href="{url}"' in page, name


def test_the_queue_and_the_record_show_the_evaluation(applicant, people, client_for):
    queue_page = client_for(people["manager"], language="en").get("/affiliates/applications/").content.decode()
    record = client_for(people["manager"], language="en").get(f"/affiliates/partners/{applicant.pk}/").content.decode()

    assert "Faisal Al-Dosari" in queue_page and 'data-testid="approve-form"' in queue_page
    assert "Score 92/100" in record and "clinic and pharmacy owners" in record


def test_the_affiliates_list_searches_and_filters(applicant, partner, people, client_for):
    client = client_for(people["manager"], language="en")

    by_name = client.get("/affiliates/partners/", {"q": "dosari"}).content.decode()
    waiting = client.get("/affiliates/partners/", {"status": "applied"}, HTTP_HX_REQUEST="true")

    assert "Faisal Al-Dosari" in by_name and partner.full_name not in by_name
    assert waiting.status_code == 200 and "<html" not in waiting.content.decode()
    assert "Faisal Al-Dosari" in waiting.content.decode()


def test_agents_and_affiliates_cannot_see_the_programme_pages(applicant, people, client_for):
    for role in ("agent", "affiliate"):
        client = client_for(people[role])
        assert client.get("/affiliates/").status_code == 403, role
        assert client.get(f"/affiliates/partners/{applicant.pk}/").status_code == 403, role
        assert client.post(f"/affiliates/partners/{applicant.pk}/approve/", {"tier": "bronze"}).status_code == 403


def test_a_viewer_reads_but_cannot_decide(applicant, people, client_for):
    client = client_for(people["viewer"])

    assert client.get("/affiliates/applications/").status_code == 200
    assert client.post(f"/affiliates/partners/{applicant.pk}/approve/", {"tier": "bronze"}).status_code == 403
    assert client.post(f"/affiliates/partners/{applicant.pk}/reject/", {"reason": "no"}).status_code == 403
    with schema_context("tenant_a"):
        assert Affiliate.objects.get(pk=applicant.pk).status == AffiliateStatus.APPLIED


def test_the_services_refuse_a_user_without_the_right(applicant, people, partner):
    agent, viewer, manager = (user_of(people[role]) for role in ("agent", "viewer", "manager"))

    with pytest.raises(PermissionDenied):
        affiliate_approve(actor=agent, affiliate=applicant)
    with pytest.raises(PermissionDenied):
        affiliate_reject(actor=viewer, affiliate=applicant, reason="no")
    affiliate_suspend(actor=manager, affiliate=partner, reason="review")
    with pytest.raises(PermissionDenied):
        affiliate_reinstate(actor=manager, affiliate=partner)


def test_another_tenants_affiliate_is_not_found(people, client_for, tenant_b):
    with schema_context("tenant_b"):
        theirs = f.AffiliateFactory(applicant=True)

    client = client_for(people["manager"])
    assert client.get(f"/affiliates/partners/{theirs.pk}/").status_code == 404
    assert client.post(f"/affiliates/partners/{theirs.pk}/approve/", {"tier": "bronze"}).status_code == 404
    with schema_context("tenant_b"):
        assert Affiliate.objects.get(pk=theirs.pk).status == AffiliateStatus.APPLIED


@pytest.mark.parametrize("state", ["applicant", "active", "suspended", "rejected", "terminated"])
def test_the_record_of_an_affiliate_in_each_state_offers_only_the_decisions_it_allows(state, people, client_for,
                                                                                     in_tenant_a):
    manager = user_of(people["manager"])
    affiliate = f.AffiliateFactory(applicant=True) if state in ("applicant", "rejected") else f.AffiliateFactory()
    if state == "rejected":
        affiliate_reject(actor=manager, affiliate=affiliate, reason="not now")
    elif state == "suspended":
        affiliate_suspend(actor=manager, affiliate=affiliate, reason="review")
    elif state == "terminated":
        affiliate_terminate(actor=manager, affiliate=affiliate, reason="ended")

    page = client_for(people["admin"], language="en").get(f"/affiliates/partners/{affiliate.pk}/").content.decode()

    offered = {action for action in ("approve", "reject", "suspend", "reinstate", "terminate")
               if f"/affiliates/partners/{affiliate.pk}/{action}/" in page}
    assert offered == {"applicant": {"approve", "reject"}, "active": {"suspend", "terminate"},
                       "suspended": {"reinstate", "terminate"}, "rejected": set(), "terminated": set()}[state]


def test_with_no_active_policy_the_programme_takes_no_applications(host_client, in_tenant_a):
    Policy.objects.filter(type="affiliate_rules").update(is_active=False)

    page = host_client(HOST, HTTP_ACCEPT_LANGUAGE="en").get("/affiliates/apply/?lang=en").content.decode()
    with pytest.raises(ValidationError) as refused:
        affiliate_apply(data=application())

    assert "not taking applications" in page and "<form method" not in page.split("</nav>")[-1]
    assert "not taking applications" in refused.value.messages[0]
