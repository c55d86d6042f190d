"""factory-boy factories for every model, with realistic Saudi data in Arabic and English.

    LeadFactory()                     a new lead, Arabic or English (seeded random choice)
    LeadFactory(language="en")        an English one; the language passes down to the SubFactories
    LeadFactory(lost=True)            traits for the usual states (see each factory's `Params`)
    CommissionFactory(clawback=True)  a negative commission that `reverses` a paid one

Names, cities, sectors, company names, mobile numbers (E.164) and IBANs (valid checksum) come from
`dealix.core.sample_data`; every random choice goes through factory-boy's generator (`rng()`), which
also drives Faker, so `reseed()` makes a run repeatable (tests/test_models.py reseeds before each test).

Tenant-schema factories write to the schema the connection is on (the `in_tenant_a` fixture);
`SubscriptionFactory` writes to the public schema, for tenant A's row unless told otherwise.
Every default satisfies the models' CHECK and UNIQUE constraints; `full_clean()` passes on what they make.
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import factory
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
import factory.random
from django.db.models import Max
from django.utils import timezone
from factory.django import DjangoModelFactory, Password
from faker import Faker

from affiliates.choices import (AffiliateStatus, AttributionStatus, CommissionKind, CommissionStatus, DisputeStatus,
                                DisputeType, PayoutMethod, PayoutStatus, Tier)
from compliance.choices import (ClaimStatus, ClaimType, ComplaintCategory, ComplaintStatus, ConsentChannel,
                                ConsentState, PolicyType, RefundMethod, RefundStatus, Severity)
from crm.choices import (ActivityType, BookingChannel, BookingStatus, CallStatus, CompanySize, ConsentStatus,
                         DealStage, Direction, LeadSource, LeadStatus, MeetingType, MessageChannel, MessageStatus,
                         Priority, ProposalStatus, ProspectStatus, Sentiment, TemplateType)
from crm.models.activities import MEETING_MINUTES
from crm.models.deals import STAGE_PROBABILITY
from dealix.accounts.choices import Role
from dealix.core import sample_data
from dealix.core.choices import AuditAction, NotificationChannel
from dealix.tenancy.choices import BillingCycle, Plan, SubscriptionStatus
from knowledge.choices import AssetType, ConversationStatus

SEED = 2030
LANGUAGES = ("ar", "en")
PASSWORD = "correct-horse-battery"
TENANT_SLUG = "tenant-a"
CENT = Decimal("0.01")


def rng():
    """The one random generator behind every factory (factory-boy's, shared with Faker)."""
    return factory.random.randgen


def reseed(seed: int = SEED) -> None:
    """Make the next factory calls produce the same data as after any other `reseed(seed)`."""
    factory.random.reseed_random(seed)


reseed()

# Faker instances share faker.generator.random, which factory.random.reseed_random seeds too.
_FAKERS = {"ar": Faker("ar_AA"), "en": Faker("en_US")}


def fake(language: str) -> Faker:
    return _FAKERS["ar" if language == "ar" else "en"]


def pick(options):
    return rng().choice(list(options))


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def by_language(language: str, arabic: str, english: str) -> str:
    return arabic if language == "ar" else english


def month_start(months_ago: int = 0) -> dt.date:
    """The first day of this month, or of `months_ago` months before (negative: after)."""
    today = timezone.localdate()
    year, month_index = divmod(today.year * 12 + today.month - 1 - months_ago, 12)
    return dt.date(year, month_index + 1, 1)


def random_ip() -> str:
    # 185.x and 212.x blocks are used by Saudi operators; any IPv4 is valid for the model.
    return f"{pick((185, 212, 94, 51))}.{rng().randrange(256)}.{rng().randrange(256)}.{rng().randrange(1, 255)}"


def random_uuid() -> uuid.UUID:
    return uuid.UUID(int=rng().getrandbits(128), version=4)


def next_business_slot(days_ahead: int, hour: int = 10) -> dt.datetime:
    """`days_ahead` days from now, moved to the next Sunday–Thursday, at `hour`:00 Riyadh time."""
    riyadh = dt.timezone(dt.timedelta(hours=3))
    day = timezone.now().astimezone(riyadh).date() + dt.timedelta(days=days_ahead)
    while day.weekday() in (4, 5):  # Friday, Saturday
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=riyadh)


# --- people, places, companies ---------------------------------------------------------------------

# The sample names in Latin letters, so an Arabic-named person gets a believable email address.
LATIN = {
    "أحمد": "ahmed", "محمد": "mohammed", "عبدالله": "abdullah", "خالد": "khalid", "فيصل": "faisal", "سعود": "saud",
    "تركي": "turki", "نايف": "naif", "عمر": "omar", "يوسف": "yousef", "إبراهيم": "ibrahim", "سلطان": "sultan",
    "ماجد": "majed", "بندر": "bandar", "نورة": "noura", "سارة": "sarah", "ريم": "reem", "هند": "hind", "لمى": "lama",
    "منيرة": "munira", "أمل": "amal", "جواهر": "jawaher", "عبير": "abeer", "هيفاء": "haifa", "مشاعل": "mashael",
    "دانة": "dana", "لطيفة": "latifa", "مها": "maha", "أسماء": "asma", "فاطمة": "fatimah",
    "العتيبي": "alotaibi", "الغامدي": "alghamdi", "القحطاني": "alqahtani", "الشهري": "alshehri",
    "الدوسري": "aldosari", "الحربي": "alharbi", "الزهراني": "alzahrani", "المطيري": "almutairi",
    "السبيعي": "alsubaie", "العنزي": "alanazi", "الشمري": "alshammari", "الرشيد": "alrashid",
    "السديري": "alsudairi", "البقمي": "albuqami", "الجهني": "aljuhani", "العمري": "alomari", "المالكي": "almalki",
    "الأحمدي": "alahmadi", "الخالدي": "alkhalidi", "آل سعود": "alsaud",
}


@dataclass(frozen=True)
class PersonName:
    name: str
    first: str
    latin: str  # "khalid.alharbi": for email addresses and referral codes


def person(language: str) -> PersonName:
    if language == "ar":
        first, last = pick(sample_data.FIRST_NAMES_AR), pick(sample_data.LAST_NAMES_AR)
        return PersonName(f"{first} {last}", first, f"{LATIN.get(first, 'user')}.{LATIN.get(last, 'sa')}")
    first, last = pick(sample_data.FIRST_NAMES_EN), pick(sample_data.LAST_NAMES_EN)
    latin = f"{first}.{last}".lower().replace("-", "")
    return PersonName(f"{first} {last}", first, latin)


@dataclass(frozen=True)
class Place:
    city_en: str
    city_ar: str
    region: str

    def city(self, language: str) -> str:
        return by_language(language, self.city_ar, self.city_en)


def place() -> Place:
    return Place(*pick(sample_data.CITIES))


# sample_data's Arabic and English company cores and suffixes are parallel lists.
_SUFFIX_SECTOR = {"Trading": "retail", "Medical": "healthcare", "Real Estate": "real_estate",
                  "Contracting": "construction", "Academy": "education", "Motors": "automotive",
                  "Tech": "ecommerce", "Holding": None}
_SUFFIX_PREFIXES_AR = {"Medical": ("عيادات", "مجمع", "مركز"), "Academy": ("معهد", "مركز", "مدارس")}


@dataclass(frozen=True)
class CompanyName:
    ar: str
    en: str
    sector: str
    domain: str

    def name(self, language: str) -> str:
        return by_language(language, self.ar, self.en)


