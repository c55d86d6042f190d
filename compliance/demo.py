"""The demo workspaces' compliance centre: the consent history behind the CRM's contacts, complaints in
three states (one a privacy complaint escalated at once), a gold-guarantee claim under review, and one
active version of every policy (the commission policy also has its superseded first version).

Content is data in the tenant's language (Arabic for acme, English for gulf-trading), not gettext."""
from __future__ import annotations

import datetime as dt
import random

from compliance.choices import (ClaimStatus, ClaimType, ComplaintCategory, ComplaintStatus, ConsentState, PolicyType,
                                Severity)
from compliance.models import Complaint, Consent, GuaranteeClaim, Policy
from crm.demo import CrmDemo
from crm.demo_content import T, pick
from dealix.accounts.choices import Role
from dealix.core.seeding import RIYADH, Batch, add_working_days, business_time, later, riyadh

POLICIES = [
    (PolicyType.COMMISSION, 1, False, 400, T("سياسة العمولات", "Commission policy"), T(
        "الإصدار الأول. العمولة نسبة ثابتة 15٪ من قيمة الاشتراك في السنة الأولى، تُصرف بعد استلام الدفعة.",
        "First version. A flat 15 % of the first-year subscription, paid once the customer has paid.")),
    (PolicyType.COMMISSION, 2, True, 95, T("سياسة العمولات", "Commission policy"), T(
        "1. تُحسب العمولة من الإيراد المنسوب للشريك مضروباً في النسبة حسب باقة العميل ومستوى الشريك "
        "(البرونزي 15/20/25٪، الفضي 17/22/27٪، الذهبي 19/24/29٪، البلاتيني 22/27/32٪ لباقات البداية/الاحترافية/"
        "المؤسسات).\n2. تبقى العمولة معلّقة حتى تنقضي نافذة الضمان (30 يوماً) ويتأكد الدفع.\n"
        "3. الاسترداد داخل النافذة يلغي العمولة، وبعد الصرف يُخصم من الدفعة التالية.\n"
        "4. تُحتسب الدفعات في أول كل شهر وتُصرف خلال 10 أيام عمل، والحد الأدنى 100 ريال.\n"
        "5. الاعتراض خلال 14 يوماً من كشف الحساب، ويُبت فيه خلال 5 أيام عمل، مع استئناف واحد خلال 7 أيام.",
        "1. Commission is the revenue attributed to the partner times the rate for the customer's package and "
        "the partner's tier (bronze 15/20/25 %, silver 17/22/27 %, gold 19/24/29 %, platinum 22/27/32 % for "
        "Starter/Pro/Enterprise).\n2. A commission stays pending until the 30-day guarantee window has passed "
        "and payment is confirmed.\n3. A refund inside the window cancels it; after payout it is deducted from "
        "the next payout.\n4. Payouts are computed on the 1st of each month and paid within 10 business days; "
        "the minimum is SAR 100.\n5. Disputes within 14 days of the statement, decided within 5 business days, "
        "one appeal within 7 days.")),
    (PolicyType.GUARANTEE, 1, True, 300, T("الضمان الذهبي", "Gold guarantee"), T(
        "يحق للعميل المطالبة مرة واحدة خلال 30 يوماً من التفعيل إذا أدخل 20 عميلاً محتملاً على الأقل، وأرسل 50 "
        "رسالة، وحضر جلسة التهيئة، واستخدم النظام 14 يوماً متتالية. لا يشمل الفترات التجريبية. نرد خلال 24 ساعة "
        "ونقرر خلال 5 أيام عمل.",
        "A customer may claim once within 30 days of activation, having entered at least 20 leads, sent 50 "
        "messages, attended the onboarding session and used the system 14 consecutive days. Not for trials. "
        "We acknowledge within 24 hours and decide within 5 business days.")),
    (PolicyType.REFUND, 1, True, 300, T("سياسة الاسترداد", "Refund policy"), T(
        "يُعاد المبلغ خلال 7 أيام عمل من اعتماد المطالبة بالطريقة الأصلية للدفع، ويُلغى الاشتراك. المطالبات التي "
        "تزيد على 50,000 ريال يعتمدها المالك.",
        "Refunds are made within 7 business days of approval, to the original payment method, and the "
        "subscription is cancelled. Claims over SAR 50,000 are approved by the owner.")),
    (PolicyType.COMPLIANCE, 1, True, 200, T("سياسة التواصل والامتثال", "Communication and compliance policy"), T(
        "لا نرسل أي رسالة على أي قناة دون موافقة قائمة من العميل على تلك القناة. كلمات الإيقاف (وقف، إيقاف، إلغاء، "
        "لا أريد، STOP) تُلغي الموافقة فوراً. نرسل واتساب بين 9 صباحاً و9 مساءً، والبريد بين 9 و5، والرسائل "
        "القصيرة والمكالمات بين 9 و6، من الأحد إلى الخميس.",
        "No message on any channel without the contact's granted consent for it. Opt-out words (STOP, "
        "unsubscribe, وقف…) revoke consent at once. WhatsApp 9 am–9 pm, email 9–5, SMS and calls 9–6, "
        "Sunday to Thursday.")),
    (PolicyType.PRIVACY, 1, True, 200, T("سياسة الخصوصية", "Privacy policy"), T(
        "نعالج البيانات الشخصية وفق نظام حماية البيانات الشخصية. لصاحب البيانات حق الوصول والتصحيح والإتلاف؛ نرد خلال "
        "48 ساعة وننفذ خلال 30 يوماً. نحتفظ بالمراسلات 24 شهراً وبسجلات التدقيق 36 شهراً.",
        "We process personal data under the Personal Data Protection Law. Data subjects may ask for access, "
        "correction and erasure; we acknowledge within 48 hours and act within 30 days. Communications are kept "
        "24 months, audit logs 36 months.")),
]


