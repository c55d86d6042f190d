"""Volume data for benchmarks (`manage.py seed_bench`): N leads with their contacts, companies, deals,
customers and activities in the current tenant schema, written with COPY, in a realistic spread of
statuses, stages, sectors, cities, sources, owners and scores.

Everything is derived from a seeded `random.Random`, so the same N gives the same data. Rows go
through PostgreSQL's COPY, not `save()`, so what `save()` would do is done here: `search_text` comes
from each model's own `build_search_text`, scores from `crm.scoring`, stage probabilities from the
tenant rules, and the state machines' stamps (`qualified_at`, `converted_at`, `closed_at`) are set in
order. The database checks every constraint as the rows arrive.
"""
from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from crm.choices import (ActivityType, BudgetSignal, CompanySize, ConsentStatus, DealStage, EngagementSignal,
                         LeadSource, LeadStatus, Timing)
from crm.models import Activity, Company, Contact, Customer, Deal, Lead
from crm.scoring import score_lead
from dealix.accounts.choices import Role
from dealix.accounts.models import User
from dealix.core import sample_data as sample
from dealix.core.seeding import RIYADH, copy_rows, riyadh, working_day
from dealix.tenancy.rules import current_rules

BENCH_PASSWORD = "dealix-demo"
AGENTS, MANAGERS = 20, 3

STATUS_WEIGHTS = {LeadStatus.NEW: 28, LeadStatus.CONTACTED: 24, LeadStatus.QUALIFIED: 14,
                  LeadStatus.CONVERTED: 22, LeadStatus.LOST: 12}
STAGE_WEIGHTS = {DealStage.DISCOVERY: 22, DealStage.PROPOSAL: 20, DealStage.NEGOTIATION: 16,
                 DealStage.CLOSED_WON: 27, DealStage.CLOSED_LOST: 15}
SOURCE_WEIGHTS = {LeadSource.WEB: 35, LeadSource.WHATSAPP: 30, LeadSource.IMPORT: 15, LeadSource.REFERRAL: 12,
                  LeadSource.AFFILIATE: 8}
SECTOR_WEIGHTS = {"healthcare": 14, "real_estate": 12, "restaurants": 12, "beauty": 7, "education": 8,
                  "automotive": 7, "retail": 11, "legal": 4, "construction": 8, "ecommerce": 9, "government": 2,
                  "non_profit": 2, "manufacturing": 4}
CITY_WEIGHTS = {"Riyadh": 34, "Jeddah": 20, "Dammam": 9, "Khobar": 6, "Makkah": 6, "Madinah": 5, "Dhahran": 2,
                "Taif": 3, "Abha": 3, "Tabuk": 2, "Buraidah": 3, "Hail": 2, "Jazan": 2, "Najran": 1, "Al Ahsa": 2}
CR_PREFIX = {"Riyadh": "1010", "Jeddah": "4030", "Makkah": "4031", "Madinah": "4650", "Dammam": "2050",
             "Khobar": "2051", "Dhahran": "2052", "Taif": "4032", "Abha": "5850", "Tabuk": "3550",
             "Buraidah": "1131", "Hail": "3350", "Jazan": "5900", "Najran": "5950", "Al Ahsa": "2250"}
EMPLOYEE_BANDS = [((1, 5), 18), ((6, 10), 20), ((11, 50), 34), ((51, 200), 18), ((201, 1500), 10)]
LOST_REASONS_AR = ["اختار منافساً أرخص", "لا توجد ميزانية هذا العام", "لم يرد بعد ثلاث متابعات",
                   "المشروع أُجّل إلى الربع القادم", "رقم غير صحيح", "يحتاج تكاملاً غير متوفر"]
LOST_REASONS_EN = ["Chose a cheaper competitor", "No budget this year", "No reply after three follow-ups",
                   "Project postponed to next quarter", "Wrong number", "Needs an integration we don't offer"]
DEAL_PRODUCTS_AR = ["اشتراك سنوي", "باقة الأعمال", "باقة المؤسسات", "توسعة المستخدمين", "تجديد العقد"]
DEAL_PRODUCTS_EN = ["Annual subscription", "Business package", "Enterprise package", "User expansion",
                    "Contract renewal"]