def company_name() -> CompanyName:
    core = rng().randrange(len(sample_data.COMPANY_CORES_EN))
    suffix = rng().randrange(len(sample_data.COMPANY_SUFFIXES_EN))
    suffix_en = sample_data.COMPANY_SUFFIXES_EN[suffix]
    prefix = pick(_SUFFIX_PREFIXES_AR.get(suffix_en, ("شركة", "مؤسسة", "مجموعة")))
    arabic = f"{prefix} {sample_data.COMPANY_CORES_AR[core]} {sample_data.COMPANY_SUFFIXES_AR[suffix]}"
    english = f"{sample_data.COMPANY_CORES_EN[core]} {suffix_en} Co."
    sector = _SUFFIX_SECTOR[suffix_en] or pick(sample_data.SECTOR_KEYS)
    domain = f"{sample_data.COMPANY_CORES_EN[core]}-{suffix_en.split()[0]}".lower() + ".com.sa"
    return CompanyName(arabic, english, sector, domain)


def domain_of(company) -> str:
    """The company's web domain for its people's email, or a personal mailbox domain."""
    website = getattr(company, "website", "") or ""
    return website.split("://", 1)[-1].removeprefix("www.").strip("/") or pick(PERSONAL_DOMAINS)


SECTOR_LABELS = {key: (english, arabic) for key, english, arabic, _points in sample_data.SECTORS}


def sector_label(sector: str, language: str) -> str:
    english, arabic = SECTOR_LABELS.get(sector, (sector, sector))
    return by_language(language, arabic, english)


JOB_TITLES = [("المدير التنفيذي", "CEO"), ("مدير المبيعات", "Sales Manager"), ("مدير التسويق", "Marketing Manager"),
              ("مدير العمليات", "Operations Manager"), ("المدير المالي", "CFO"), ("مدير تقنية المعلومات", "IT Manager"),
              ("مسؤول المشتريات", "Procurement Officer"), ("مالك المنشأة", "Owner")]
PERSONAL_DOMAINS = ("gmail.com", "outlook.com", "hotmail.com", "icloud.com")
STAFF_DOMAIN = "dealix-team.sa"
BANK_NAMES_EN = {"10": "Saudi National Bank", "80": "Al Rajhi Bank", "45": "Saudi British Bank (SAB)",
                 "20": "Riyad Bank", "05": "Alinma Bank", "15": "Bank Albilad", "30": "Arab National Bank"}

# --- lead scoring inputs (RULES.md §1 defaults) ----------------------------------------------------

SIZE_POINTS = ((5, 5), (10, 10), (50, 20), (200, 15))
INDUSTRY_POINTS = {key: points for key, _en, _ar, points in sample_data.SECTORS}
ENGAGEMENT_POINTS = {"replied": 5, "asked_question": 8, "requested_demo": 15, "visited_website": 3,
                     "opened_email": 2, "clicked_link": 5, "attended_meeting": 20, "requested_pricing": 12}
BUDGET_POINTS = {"asked_pricing": 5, "compared_competitors": 8, "discussed_roi": 10, "mentioned_budget": 12,
                 "ready_to_pay": 15}
TIMING_POINTS = {"exploring": 3, "evaluating": 6, "deciding": 8, "urgent": 10}


def score_breakdown(employees, sector, engagement, budget, timing) -> dict[str, int]:
    size = 0
    if employees:
        size = next((points for up_to, points in SIZE_POINTS if employees <= up_to), 8)
    return {
        "company_size": size,
        "industry_fit": INDUSTRY_POINTS.get(sector, 0),
        "engagement": min(30, sum(ENGAGEMENT_POINTS[signal] for signal in set(engagement))),
        "budget": min(15, sum(BUDGET_POINTS[signal] for signal in set(budget))),
        "timing": TIMING_POINTS.get(timing, 0),
    }


# --- texts -----------------------------------------------------------------------------------------

LOST_REASONS = [("اختار منافساً بسعر أقل", "Chose a cheaper competitor"),
                ("لا توجد ميزانية هذا العام", "No budget this year"),
                ("لم يعد يرد على الرسائل", "Stopped answering"),
                ("يحتاج ربطاً مع نظام ERP غير مدعوم", "Needs an ERP integration we do not support")]
NOTES = [("مهتم بأتمتة متابعة العملاء عبر واتساب", "Interested in automating WhatsApp follow-ups"),
         ("طلب عرض سعر لعشرة مستخدمين", "Asked for a quote for ten users"),
         ("يريد تجربة مجانية قبل القرار", "Wants a free trial before deciding"),
         ("لديهم فريق مبيعات من خمسة أشخاص في الرياض وجدة", "Five-person sales team in Riyadh and Jeddah")]
MESSAGES = [
    ("السلام عليكم {first}، شكراً لاهتمامك بـ Dealix. هل يناسبك عرض توضيحي قصير هذا الأسبوع؟",
     "Hi {first}, thanks for your interest in Dealix. Would a short demo this week suit you?"),
    ("أهلاً {first}، أرسلنا لك عرض السعر على بريدك. نسعد بأي استفسار.",
     "Hello {first}, we have emailed you the quote. Happy to answer any question."),
    ("تذكير: موعدنا غداً الساعة ١٠ صباحاً عبر Google Meet.",
     "Reminder: our meeting is tomorrow at 10 am on Google Meet."),
]
INBOUND = [("كم سعر الباقة الاحترافية؟", "How much is the Pro plan?"),
           ("هل يدعم النظام الفواتير الإلكترونية؟", "Does it support e-invoicing?"),
           ("ممكن نأجل الاجتماع لبعد الظهر؟", "Can we move the meeting to the afternoon?")]
COMPLAINTS = [("وصلتني رسائل كثيرة في يوم واحد", "I received too many messages in one day"),
              ("الفاتورة فيها مبلغ غير صحيح", "The invoice shows a wrong amount"),
              ("لم يتواصل معي أحد بعد طلب الدعم", "Nobody got back to me after my support request")]
DISPUTES = [("العمولة محسوبة على الباقة الأساسية والعميل اشترك في الاحترافية",
             "The commission was computed on Starter but the customer took Pro"),
            ("العميل سجل عن طريق رابطي ولم تُنسب لي الصفقة", "The customer signed up through my link but the deal "
                                                               "was not attributed to me")]
CLAIMS = [("لم نحصل على أي عميل محتمل خلال الشهر الأول", "We got no qualified leads in the first month"),
          ("الربط مع واتساب لم يعمل طوال أسبوعين", "The WhatsApp integration did not work for two weeks")]
ACTIVITY_SUBJECTS = {
    ActivityType.CALL: ("مكالمة تعريفية", "Intro call"), ActivityType.EMAIL: ("إرسال عرض السعر", "Send the quote"),
    ActivityType.WHATSAPP: ("متابعة عبر واتساب", "WhatsApp follow-up"),
    ActivityType.MEETING: ("عرض توضيحي للنظام", "Product demo"), ActivityType.NOTE: ("ملاحظة", "Note"),
    ActivityType.TASK: ("تجهيز عرض مخصص", "Prepare a custom presentation"),
}
TRANSCRIPTS = [("الوكيل: السلام عليكم، معك {agent} من Dealix.\nالعميل: وعليكم السلام، تفضل.\n"
                "الوكيل: نود حجز عرض توضيحي لمدة ٣٠ دقيقة.\nالعميل: مناسب يوم الأحد.",
                "Agent: Hello, this is {agent} from Dealix.\nClient: Hi, go ahead.\n"
                "Agent: We would like to book a 30-minute demo.\nClient: Sunday works for me.")]
ARTICLES = [("pricing", "Plans and prices", "الباقات والأسعار"),
            ("channels", "WhatsApp sending windows", "أوقات الإرسال عبر واتساب"),
            ("meetings", "Booking a demo", "حجز عرض توضيحي"),
            ("objections", "Handling a price objection", "التعامل مع اعتراض السعر"),
            ("guarantee", "The 30-day gold guarantee", "الضمان الذهبي لمدة ٣٠ يوماً")]