def seed_compliance(*, crm: CrmDemo | None, language: str, people: dict, rng: random.Random,
                    now: dt.datetime) -> None:
    ensure_policies(language=language, now=now)
    if crm is None:
        return
    batch = Batch()
    for event in crm.consent_plan:
        granted = event["status"] == ConsentState.GRANTED
        batch.add(Consent(contact=event["contact"], channel=event["channel"], status=event["status"],
                          granted_at=event["at"] if granted else None, revoked_at=None if granted else event["at"],
                          ip_address=event["ip"], source=event["source"]), event["recorded"])
    _complaints(batch, crm, people, rng, now)
    _guarantee_claim(batch, crm, people, rng, now)
    batch.save((Consent, Complaint, GuaranteeClaim))


def ensure_policies(*, language: str, now: dt.datetime) -> None:
    """One active version of each policy type; a type that already has versions is left alone."""
    present = set(Policy.objects.values_list("type", flat=True).distinct())
    batch = Batch()
    today = now.astimezone(RIYADH).date()
    for kind, version, active, days_ago, name, text in POLICIES:
        if kind in present:
            continue
        effective = today - dt.timedelta(days=days_ago)
        batch.add(Policy(type=kind, version=version, is_active=active, effective_from=effective,
                         name=pick(name, language), content=pick(text, language)),
                  riyadh(effective - dt.timedelta(days=7), 10))
    batch.save((Policy,))