DEAL_LOST_REASONS = ["Budget frozen", "Went with a competitor", "Decision maker left", "Scope too small"]
JOB_TITLES_AR = ["المدير العام", "مدير المبيعات", "مدير التسويق", "مدير العمليات", "المالك", "مدير المشتريات"]
JOB_TITLES_EN = ["General Manager", "Sales Manager", "Marketing Manager", "Operations Manager", "Owner",
                 "Procurement Manager"]
ACTIVITY_SUBJECTS = {
    ActivityType.CALL: ("مكالمة تعريفية", "Intro call"),
    ActivityType.EMAIL: ("إرسال عرض تعريفي", "Sent the overview"),
    ActivityType.WHATSAPP: ("متابعة على واتساب", "WhatsApp follow-up"),
    ActivityType.MEETING: ("اجتماع عرض توضيحي", "Demo meeting"),
    ActivityType.NOTE: ("ملاحظة", "Note"),
    ActivityType.TASK: ("متابعة العميل", "Follow up"),
}
ACTIVITY_WEIGHTS = {ActivityType.NOTE: 24, ActivityType.CALL: 26, ActivityType.WHATSAPP: 18, ActivityType.EMAIL: 12,
                    ActivityType.TASK: 14, ActivityType.MEETING: 6}
ACTIVITY_TYPES, ACTIVITY_TYPE_WEIGHTS = list(ACTIVITY_WEIGHTS), list(ACTIVITY_WEIGHTS.values())
DEAL_VALUE_BY_SIZE = {CompanySize.MICRO: (3_000, 15_000), CompanySize.SMALL: (8_000, 60_000),
                      CompanySize.MEDIUM: (30_000, 180_000), CompanySize.LARGE: (80_000, 400_000),
                      CompanySize.ENTERPRISE: (150_000, 480_000)}
HISTORY_DAYS = 365


@dataclass
class SeedResult:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _weighted(rng: random.Random, weights: dict, count: int) -> list:
    return rng.choices(list(weights), weights=list(weights.values()), k=count)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _search_text(model, **values) -> str:
    """The model's own search copy (`SearchableModel.build_search_text`) for values not yet in a row."""
    return model.build_search_text(SimpleNamespace(SEARCH_FIELDS=model.SEARCH_FIELDS,
                                                   PHONE_FIELDS=model.PHONE_FIELDS, **values))


def _size_for(employees: int) -> str:
    if employees <= 5:
        return CompanySize.MICRO
    if employees <= 50:
        return CompanySize.SMALL
    if employees <= 200:
        return CompanySize.MEDIUM
    if employees <= 1000:
        return CompanySize.LARGE
    return CompanySize.ENTERPRISE


def ensure_team(slug: str) -> tuple[list[User], list[User], User]:
    """~20 agents (each with a sector specialisation) and 3 managers, plus an admin if the tenant has
    none, created in one insert with one password hash (the demo password)."""
    wanted = [(f"agent{n:02d}@{slug}.test", Role.AGENT, n) for n in range(1, AGENTS + 1)]
    wanted += [(f"manager{n}@{slug}.test", Role.MANAGER, n) for n in range(1, MANAGERS + 1)]
    if not User.objects.filter(role=Role.ADMIN, is_active=True).exists():
        wanted.append((f"admin@{slug}.test", Role.ADMIN, 1))
    existing = set(User.objects.filter(email__in=[email for email, *_ in wanted]).values_list("email", flat=True))
    rng = random.Random(f"team-{slug}")
    password = make_password(BENCH_PASSWORD) if len(existing) < len(wanted) else ""
    sectors = list(SECTOR_WEIGHTS)
    new_users = []
    for email, role, number in wanted:
        if email in existing:
            continue
        language = "ar" if number % 3 else "en"
        new_users.append(User(email=email, password=password, role=role, language=language,
                              full_name=sample.person_name(rng, language), phone=sample.saudi_mobile(rng),
                              sector=sectors[number % len(sectors)] if role == Role.AGENT else ""))
    User.objects.bulk_create(new_users)
    agents = list(User.objects.filter(email__in=[e for e, r, _ in wanted if r == Role.AGENT]).order_by("email"))
    managers = list(User.objects.filter(email__in=[e for e, r, _ in wanted if r == Role.MANAGER]).order_by("email"))
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("created_at").first()
    return agents, managers, admin