POLICY_NAMES = {PolicyType.COMMISSION: ("سياسة العمولات", "Commission policy"),
                PolicyType.GUARANTEE: ("سياسة الضمان الذهبي", "Gold guarantee policy"),
                PolicyType.REFUND: ("سياسة الاسترداد", "Refund policy"),
                PolicyType.COMPLIANCE: ("سياسة الامتثال", "Compliance policy"),
                PolicyType.PRIVACY: ("سياسة الخصوصية", "Privacy policy"),
                PolicyType.AFFILIATE_RULES: ("قواعد برنامج الشركاء", "Affiliate programme rules")}
NOTIFICATIONS = [("lead_assigned", "عميل محتمل جديد مسند إليك", "A new lead was assigned to you", "/leads/"),
                 ("meeting_reminder", "اجتماع بعد ساعة", "Meeting in one hour", "/meetings/"),
                 ("commission_approved", "تمت الموافقة على عمولة", "A commission was approved", "/partners/")]


def _language():
    return factory.LazyFunction(lambda: pick(LANGUAGES))


def _same_language():
    return factory.SelfAttribute("..language")


class BaseFactory(DjangoModelFactory):
    class Meta:
        abstract = True


# --- accounts --------------------------------------------------------------------------------------

class UserFactory(BaseFactory):
    class Meta:
        model = "accounts.User"

    class Params:
        person = factory.LazyAttribute(lambda o: person(o.language))
        manager = factory.Trait(role=Role.MANAGER)
        admin = factory.Trait(role=Role.ADMIN)
        owner = factory.Trait(role=Role.OWNER)

    language = _language()
    full_name = factory.SelfAttribute("person.name")
    # Staff use the company's domain, affiliates their own mailbox; the number keeps emails unique.
    email = factory.LazyAttributeSequence(lambda o, n: f"{o.person.latin}.{n}@" + (
        pick(PERSONAL_DOMAINS) if o.role == Role.AFFILIATE else STAFF_DOMAIN))
    phone = factory.LazyFunction(lambda: sample_data.saudi_mobile(rng()))
    role = Role.AGENT
    sector = factory.LazyFunction(lambda: pick(sample_data.SECTOR_KEYS))
    is_active = True
    password = Password(PASSWORD)


# --- crm -------------------------------------------------------------------------------------------

class CompanyFactory(BaseFactory):
    class Meta:
        model = "crm.Company"

    class Params:
        language = _language()
        names = factory.LazyFunction(company_name)
        where = factory.LazyFunction(place)
        inactive = factory.Trait(is_active=False)

    name = factory.LazyAttribute(lambda o: o.names.name(o.language))
    name_ar = factory.SelfAttribute("names.ar")
    sector = factory.SelfAttribute("names.sector")
    size = factory.LazyFunction(lambda: pick(CompanySize.values))
    city = factory.LazyAttribute(lambda o: o.where.city(o.language))
    region = factory.SelfAttribute("where.region")
    cr_number = factory.LazyFunction(lambda: f"{pick(('1010', '4030', '2050', '4650'))}{rng().randrange(10**6):06d}")
    website = factory.LazyAttribute(lambda o: f"https://www.{o.names.domain}")
    is_active = True


class ContactFactory(BaseFactory):
    class Meta:
        model = "crm.Contact"

    class Params:
        person = factory.LazyAttribute(lambda o: person(o.language))
        consented = factory.Trait(consent_status=ConsentStatus.GRANTED)

    language = _language()
    company = factory.SubFactory(CompanyFactory, language=_same_language())
    lead = None
    owner = factory.SubFactory(UserFactory, language=_same_language())
    full_name = factory.SelfAttribute("person.name")
    job_title = factory.LazyAttribute(lambda o: by_language(o.language, *pick(JOB_TITLES)))
    email = factory.LazyAttribute(lambda o: f"{o.person.latin}@{domain_of(o.company)}")
    phone = factory.LazyFunction(lambda: sample_data.saudi_mobile(rng()))
    whatsapp = factory.SelfAttribute("phone")
    consent_status = ConsentStatus.PENDING
    is_active = True


class LeadFactory(BaseFactory):
    """Scored from its inputs as RULES.md §1 says, so `score` and `score_breakdown` agree."""

    class Meta:
        model = "crm.Lead"

    class Params:
        language = _language()
        person = factory.LazyAttribute(lambda o: person(o.language))
        names = factory.LazyFunction(company_name)
        where = factory.LazyFunction(place)
        contacted = factory.Trait(status=LeadStatus.CONTACTED)
        qualified = factory.Trait(status=LeadStatus.QUALIFIED,
                                  qualified_at=factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=2)))
        converted = factory.Trait(status=LeadStatus.CONVERTED,
                                  qualified_at=factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=9)),
                                  converted_at=factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1)))
        lost = factory.Trait(status=LeadStatus.LOST,
                             lost_reason=factory.LazyAttribute(lambda o: by_language(o.language, *pick(LOST_REASONS))))
        hot = factory.Trait(employees=30, sector="healthcare", timing="urgent",
                            engagement_signals=["requested_demo", "attended_meeting"], budget_signals=["ready_to_pay"])
        cold = factory.Trait(employees=500, sector="government", timing="exploring",
                             engagement_signals=["opened_email"], budget_signals=[])

    assigned_to = factory.SubFactory(UserFactory, language=_same_language())
    source = factory.LazyFunction(lambda: pick((LeadSource.WHATSAPP, LeadSource.WEB, LeadSource.REFERRAL,
                                                LeadSource.IMPORT)))
    status = LeadStatus.NEW
    full_name = factory.SelfAttribute("person.name")
    phone = factory.LazyFunction(lambda: sample_data.saudi_mobile(rng()))
    email = factory.LazyAttribute(lambda o: f"{o.person.latin}@{pick(PERSONAL_DOMAINS + (o.names.domain,))}")
    company_name = factory.LazyAttribute(lambda o: o.names.name(o.language))
    sector = factory.SelfAttribute("names.sector")
    city = factory.LazyAttribute(lambda o: o.where.city(o.language))
    notes = factory.LazyAttribute(lambda o: by_language(o.language, *pick(NOTES)))
    employees = factory.LazyFunction(lambda: pick((3, 8, 18, 40, 120, 350)))
    engagement_signals = factory.LazyFunction(
        lambda: sorted(rng().sample(sorted(ENGAGEMENT_POINTS), rng().randint(0, 3))))
    budget_signals = factory.LazyFunction(lambda: sorted(rng().sample(sorted(BUDGET_POINTS), rng().randint(0, 2))))
    timing = factory.LazyFunction(lambda: pick(sorted(TIMING_POINTS) + [""]))
    score_breakdown = factory.LazyAttribute(lambda o: score_breakdown(o.employees, o.sector, o.engagement_signals,
                                                                      o.budget_signals, o.timing))
    score = factory.LazyAttribute(lambda o: min(100, sum(o.score_breakdown.values())))
    lost_reason = ""


class ProspectFactory(BaseFactory):
    class Meta:
        model = "crm.Prospect"

    class Params:
        language = _language()
        engaged = factory.Trait(status=ProspectStatus.ENGAGED, priority=Priority.HIGH)

    company = factory.SubFactory(CompanyFactory, language=_same_language())
    contact = None
    owner = factory.SubFactory(UserFactory, language=_same_language())
    source = factory.LazyFunction(lambda: pick(("linkedin", "leap_conference", "referral", "chamber_directory")))
    status = factory.LazyFunction(lambda: pick((ProspectStatus.IDENTIFIED, ProspectStatus.RESEARCHING,
                                                ProspectStatus.APPROACHING)))
    priority = factory.LazyFunction(lambda: pick((Priority.LOW, Priority.MEDIUM, Priority.HIGH)))
    sector = factory.LazyAttribute(lambda o: o.company.sector if o.company else pick(sample_data.SECTOR_KEYS))
    estimated_value = factory.LazyFunction(lambda: money(pick((3588, 8388, 17988, 48000, 96000))))
    notes = factory.LazyAttribute(lambda o: by_language(o.language, *pick(NOTES)))