def _complaints(batch, crm, people, rng, now):
    manager = people[Role.MANAGER]
    text = crm.text
    plan = []
    if "horizon" in crm.customers:
        customer = crm.customers["horizon"]
        opened = business_time(rng, now, 6)
        plan.append(dict(customer=customer, contact=crm.contacts["horizon"], category=ComplaintCategory.BILLING,
                         severity=Severity.MEDIUM, status=ComplaintStatus.INVESTIGATING, assigned_to=manager,
                         created=opened, description=text(T(
                             "فاتورة الاشتراك السنوي احتسبت ضريبة القيمة المضافة على رسوم التهيئة مرتين. نطلب فاتورة "
                             "ضريبية معدلة قبل نهاية الشهر.",
                             "The annual subscription invoice charged VAT twice on the set-up fee. We need a "
                             "corrected tax invoice before month end."))))
    revoked = [event for event in crm.consent_plan if event["status"] == ConsentState.REVOKED]
    if revoked:
        event = revoked[0]
        opened = later(rng, event["at"], now, min_minutes=60 * 20, max_minutes=60 * 30)
        plan.append(dict(contact=event["contact"], category=ComplaintCategory.PRIVACY, severity=Severity.HIGH,
                         status=ComplaintStatus.RESOLVED, assigned_to=manager, created=opened, escalated=True,
                         description=text(T(
                             "طلبت إيقاف رسائل واتساب. أريد التأكد من التوقف ومعرفة البيانات التي تحتفظون بها عني.",
                             "I asked you to stop WhatsApp messages. I want to be sure it stopped and to know what "
                             "data you hold about me.")),
                         resolution=text(T(
                             "تأكد الإيقاف فور وصول كلمة «وقف»، ومنع النظام رسالة متابعة لاحقة ولم تُرسل. أرسلنا "
                             "للعميل نسخة من بياناته بالبريد خلال 48 ساعة.",
                             "The opt-out took effect the moment STOP arrived; the system blocked a later follow-up, "
                             "which was never sent. We emailed the contact a copy of their data within 48 hours."))))
    if "safwa" in crm.contacts:
        plan.append(dict(contact=crm.contacts["safwa"], category=ComplaintCategory.COMMUNICATION,
                         severity=Severity.LOW, status=ComplaintStatus.OPEN, assigned_to=None,
                         created=business_time(rng, now, 0.2), description=text(T(
                             "وصلني اتصالان في ساعة واحدة بخصوص العرض نفسه.",
                             "I received two calls within one hour about the same offer."))))
    for item in plan:
        created = item.pop("created")
        acknowledged = None
        if item["status"] != ComplaintStatus.OPEN:
            acknowledged = min(created + dt.timedelta(hours=rng.randint(1, 5)), now)
        due = riyadh(add_working_days(created.astimezone(RIYADH).date(), 3), 17)
        resolved_at = None
        if item["status"] == ComplaintStatus.RESOLVED:
            resolved_at = min(later(rng, created, now, min_minutes=60 * 20, max_minutes=60 * 40), now)
        complaint = Complaint(acknowledged_at=acknowledged, due_at=due, resolved_at=resolved_at, **item)
        batch.add(complaint, created, resolved_at or acknowledged or created)


def _guarantee_claim(batch, crm, people, rng, now):
    if "cloud" not in crm.customers:
        return
    customer, deal = crm.customers["cloud"], crm.deals["cloud"]
    created = min(later(rng, deal.closed_at + dt.timedelta(days=14), now, min_minutes=30, max_minutes=240), now)
    claim = GuaranteeClaim(
        deal=deal, customer=customer, claim_type=ClaimType.PERFORMANCE, status=ClaimStatus.REVIEWING,
        amount_claimed=crm.subscription_value["cloud"],
        description=crm.text(T(
            "بعد أسبوعين من التفعيل كان عدد العملاء المؤهلين 6 فقط مقابل 20 متوقعة. أدخلنا 34 عميلاً محتملاً وأرسلنا "
            "212 رسالة وحضرنا جلسة التهيئة ونستخدم النظام يومياً منذ 14 يوماً.",
            "Two weeks after activation we have 6 qualified leads against the 20 we expected. We entered 34 leads, "
            "sent 212 messages, attended onboarding and have used the system every day for 14 days.")),
        evidence=[{"name": "usage-report-2-weeks.pdf", "kind": "report"},
                  {"name": "onboarding-attendance.png", "kind": "screenshot"}])
    batch.add(claim, created, min(created + dt.timedelta(hours=3), now))