class _Clock:
    """Times in Riyadh business hours over the last year, cheaply (precomputed working days)."""

    def __init__(self, now: dt.datetime, days: int):
        self.now = now
        today = now.astimezone(RIYADH).date()
        self.days = [working_day(today - dt.timedelta(days=offset)) for offset in range(days)]

    def past(self, rng: random.Random, max_days_ago: int) -> dt.datetime:
        day = self.days[min(len(self.days) - 1, int(rng.random() ** 1.6 * max_days_ago))]
        minute = rng.randrange(9 * 60, 17 * 60)
        moment = riyadh(day, minute // 60, minute % 60)
        return moment if moment < self.now else self.now - dt.timedelta(minutes=rng.randrange(1, 600))

    def after(self, rng: random.Random, moment: dt.datetime, low_days: float, high_days: float) -> dt.datetime:
        return min(moment + dt.timedelta(days=rng.uniform(low_days, high_days)), self.now)


LEAD_COLUMNS = ("id", "created_at", "updated_at", "search_text", "assigned_to_id", "source", "status", "score",
                "score_breakdown", "employees", "engagement_signals", "budget_signals", "timing", "full_name",
                "phone", "email", "company_name", "sector", "city", "notes", "lost_reason", "qualified_at",
                "converted_at")
CONTACT_COLUMNS = ("id", "created_at", "updated_at", "search_text", "company_id", "lead_id", "owner_id",
                   "full_name", "job_title", "email", "phone", "whatsapp", "language", "consent_status", "is_active")
DEAL_COLUMNS = ("id", "created_at", "updated_at", "search_text", "lead_id", "company_id", "contact_id",
                "assigned_to_id", "title", "stage", "value", "currency", "probability", "expected_close",
                "closed_at", "lost_reason")
CUSTOMER_COLUMNS = ("id", "created_at", "updated_at", "search_text", "lead_id", "deal_id", "full_name", "email",
                    "phone", "company_name", "lifetime_value", "activated_at")
ACTIVITY_COLUMNS = ("id", "created_at", "updated_at", "user_id", "lead_id", "deal_id", "type", "subject", "body",
                    "scheduled_at", "completed_at")
COMPANY_COLUMNS = ("id", "created_at", "updated_at", "search_text", "name", "name_ar", "sector", "size", "city",
                   "region", "cr_number", "website", "is_active")
# How far down the funnel each status is: more signals, more activities.
STATUS_DEPTH = {LeadStatus.NEW: 0, LeadStatus.CONTACTED: 1, LeadStatus.QUALIFIED: 2, LeadStatus.CONVERTED: 3,
                LeadStatus.LOST: 1}
CITY_AR = {english: arabic for english, arabic, _region in sample.CITIES}
CITY_REGION = {english: region for english, _arabic, region in sample.CITIES}


class _Maker:
    """Makes the rows of one tenant's volume data from one random stream."""

    def __init__(self, *, rng: random.Random, slug: str, owners: list[User], owner_weights: list[float]):
        self.rng = rng
        self.rules = current_rules()
        self.now = timezone.now()
        self.clock = _Clock(self.now, HISTORY_DAYS)
        self.owners, self.owner_weights = owners, owner_weights
        self.companies: list[SimpleNamespace] = []
        self.contacts, self.deals, self.customers, self.activities = [], [], [], []

    def company_rows(self, count: int):
        rng = self.rng
        sectors = _weighted(rng, SECTOR_WEIGHTS, count)
        cities = _weighted(rng, CITY_WEIGHTS, count)
        for index in range(count):
            core = rng.randrange(len(sample.COMPANY_CORES_AR))
            suffix = rng.randrange(len(sample.COMPANY_SUFFIXES_AR))
            name_ar = (f"{rng.choice(sample.COMPANY_PREFIXES_AR)} {sample.COMPANY_CORES_AR[core]} "
                       f"{sample.COMPANY_SUFFIXES_AR[suffix]}")
            name_en = f"{sample.COMPANY_CORES_EN[core]} {sample.COMPANY_SUFFIXES_EN[suffix]} Co."
            arabic = rng.random() < 0.7
            name, city = (name_ar if arabic else name_en), cities[index]
            band = rng.choices([band for band, _ in EMPLOYEE_BANDS], weights=[weight for _, weight in EMPLOYEE_BANDS])
            employees = rng.randint(*band[0])
            domain = f"{sample.COMPANY_CORES_EN[core].lower()}{index}.com.sa"
            cr_number, website = f"{CR_PREFIX[city]}{rng.randrange(10**6):06d}", f"https://{domain}"
            created = self.clock.past(rng, HISTORY_DAYS)
            company = SimpleNamespace(id=_uuid(rng), name=name, sector=sectors[index], employees=employees,
                                      size=_size_for(employees), city=city, arabic=arabic, domain=domain)
            self.companies.append(company)
            yield (company.id, created, created,
                   _search_text(Company, name=name, name_ar=name_ar, cr_number=cr_number, website=website),
                   name, name_ar, company.sector, company.size, CITY_AR[city] if arabic else city, CITY_REGION[city],
                   cr_number, website, True)

    def lead_rows(self, count: int):
        """Yields leads (into an open COPY: the server indexes them while the next are made) and collects
        each lead's contact, deal, customer and activities for the COPYs that follow."""
        rng, rules, clock = self.rng, self.rules, self.clock
        statuses = _weighted(rng, STATUS_WEIGHTS, count)
        sources = _weighted(rng, SOURCE_WEIGHTS, count)
        owners = rng.choices(self.owners, weights=self.owner_weights, k=count)
        engagement, budget, timings = list(EngagementSignal.values), list(BudgetSignal.values), list(Timing.values)
        for index in range(count):
            status, owner = statuses[index], owners[index]
            depth = STATUS_DEPTH[status]
            company = self.companies[rng.randrange(len(self.companies))]
            arabic = company.arabic if rng.random() < 0.85 else not company.arabic
            language = "ar" if arabic else "en"
            full_name = sample.person_name(rng, language)
            first, last = rng.choice(sample.FIRST_NAMES_EN), rng.choice(sample.LAST_NAMES_EN)
            email = f"{first.lower()}.{last.lower().replace('-', '')}{rng.randrange(100)}@{company.domain}"
            phone = sample.saudi_mobile(rng)
            created = clock.past(rng, HISTORY_DAYS if depth else 60)
            # Deeper in the funnel, more signals; the score follows RULES.md §1 exactly.
            signals = rng.sample(engagement, k=rng.randint(0, 1) + depth)
            money = rng.sample(budget, k=rng.randint(0, min(3, depth)))
            timing = rng.choice(timings[:2 + depth]) if depth or rng.random() < 0.5 else ""
            score = score_lead(employees=company.employees, sector=company.sector, engagement_signals=signals,
                               budget_signals=money, timing=timing, rules=rules)
            qualified_at = converted_at = None
            if status in (LeadStatus.QUALIFIED, LeadStatus.CONVERTED):
                qualified_at = clock.after(rng, created, 0.5, 12)
            if status == LeadStatus.CONVERTED:
                converted_at = clock.after(rng, qualified_at, 0.2, 10)
            lost_reason = ""
            if status == LeadStatus.LOST:
                lost_reason = rng.choice(LOST_REASONS_AR if arabic else LOST_REASONS_EN)
            lead_id, contact_id = _uuid(rng), _uuid(rng)
            city = CITY_AR[company.city] if arabic else company.city
            yield (lead_id, created, converted_at or qualified_at or created,
                   _search_text(Lead, full_name=full_name, email=email, company_name=company.name, phone=phone),
                   owner.pk, sources[index], status, score.total, score.breakdown, company.employees, signals, money,
                   timing, full_name, phone, email, company.name, company.sector, city, "", lost_reason,
                   qualified_at, converted_at)

            consent = rng.choices((ConsentStatus.GRANTED, ConsentStatus.PENDING, ConsentStatus.REVOKED),
                                  weights=(62, 30, 8))[0]
            job_title = rng.choice(JOB_TITLES_AR if arabic else JOB_TITLES_EN)
            self.contacts.append((
                contact_id, created, created,
                _search_text(Contact, full_name=full_name, email=email, job_title=job_title, phone=phone,
                             whatsapp=phone),
                company.id, lead_id, owner.pk, full_name, job_title, email, phone, phone, language, consent, True))
            deal_id = None
            if status == LeadStatus.CONVERTED:
                deal_id = self._deal(lead_id=lead_id, contact_id=contact_id, company=company, owner=owner,
                                     arabic=arabic, created=converted_at, full_name=full_name, email=email,
                                     phone=phone)
            self._activities(lead_id=lead_id, deal_id=deal_id, owner=owner, arabic=arabic, created=created,
                             depth=depth)

    def _deal(self, *, lead_id, contact_id, company, owner, arabic, created, full_name, email, phone):
        rng = self.rng
        stage = _weighted(rng, STAGE_WEIGHTS, 1)[0]
        low, high = DEAL_VALUE_BY_SIZE[company.size]
        value = Decimal(rng.randrange(low, high) // 50 * 50)
        expected_close = (created + dt.timedelta(days=rng.randint(14, 90))).astimezone(RIYADH).date()
        closed_at, lost_reason = None, ""
        if stage in (DealStage.CLOSED_WON, DealStage.CLOSED_LOST):
            closed_at = self.clock.after(rng, created, 3, 45)
            if stage == DealStage.CLOSED_LOST:
                lost_reason = rng.choice(DEAL_LOST_REASONS)
        deal_id = _uuid(rng)
        title = f"{rng.choice(DEAL_PRODUCTS_AR if arabic else DEAL_PRODUCTS_EN)} — {company.name}"
        self.deals.append((deal_id, created, closed_at or created, _search_text(Deal, title=title), lead_id,
                           company.id, contact_id, owner.pk, title, stage, value, "SAR",
                           self.rules.stage_probability[stage], expected_close, closed_at, lost_reason))
        if stage == DealStage.CLOSED_WON:
            self.customers.append((
                _uuid(rng), closed_at, closed_at,
                _search_text(Customer, full_name=full_name, email=email, company_name=company.name, phone=phone),
                lead_id, deal_id, full_name, email, phone, company.name, value, closed_at))
        return deal_id

    def _activities(self, *, lead_id, deal_id, owner, arabic, created, depth):
        rng, now = self.rng, self.now
        for _ in range(rng.randint(0, 1 + depth)):
            kind = rng.choices(ACTIVITY_TYPES, weights=ACTIVITY_TYPE_WEIGHTS)[0]
            when = self.clock.after(rng, created, 0, 20)
            scheduled = completed = None
            if kind in (ActivityType.TASK, ActivityType.MEETING):
                scheduled = when + dt.timedelta(days=rng.randint(0, 5), hours=rng.randint(0, 4))
                if scheduled < now and rng.random() < 0.8:
                    completed = min(scheduled + dt.timedelta(minutes=rng.randint(5, 240)), now)
            else:
                completed = when
            self.activities.append((_uuid(rng), when, completed or when, owner.pk, lead_id,
                                    deal_id if deal_id and rng.random() < 0.5 else None, kind,
                                    ACTIVITY_SUBJECTS[kind][0 if arabic else 1], "", scheduled, completed))

    def flush(self, result: SeedResult) -> None:
        """COPY what the leads collected, parents first."""
        for key, model, columns, rows in (("contacts", Contact, CONTACT_COLUMNS, self.contacts),
                                          ("deals", Deal, DEAL_COLUMNS, self.deals),
                                          ("customers", Customer, CUSTOMER_COLUMNS, self.customers),
                                          ("activities", Activity, ACTIVITY_COLUMNS, self.activities)):
            result.rows[key] = result.rows.get(key, 0) + copy_rows(model, columns, rows)
            rows.clear()


def seed_leads(*, count: int, slug: str, seed: int = 2026, batch: int = 50_000) -> SeedResult:
    """Write `count` leads and what hangs off them into the current schema (in the caller's
    transaction). Foreign keys are checked before returning, so the time includes them."""
    started = time.perf_counter()
    rng = random.Random(f"{seed}-{slug}-{count}")
    agents, managers, _admin = ensure_team(slug)
    owners = agents + managers
    maker = _Maker(rng=rng, slug=slug, owners=owners,
                   owner_weights=[rng.uniform(0.6, 1.4) for _ in agents] + [0.35] * len(managers))
    result = SeedResult()
    result.rows["companies"] = copy_rows(Company, COMPANY_COLUMNS, maker.company_rows(max(1, count // 5)))
    for start in range(0, count, batch):
        result.rows["leads"] = result.rows.get("leads", 0) + copy_rows(Lead, LEAD_COLUMNS,
                                                                       maker.lead_rows(min(batch, count - start)))
        maker.flush(result)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the deferred foreign keys now
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    result.seconds = time.perf_counter() - started
    return result


def analyze() -> None:
    """Fresh planner statistics for the tables just filled."""
    tables = [model._meta.db_table for model in (Company, Lead, Contact, Deal, Customer, Activity, User)]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