class DealFactory(BaseFactory):
    """A deal from a converted lead, with the company and contact conversion creates. The probability
    follows the stage (RULES.md §4) unless given."""

    class Meta:
        model = "crm.Deal"

    class Params:
        language = _language()
        proposal = factory.Trait(stage=DealStage.PROPOSAL)
        negotiation = factory.Trait(stage=DealStage.NEGOTIATION)
        won = factory.Trait(stage=DealStage.CLOSED_WON,
                            closed_at=factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=3)))
        lost = factory.Trait(stage=DealStage.CLOSED_LOST,
                             closed_at=factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=3)),
                             lost_reason=factory.LazyAttribute(lambda o: by_language(o.language, *pick(LOST_REASONS))))

    company = factory.SubFactory(CompanyFactory, language=_same_language())
    lead = factory.SubFactory(LeadFactory, converted=True, language=_same_language(),
                              company_name=factory.SelfAttribute("..company.name"),
                              sector=factory.SelfAttribute("..company.sector"))
    assigned_to = factory.LazyAttribute(lambda o: o.lead.assigned_to if o.lead else None)
    contact = factory.SubFactory(ContactFactory, language=_same_language(), company=factory.SelfAttribute("..company"),
                                 lead=factory.SelfAttribute("..lead"), owner=factory.SelfAttribute("..assigned_to"),
                                 full_name=factory.LazyAttribute(lambda o: o.factory_parent.lead.full_name
                                                                 if o.factory_parent.lead else o.person.name))
    title = factory.LazyAttribute(lambda o: by_language(
        o.language, f"اشتراك Dealix — {o.company.name_ar if o.company else o.lead.company_name}",
        f"Dealix subscription — {o.company.name if o.company else o.lead.company_name}"))
    stage = DealStage.DISCOVERY
    value = factory.LazyFunction(lambda: money(pick((3588, 8388, 17988, 48000, 96000, 150000))))
    currency = "SAR"
    probability = factory.LazyAttribute(lambda o: STAGE_PROBABILITY[o.stage])
    expected_close = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=rng().randint(7, 60)))
    lost_reason = ""


class CustomerFactory(BaseFactory):
    class Meta:
        model = "crm.Customer"

    class Params:
        language = _language()

    deal = factory.SubFactory(DealFactory, won=True, language=_same_language())
    lead = factory.LazyAttribute(lambda o: o.deal.lead if o.deal else None)
    full_name = factory.LazyAttribute(lambda o: o.lead.full_name if o.lead else person(o.language).name)
    email = factory.LazyAttribute(lambda o: o.lead.email if o.lead else f"{person('en').latin}@gmail.com")
    phone = factory.LazyAttribute(lambda o: o.lead.phone if o.lead else sample_data.saudi_mobile(rng()))
    company_name = factory.LazyAttribute(lambda o: o.lead.company_name if o.lead else company_name().name(o.language))
    lifetime_value = factory.LazyAttribute(lambda o: o.deal.value if o.deal else money(8388))
    activated_at = factory.LazyAttribute(lambda o: (o.deal.closed_at if o.deal and o.deal.closed_at
                                                    else timezone.now() - dt.timedelta(days=3)))


class PaymentFactory(BaseFactory):
    """A confirmed payment for last month by a customer on a plan."""

    class Meta:
        model = "crm.Payment"

    class Params:
        language = _language()

    customer = factory.SubFactory(CustomerFactory, language=_same_language(), plan="pro",
                                  monthly_amount=factory.LazyFunction(lambda: money(699)))
    period = factory.LazyFunction(lambda: month_start(1))
    amount = factory.LazyAttribute(lambda o: o.customer.monthly_amount or money(699))
    paid_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=20))


def _next_version(model_label: str, **filters) -> int:
    from django.apps import apps
    model = apps.get_model(model_label)
    highest = model.objects.filter(**filters).aggregate(top=Max("version"))["top"]
    return (highest or 0) + 1


class ProposalFactory(BaseFactory):
    class Meta:
        model = "crm.Proposal"

    class Params:
        language = _language()
        sent = factory.Trait(status=ProposalStatus.SENT, sent_at=factory.LazyFunction(timezone.now))
        viewed = factory.Trait(status=ProposalStatus.VIEWED,
                               sent_at=factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1)),
                               viewed_at=factory.LazyFunction(timezone.now))
        accepted = factory.Trait(status=ProposalStatus.ACCEPTED,
                                 sent_at=factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=2)),
                                 viewed_at=factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1)))

    deal = factory.SubFactory(DealFactory, proposal=True, language=_same_language())
    version = factory.LazyAttribute(lambda o: _next_version("crm.Proposal", deal_id=o.deal.pk))
    title = factory.LazyAttribute(lambda o: by_language(o.language, f"عرض سعر — {o.deal.title}",
                                                        f"Proposal — {o.deal.title}"))
    content = factory.LazyAttribute(lambda o: {
        "currency": "SAR",
        "valid_days": 30,
        "vat_rate": "0.15",
        "discount_percent": "5",
        "items": [
            {"name": by_language(o.language, "باقة Dealix الاحترافية (سنوي)", "Dealix Pro plan (annual)"),
             "quantity": 1, "unit_price": str(o.deal.value)},
            {"name": by_language(o.language, "جلسة تهيئة وتدريب", "Onboarding and training session"),
             "quantity": 1, "unit_price": "0.00"},
        ],
    })
    status = ProposalStatus.DRAFT


class ActivityFactory(BaseFactory):
    class Meta:
        model = "crm.Activity"

    class Params:
        language = _language()
        done = factory.Trait(completed_at=factory.LazyFunction(timezone.now))

    user = factory.SubFactory(UserFactory, language=_same_language())
    lead = factory.SubFactory(LeadFactory, contacted=True, language=_same_language(),
                              assigned_to=factory.SelfAttribute("..user"))
    deal = None
    type = factory.LazyFunction(lambda: pick(ActivityType.values))
    subject = factory.LazyAttribute(lambda o: by_language(o.language, *ACTIVITY_SUBJECTS[o.type]))
    body = factory.LazyAttribute(lambda o: by_language(o.language, *pick(NOTES)))
    scheduled_at = factory.LazyFunction(lambda: next_business_slot(1, hour=11))
    completed_at = None


class CallFactory(BaseFactory):
    class Meta:
        model = "crm.Call"

    class Params:
        language = _language()
        missed = factory.Trait(status=CallStatus.MISSED, duration_seconds=0, transcript="", sentiment="",
                               outcome="no_answer", recording_url="")

    user = factory.SubFactory(UserFactory, language=_same_language())
    lead = factory.SubFactory(LeadFactory, contacted=True, language=_same_language(),
                              assigned_to=factory.SelfAttribute("..user"))
    contact = None
    direction = Direction.OUTBOUND
    status = CallStatus.ANSWERED
    duration_seconds = factory.LazyFunction(lambda: rng().randint(45, 900))
    recording_url = factory.LazyFunction(lambda: f"https://recordings.dealix.sa/calls/{random_uuid()}.mp3")
    transcript = factory.LazyAttribute(
        lambda o: by_language(o.language, *pick(TRANSCRIPTS)).format(agent=o.user.full_name.split()[0]))
    sentiment = factory.LazyFunction(lambda: pick(Sentiment.values))
    outcome = factory.LazyFunction(lambda: pick(("demo_booked", "callback_requested", "sent_quote")))


class AutoBookingFactory(BaseFactory):
    class Meta:
        model = "crm.AutoBooking"

    class Params:
        language = _language()
        confirmed = factory.Trait(status=BookingStatus.CONFIRMED,
                                  confirmed_time=factory.SelfAttribute("proposed_time"),
                                  # the agent's time the meeting takes, with the buffer after it (RULES.md §3)
                                  busy=factory.LazyAttribute(lambda o: DateTimeTZRange(
                                      o.proposed_time, o.proposed_time + dt.timedelta(
                                          minutes=o.duration_minutes + 15))),
                                  calendar_event_id=factory.LazyFunction(lambda: f"evt_{rng().getrandbits(48):012x}"))

    agent = factory.SubFactory(UserFactory, language=_same_language())
    lead = factory.SubFactory(LeadFactory, qualified=True, language=_same_language(),
                              assigned_to=factory.SelfAttribute("..agent"))
    meeting_type = factory.LazyFunction(lambda: pick(MeetingType.values))
    duration_minutes = factory.LazyAttribute(lambda o: MEETING_MINUTES[o.meeting_type])
    proposed_time = factory.LazyFunction(lambda: next_business_slot(rng().randint(1, 10), hour=pick((9, 10, 11, 14))))
    confirmed_time = None
    status = BookingStatus.PROPOSED
    channel = factory.LazyFunction(lambda: pick(BookingChannel.values))
    calendar_event_id = ""
    reschedule_count = 0
    no_show = False


class MessageFactory(BaseFactory):
    class Meta:
        model = "crm.Message"

    class Params:
        language = _language()
        sent = factory.Trait(status=MessageStatus.SENT, sent_at=factory.LazyFunction(timezone.now),
                             provider_message_id=factory.LazyFunction(lambda: f"wamid.{rng().getrandbits(80):020x}"))
        delivered = factory.Trait(status=MessageStatus.DELIVERED,
                                  sent_at=factory.LazyFunction(lambda: timezone.now() - dt.timedelta(minutes=5)),
                                  provider_message_id=factory.LazyFunction(
                                      lambda: f"wamid.{rng().getrandbits(80):020x}"))
        failed = factory.Trait(status=MessageStatus.FAILED, failure_reason=factory.LazyAttribute(
            lambda o: by_language(o.language, "لا توجد موافقة على هذه القناة", "No consent on this channel")))
        inbound = factory.Trait(direction=Direction.INBOUND, status=MessageStatus.DELIVERED,
                                content=factory.LazyAttribute(lambda o: by_language(o.language, *pick(INBOUND))))

    lead = None
    contact = factory.SubFactory(ContactFactory, language=_same_language())
    template = None
    channel = MessageChannel.WHATSAPP
    direction = Direction.OUTBOUND
    subject = factory.LazyAttribute(lambda o: by_language(o.language, "عرض Dealix", "Your Dealix quote")
                                    if o.channel == MessageChannel.EMAIL else "")
    content = factory.LazyAttribute(lambda o: by_language(o.language, *pick(MESSAGES)).format(
        first=(o.contact or o.lead).full_name.split()[0]))
    status = MessageStatus.QUEUED
    failure_reason = ""
    provider_message_id = ""
    scheduled_for = None
    sent_at = None


class TemplateFactory(BaseFactory):
    class Meta:
        model = "crm.Template"

    class Params:
        email = factory.Trait(type=TemplateType.EMAIL, subject=factory.LazyAttribute(
            lambda o: by_language(o.language, "عرض سعر من {tenant_name}", "A quote from {tenant_name}")))

    key = ""
    type = TemplateType.WHATSAPP
    language = _language()
    name = factory.LazyAttribute(lambda o: by_language(o.language, "ترحيب بعميل جديد", "New lead welcome"))
    subject = ""
    body = factory.LazyAttribute(lambda o: by_language(
        o.language, "السلام عليكم {first_name}، معك {agent_name} من {tenant_name}. كيف نقدر نخدمك؟",
        "Hello {first_name}, this is {agent_name} from {tenant_name}. How can we help?"))
    is_active = True


class ScorecardFactory(BaseFactory):
    class Meta:
        model = "crm.Scorecard"

    user = factory.SubFactory(UserFactory)
    period = factory.LazyFunction(lambda: month_start(1))
    leads_handled = factory.LazyFunction(lambda: rng().randint(20, 120))
    deals_closed = factory.LazyAttribute(lambda o: rng().randint(0, o.leads_handled // 5))
    revenue_generated = factory.LazyAttribute(lambda o: money(o.deals_closed * 8388))
    avg_response_time = factory.LazyFunction(lambda: rng().randint(60, 1800))
    customer_satisfaction = factory.LazyFunction(lambda: money(Decimal(rng().randint(350, 500)) / 100))
    ai_assist_rate = factory.LazyFunction(lambda: money(rng().randint(20, 90)))
    composite_score = factory.LazyFunction(lambda: money(rng().randint(40, 95)))


# --- affiliates ------------------------------------------------------------------------------------

TIER_BASE_RATE = {Tier.BRONZE: 15, Tier.SILVER: 17, Tier.GOLD: 19, Tier.PLATINUM: 22}


class AffiliateFactory(BaseFactory):
    """An active affiliate with a login, a referral code and a tier rate. `applicant=True` gives an
    applicant (no login, no code yet)."""

    class Meta:
        model = "affiliates.Affiliate"

    class Params:
        language = _language()
        person = factory.LazyAttribute(lambda o: person(o.language))
        where = factory.LazyFunction(place)
        applicant = factory.Trait(status=AffiliateStatus.APPLIED, user=None, referral_code=None, approved_at=None)
        suspended = factory.Trait(status=AffiliateStatus.SUSPENDED, risk_score=85, status_reason=factory.LazyAttribute(
            lambda o: by_language(o.language, "ارتفاع مفاجئ في عدد العملاء المحتملين", "Sudden spike in leads")))

    user = factory.SubFactory(UserFactory, role=Role.AFFILIATE, language=_same_language(),
                              person=factory.SelfAttribute("..person"))
    full_name = factory.SelfAttribute("person.name")
    email = factory.LazyAttribute(lambda o: o.user.email if o.user else f"{o.person.latin}@{pick(PERSONAL_DOMAINS)}")
    phone = factory.LazyAttribute(lambda o: o.user.phone if o.user else sample_data.saudi_mobile(rng()))
    city = factory.LazyAttribute(lambda o: o.where.city(o.language))
    status = AffiliateStatus.ACTIVE
    tier = Tier.BRONZE
    referral_code = factory.LazyAttributeSequence(
        lambda o, n: f"{''.join(ch for ch in o.person.latin.split('.')[0] if ch.isalnum()).upper()[:10]}{n:03d}")
    commission_rate = factory.LazyAttribute(lambda o: money(TIER_BASE_RATE[o.tier]))
    evaluation = factory.LazyFunction(lambda: {"network_size": rng().randint(50, 900), "sales_experience_years":
                                               rng().randint(0, 12), "score": rng().randint(55, 95), "flags": []})
    risk_score = factory.LazyFunction(lambda: rng().randint(0, 25))
    approved_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=rng().randint(30, 400)))


class AffiliatePerformanceFactory(BaseFactory):
    class Meta:
        model = "affiliates.AffiliatePerformance"

    affiliate = factory.SubFactory(AffiliateFactory)
    period = factory.LazyFunction(lambda: month_start(1))
    leads_generated = factory.LazyFunction(lambda: rng().randint(8, 60))
    deals_closed = factory.LazyAttribute(lambda o: rng().randint(0, o.leads_generated // 3))
    revenue_attributed = factory.LazyAttribute(lambda o: money(o.deals_closed * 8388))
    commission_earned = factory.LazyAttribute(lambda o: money(o.revenue_attributed * Decimal("0.20")))
    conversion_rate = factory.LazyAttribute(
        lambda o: money(Decimal(o.deals_closed * 100) / o.leads_generated) if o.leads_generated else money(0))


class AffiliateDealFactory(BaseFactory):
    """An attribution registered when the lead arrived: 90 days from `attributed_at`. `with_deal=True`
    adds the lead's deal and the revenue."""

    class Meta:
        model = "affiliates.AffiliateDeal"

    class Params:
        language = _language()
        with_deal = factory.Trait(
            deal=factory.SubFactory(DealFactory, language=_same_language(), lead=factory.SelfAttribute("..lead")),
            status=AttributionStatus.CONFIRMED,
            attributed_revenue=factory.LazyAttribute(lambda o: o.deal.value),
            commission_amount=factory.LazyAttribute(
                lambda o: money(o.deal.value * (o.affiliate.commission_rate or 20) / 100)))

    affiliate = factory.SubFactory(AffiliateFactory, language=_same_language())
    lead = factory.SubFactory(LeadFactory, source=LeadSource.AFFILIATE, language=_same_language())
    deal = None
    attributed_revenue = money(0)
    commission_amount = money(0)
    share_percent = money(100)
    status = AttributionStatus.PENDING
    attributed_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=rng().randint(1, 60)))
    expires_at = factory.LazyAttribute(lambda o: o.attributed_at + dt.timedelta(days=90))


class PayoutFactory(BaseFactory):
    """A bank transfer to a valid Saudi IBAN (`wallet=True` for a wallet payout without one)."""

    class Meta:
        model = "affiliates.Payout"

    class Params:
        language = _language()
        processing = factory.Trait(status=PayoutStatus.PROCESSING)
        completed = factory.Trait(status=PayoutStatus.COMPLETED, processed_at=factory.LazyFunction(timezone.now),
                                  reference=factory.LazyFunction(lambda: f"TRX{rng().randrange(10**10):010d}"))
        failed = factory.Trait(status=PayoutStatus.FAILED, processed_at=factory.LazyFunction(timezone.now),
                               failure_reason=factory.LazyAttribute(lambda o: by_language(
                                   o.language, "رفض البنك التحويل: الحساب مغلق", "The bank refused: account closed")))
        wallet = factory.Trait(method=PayoutMethod.WALLET, iban="", bank_name="")

    affiliate = factory.SubFactory(AffiliateFactory, language=_same_language())
    amount = factory.LazyFunction(lambda: money(pick((350, 1258.20, 2516.40, 4890))))
    currency = "SAR"
    method = PayoutMethod.BANK_TRANSFER
    status = PayoutStatus.PENDING
    reference = ""
    iban = factory.LazyFunction(lambda: sample_data.saudi_iban(rng()))
    bank_name = factory.LazyAttribute(lambda o: by_language(
        o.language, sample_data.SAUDI_BANK_CODES.get(o.iban[4:6], ""), BANK_NAMES_EN.get(o.iban[4:6], "")))
    period = factory.LazyFunction(month_start)
    failure_reason = ""


class CommissionFactory(BaseFactory):
    """A pending commission on a won deal at the affiliate's rate. Traits: approved, paid (with its
    payout), clawback (negative, reversing a paid commission on the same deal), bonus, recurring."""

    class Meta:
        model = "affiliates.Commission"

    class Params:
        language = _language()
        approved = factory.Trait(
            status=CommissionStatus.APPROVED, approved_at=factory.LazyFunction(timezone.now),
            approved_by=factory.SubFactory(UserFactory, role=Role.MANAGER, language=_same_language()))
        paid = factory.Trait(
            status=CommissionStatus.PAID,
            approved_at=factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10)),
            approved_by=factory.SubFactory(UserFactory, role=Role.MANAGER, language=_same_language()),
            payout=factory.SubFactory(PayoutFactory, completed=True, language=_same_language(),
                                      affiliate=factory.SelfAttribute("..affiliate"),
                                      amount=factory.SelfAttribute("..amount")))
        clawback = factory.Trait(
            kind=CommissionKind.CLAWBACK,
            reverses=factory.SubFactory("tests.factories.CommissionFactory", paid=True, language=_same_language(),
                                        affiliate=factory.SelfAttribute("..affiliate"),
                                        deal=factory.SelfAttribute("..deal"),
                                        period=factory.LazyFunction(lambda: month_start(1))),
            rate=factory.SelfAttribute("reverses.rate"),
            amount=factory.LazyAttribute(lambda o: -o.reverses.amount))
        bonus = factory.Trait(kind=CommissionKind.BONUS, deal=None, rate=money(0), amount=money(500))
        recurring = factory.Trait(kind=CommissionKind.RECURRING)

    affiliate = factory.SubFactory(AffiliateFactory, language=_same_language())
    deal = factory.SubFactory(DealFactory, won=True, language=_same_language())
    kind = CommissionKind.DEAL
    reverses = None
    rate = factory.LazyAttribute(lambda o: o.affiliate.commission_rate or money(20))
    amount = factory.LazyAttribute(lambda o: money(o.deal.value * o.rate / 100) if o.deal else money(500))
    currency = "SAR"
    status = CommissionStatus.PENDING
    held = False
    hold_reason = ""
    approved_by = None
    period = factory.LazyFunction(month_start)
    payout = None


class DisputeFactory(BaseFactory):
    class Meta:
        model = "affiliates.Dispute"

    class Params:
        language = _language()
        resolved = factory.Trait(
            status=DisputeStatus.RESOLVED, resolved_at=factory.LazyFunction(timezone.now),
            resolved_by=factory.SubFactory(UserFactory, role=Role.MANAGER, language=_same_language()),
            resolution=factory.LazyAttribute(lambda o: by_language(
                o.language, "تم تعديل العمولة وفق الباقة الاحترافية", "Commission corrected to the Pro plan rate")))

    affiliate = factory.SubFactory(AffiliateFactory, language=_same_language())
    commission = factory.SubFactory(CommissionFactory, language=_same_language(),
                                    affiliate=factory.SelfAttribute("..affiliate"))
    appeal_of = None
    type = DisputeType.COMMISSION
    status = DisputeStatus.OPEN
    description = factory.LazyAttribute(lambda o: by_language(o.language, *pick(DISPUTES)))
    resolution = ""
    amount_frozen = factory.LazyAttribute(lambda o: o.commission.amount if o.commission else money(0))
    due_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    resolved_by = None


# --- compliance ------------------------------------------------------------------------------------

class ConsentFactory(BaseFactory):
    """A granted consent (append-only; `revoked=True` records a revocation instead)."""

    class Meta:
        model = "compliance.Consent"

    class Params:
        language = _language()
        revoked = factory.Trait(status=ConsentState.REVOKED, granted_at=None,
                                revoked_at=factory.LazyFunction(timezone.now), source="whatsapp_keyword")

    contact = factory.SubFactory(ContactFactory, consented=True, language=_same_language())
    channel = ConsentChannel.WHATSAPP
    status = ConsentState.GRANTED
    granted_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=rng().randint(0, 90)))
    revoked_at = None
    ip_address = factory.LazyFunction(random_ip)
    source = factory.LazyFunction(lambda: pick(("web_form", "whatsapp_opt_in", "event_signup")))


class ComplaintFactory(BaseFactory):
    class Meta:
        model = "compliance.Complaint"

    class Params:
        language = _language()
        resolved = factory.Trait(status=ComplaintStatus.RESOLVED, resolved_at=factory.LazyFunction(timezone.now),
                                 resolution=factory.LazyAttribute(lambda o: by_language(
                                     o.language, "تم الاعتذار وضبط حد الرسائل اليومي", "Apologised and capped daily "
                                                                                      "messages")))
        critical = factory.Trait(severity=Severity.CRITICAL, escalated=True)

    contact = factory.SubFactory(ContactFactory, language=_same_language())
    customer = None
    category = factory.LazyFunction(lambda: pick((ComplaintCategory.SERVICE, ComplaintCategory.BILLING,
                                                  ComplaintCategory.COMMUNICATION)))
    status = ComplaintStatus.OPEN
    severity = Severity.MEDIUM
    description = factory.LazyAttribute(lambda o: by_language(o.language, *pick(COMPLAINTS)))
    resolution = ""
    assigned_to = factory.SubFactory(UserFactory, role=Role.MANAGER, language=_same_language())
    escalated = False
    acknowledged_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=3))


class PolicyFactory(BaseFactory):
    """An inactive next version of a policy type (`active=True` to make it the active one; only one
    active version per type may exist)."""

    class Meta:
        model = "compliance.Policy"

    class Params:
        language = _language()
        active = factory.Trait(is_active=True)

    # Every tenant starts with an active commission policy and programme rules (compliance migration 0004),
    # so a factory-made active policy is of another type unless asked.
    type = factory.LazyFunction(lambda: pick([value for value in PolicyType.values
                                              if value not in (PolicyType.COMMISSION, PolicyType.AFFILIATE_RULES)]))
    name = factory.LazyAttribute(lambda o: by_language(o.language, *POLICY_NAMES[o.type]))
    content = factory.LazyAttribute(lambda o: "\n\n".join(fake(o.language).paragraphs(nb=3)))
    version = factory.LazyAttribute(lambda o: _next_version("compliance.Policy", type=o.type))
    is_active = False
    effective_from = factory.LazyFunction(month_start)


class PolicyAcceptanceFactory(BaseFactory):
    class Meta:
        model = "affiliates.PolicyAcceptance"

    class Params:
        language = _language()

    affiliate = factory.SubFactory(AffiliateFactory, language=_same_language())
    policy = factory.SubFactory(PolicyFactory, type=PolicyType.AFFILIATE_RULES, language=_same_language())
    accepted_at = factory.LazyFunction(timezone.now)
    ip_address = "203.0.113.7"


class RiskSignalFactory(BaseFactory):
    class Meta:
        model = "affiliates.RiskSignal"

    class Params:
        language = _language()

    affiliate = factory.SubFactory(AffiliateFactory, language=_same_language())
    kind = "duplicate_lead"
    points = 20
    lead = factory.SubFactory(LeadFactory, language=_same_language())
    evidence = factory.LazyAttribute(lambda o: {"duplicate_of": str(o.lead.pk)})


class GuaranteeClaimFactory(BaseFactory):
    class Meta:
        model = "compliance.GuaranteeClaim"

    class Params:
        language = _language()
        reviewing = factory.Trait(status=ClaimStatus.REVIEWING)
        approved = factory.Trait(
            status=ClaimStatus.APPROVED, amount_approved=factory.SelfAttribute("amount_claimed"),
            reviewed_at=factory.LazyFunction(timezone.now),
            reviewed_by=factory.SubFactory(UserFactory, role=Role.OWNER, language=_same_language()))
        denied = factory.Trait(
            status=ClaimStatus.DENIED, reviewed_at=factory.LazyFunction(timezone.now),
            reviewed_by=factory.SubFactory(UserFactory, role=Role.MANAGER, language=_same_language()))

    deal = factory.SubFactory(DealFactory, won=True, language=_same_language())
    customer = factory.SubFactory(CustomerFactory, language=_same_language(), deal=factory.SelfAttribute("..deal"))
    claim_type = factory.LazyFunction(lambda: pick(ClaimType.values))
    status = ClaimStatus.SUBMITTED
    description = factory.LazyAttribute(lambda o: by_language(o.language, *pick(CLAIMS)))
    evidence = factory.LazyFunction(lambda: [{"kind": "screenshot", "file": f"claims/{random_uuid()}.png"}])
    amount_claimed = factory.LazyAttribute(lambda o: o.deal.value)
    amount_approved = None
    reviewed_by = None


class RefundFactory(BaseFactory):
    class Meta:
        model = "compliance.Refund"

    class Params:
        language = _language()
        completed = factory.Trait(status=RefundStatus.COMPLETED, processed_at=factory.LazyFunction(timezone.now),
                                  reference=factory.LazyFunction(lambda: f"RF{rng().randrange(10**10):010d}"))

    guarantee_claim = factory.SubFactory(GuaranteeClaimFactory, approved=True, language=_same_language())
    deal = factory.SelfAttribute("guarantee_claim.deal")
    amount = factory.LazyAttribute(lambda o: o.guarantee_claim.amount_approved or o.guarantee_claim.amount_claimed)
    currency = "SAR"
    status = RefundStatus.PENDING
    method = RefundMethod.ORIGINAL_METHOD
    reference = ""


# --- knowledge -------------------------------------------------------------------------------------

class KnowledgeArticleFactory(BaseFactory):
    """An article in both languages (no embedding: the embedding job fills it)."""

    class Meta:
        model = "knowledge.KnowledgeArticle"

    class Params:
        topic = factory.LazyFunction(lambda: pick(ARTICLES))
        draft = factory.Trait(is_published=False)

    category = factory.LazyAttribute(lambda o: o.topic[0])
    title = factory.LazyAttribute(lambda o: o.topic[1])
    title_ar = factory.LazyAttribute(lambda o: o.topic[2])
    body = factory.LazyFunction(lambda: "\n\n".join(fake("en").paragraphs(nb=3)))
    body_ar = factory.LazyFunction(lambda: "\n\n".join(fake("ar").paragraphs(nb=3)))
    sector = factory.LazyFunction(lambda: pick(sample_data.SECTOR_KEYS + [""]))
    is_published = True


ASSET_TYPES_AR = {"pitch_deck": "عرض تقديمي", "case_study": "دراسة حالة", "objection_map": "خريطة الاعتراضات",
                  "pricing_guide": "دليل الأسعار", "competitor_matrix": "مقارنة المنافسين"}
ASSET_TYPES_EN = {"pitch_deck": "Pitch deck", "case_study": "Case study", "objection_map": "Objection map",
                  "pricing_guide": "Pricing guide", "competitor_matrix": "Competitor matrix"}


class SectorAssetFactory(BaseFactory):
    class Meta:
        model = "knowledge.SectorAsset"

    language = _language()
    sector = factory.LazyFunction(lambda: pick(sample_data.SECTOR_KEYS))
    asset_type = factory.LazyFunction(lambda: pick(AssetType.values))
    title = factory.LazyAttribute(lambda o: by_language(
        o.language, f"{ASSET_TYPES_AR[o.asset_type]} — قطاع {sector_label(o.sector, 'ar')}",
        f"{ASSET_TYPES_EN[o.asset_type]} — {sector_label(o.sector, 'en')}"))
    content = factory.LazyAttribute(lambda o: {"sections": [
        {"heading": by_language(o.language, "التحديات", "Challenges"),
         "points": [fake(o.language).sentence() for _ in range(3)]},
        {"heading": by_language(o.language, "كيف يساعد Dealix", "How Dealix helps"),
         "points": [fake(o.language).sentence() for _ in range(3)]},
    ]})
    is_active = True


class AIConversationFactory(BaseFactory):
    class Meta:
        model = "knowledge.AIConversation"

    class Params:
        language = _language()
        escalated = factory.Trait(status=ConversationStatus.ESCALATED)

    agent_type = factory.LazyFunction(lambda: pick(("lead_qualification", "arabic_whatsapp", "meeting_booking",
                                                    "objection_handler", "proposal_drafter")))
    lead = factory.SubFactory(LeadFactory, language=_same_language())
    contact = None
    input_payload = factory.LazyAttribute(lambda o: {"language": o.language,
                                                     "message": by_language(o.language, *pick(INBOUND))})
    output_payload = factory.LazyAttribute(lambda o: {"intent": "pricing_question",
                                                      "reply": by_language(o.language, *pick(MESSAGES)).format(
                                                          first=o.lead.full_name.split()[0] if o.lead else "")})
    tokens_used = factory.LazyFunction(lambda: rng().randint(300, 2400))
    latency_ms = factory.LazyFunction(lambda: rng().randint(400, 3500))
    status = ConversationStatus.SUCCESS


# --- core ------------------------------------------------------------------------------------------

class AuditLogFactory(BaseFactory):
    """An audit row (append-only: the factory only ever inserts)."""

    class Meta:
        model = "core.AuditLog"

    user = factory.SubFactory(UserFactory)
    action = AuditAction.CREATE
    entity_type = "crm.lead"
    entity_id = factory.LazyFunction(random_uuid)
    changes = factory.LazyAttribute(lambda o: {"full_name": [None, person(pick(LANGUAGES)).name],
                                               "status": [None, "new"]})
    ip_address = factory.LazyFunction(random_ip)


class NotificationFactory(BaseFactory):
    class Meta:
        model = "core.Notification"

    class Params:
        language = _language()
        kind = factory.LazyFunction(lambda: pick(NOTIFICATIONS))
        read = factory.Trait(is_read=True, read_at=factory.LazyFunction(timezone.now))

    user = factory.SubFactory(UserFactory, language=_same_language())
    type = factory.LazyAttribute(lambda o: o.kind[0])
    title = factory.LazyAttribute(lambda o: by_language(o.language, o.kind[1], o.kind[2]))
    body = factory.LazyAttribute(lambda o: by_language(o.language, *pick(NOTES)))
    url = factory.LazyAttribute(lambda o: o.kind[3])
    channel = NotificationChannel.IN_APP
    is_read = False
    read_at = None


class PropertyFactory(BaseFactory):
    """A custom field value on a lead (pass `entity=` another lead, deal, contact or company)."""

    class Meta:
        model = "core.Property"

    class Params:
        entity = factory.SubFactory(LeadFactory)

    entity_type = factory.LazyAttribute(lambda o: o.entity._meta.model_name)
    entity_id = factory.SelfAttribute("entity.pk")
    key = factory.Iterator(("branch_count", "current_crm", "budget_range", "preferred_call_time", "decision_maker"))
    value = factory.LazyAttribute(lambda o: {
        "branch_count": str(rng().randint(1, 12)), "current_crm": pick(("Excel", "Zoho", "HubSpot", "none")),
        "budget_range": pick(("5k-10k", "10k-50k", "50k+")), "preferred_call_time": pick(("morning", "evening")),
        "decision_maker": pick(("yes", "no")),
    }[o.key])


class SavedViewFactory(BaseFactory):
    """A user's named filter on the lead list (`default=True` to make it the list's default view)."""

    class Meta:
        model = "core.SavedView"

    class Params:
        language = _language()
        default = factory.Trait(is_default=True)

    user = factory.SubFactory(UserFactory, language=_same_language())
    list_key = "leads"
    name = factory.LazyAttributeSequence(lambda o, n: by_language(o.language, f"عملائي الساخنون في الرياض {n}",
                                                                  f"My hot leads in Riyadh {n}"))
    query_string = "status=new&city=Riyadh&score_min=80"
    columns = factory.LazyFunction(lambda: ["full_name", "company_name", "score", "status", "created_at"])
    is_default = False


# --- tenancy (public schema) -----------------------------------------------------------------------

def _tenant_a():
    from dealix.tenancy.models import Tenant
    return Tenant.objects.get(slug=TENANT_SLUG)


class SubscriptionFactory(BaseFactory):
    """An active monthly Pro subscription of tenant A (public schema). Traits: trial, annual, cancelled."""

    class Meta:
        model = "tenancy.Subscription"

    class Params:
        trial = factory.Trait(plan=Plan.FREE, status=SubscriptionStatus.TRIALING, payment_provider="", external_id="",
                              current_period_end=factory.LazyAttribute(
                                  lambda o: o.current_period_start + dt.timedelta(days=14)))
        annual = factory.Trait(billing_cycle=BillingCycle.ANNUAL, current_period_end=factory.LazyAttribute(
            lambda o: o.current_period_start + dt.timedelta(days=365)))
        cancelled = factory.Trait(status=SubscriptionStatus.CANCELLED)

    tenant = factory.LazyFunction(_tenant_a)
    plan = Plan.PRO
    status = SubscriptionStatus.ACTIVE
    billing_cycle = BillingCycle.MONTHLY
    current_period_start = factory.LazyFunction(
        lambda: dt.datetime.combine(month_start(), dt.time(0, 0), tzinfo=dt.timezone(dt.timedelta(hours=3))))
    current_period_end = factory.LazyAttribute(lambda o: dt.datetime.combine(
        month_start(-1), dt.time(0, 0), tzinfo=dt.timezone(dt.timedelta(hours=3))))
    payment_provider = "moyasar"
    external_id = factory.LazyFunction(lambda: f"sub_{rng().getrandbits(64):016x}")


class PropertyDefinitionFactory(BaseFactory):
    """A custom field on leads: a choice of how the lead heard of us."""

    class Meta:
        model = "core.PropertyDefinition"

    entity_type = "lead"
    key = factory.Sequence(lambda n: f"heard_from_{n}")
    label = "Heard from"
    label_ar = "عرفنا من"
    field_type = "choice"
    choices = factory.LazyFunction(lambda: ["Google", "Instagram", "صديق"])


class LeadImportFactory(BaseFactory):
    """A small uploaded CSV, mapped and ready to preview."""

    class Meta:
        model = "crm.LeadImport"

    user = factory.SubFactory(UserFactory)
    original_name = "leads.csv"
    file_format = "csv"
    encoding = "utf-8"
    file = factory.django.FileField(filename="leads.csv", data="name,phone\nأحمد الغامدي,0501234567\n".encode())
    headers = factory.LazyFunction(lambda: ["name", "phone"])
    mapping = factory.LazyFunction(lambda: {"full_name": 0, "phone": 1})
    row_count = 1


TENANT_FACTORIES = [
    UserFactory, CompanyFactory, ContactFactory, LeadFactory, ProspectFactory, DealFactory, CustomerFactory,
    ProposalFactory, ActivityFactory, CallFactory, AutoBookingFactory, MessageFactory, TemplateFactory,
    ScorecardFactory, AffiliateFactory, AffiliatePerformanceFactory, AffiliateDealFactory, CommissionFactory,
    PayoutFactory, DisputeFactory, PolicyAcceptanceFactory, RiskSignalFactory, PaymentFactory, ConsentFactory, ComplaintFactory, PolicyFactory, GuaranteeClaimFactory,
    RefundFactory, KnowledgeArticleFactory, SectorAssetFactory, AIConversationFactory, AuditLogFactory,
    NotificationFactory, PropertyFactory, SavedViewFactory, LeadImportFactory, PropertyDefinitionFactory,
]
PUBLIC_FACTORIES = [SubscriptionFactory]
ALL_FACTORIES = TENANT_FACTORIES + PUBLIC_FACTORIES
