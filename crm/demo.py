"""The demo workspaces' CRM: a believable month of companies, contacts, leads in every status, deals in
every stage, proposals, meetings, calls, messages, tasks, prospects and scorecards.

Called by `dealix.tenancy.demo` in the tenant's schema. The stories are in crm/demo_content.py; this
module dates them (Riyadh working hours over the last 30 days, a few older won deals for the affiliate
programme's payout history), keeps them consistent with the models' state machines and constraints
and with RULES.md (scores, stage probabilities, consent before every outbound message, sending
windows, WhatsApp's 24-hour window, meeting hours, no double booking), and writes them with
`bulk_create`. Rows look like the services' own: messages are the tenant's standard templates filled in
as the message service fills them, with its purposes, reason codes and providers' ids (the history
went out through the providers; the demo tenants have no credentials now, so new sends go to the
outbox); meetings hold their agent's `busy` time and reminder stamps
as the booking services leave them. The other apps' demos build on the `CrmDemo` it returns. Seeding is
the system's own initial data, so it writes no audit rows."""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

from crm import demo_content as content
from crm.bookings import booking_link, format_when, meeting_context
from crm.choices import (ActivityType, BookingStatus, CompanySize, ConsentStatus, DealStage, Direction, LeadStatus,
                         MessageChannel, MessagePurpose, MessageReason, MessageStatus, Priority, ProspectStatus)
from crm.demo_content import T, pick
from crm.messaging import is_opt_out
from crm.models import (Activity, AutoBooking, Call, Company, Contact, Customer, Deal, Lead, Message, Proposal,
                        Prospect, Scorecard, Template)
from crm.scoring import score_lead
from crm.sending_rules import next_opening
from crm.standard_templates import ensure_standard_templates
from crm.templating import context_for, render
from dealix.accounts.choices import Role
from dealix.core import sample_data as sample
from dealix.core.seeding import (RIYADH, Batch, add_working_days, business_time, later, riyadh, working_day)
from dealix.tenancy.rules import VAT_RATE, current_rules

CENT = Decimal("0.01")
CITY_AR = {english: arabic for english, arabic, _region in sample.CITIES}
CITY_REGION = {english: region for english, _arabic, region in sample.CITIES}
CR_PREFIX = {"Riyadh": "1010", "Jeddah": "4030", "Makkah": "4031", "Madinah": "4650", "Dammam": "2050",
             "Khobar": "2051", "Dhahran": "2052", "Taif": "4032", "Abha": "5850", "Tabuk": "3550",
             "Buraidah": "1131", "Hail": "3350", "Jazan": "5900", "Najran": "5950", "Al Ahsa": "2250"}
MEETING_NAMES = {"demo": T("عرض توضيحي", "Demo"), "consultation": T("استشارة", "Consultation"),
                 "custom_presentation": T("عرض مخصص", "Custom presentation"), "follow_up": T("متابعة", "Follow-up")}
INSERT_ORDER = (Company, Lead, Contact, Deal, Customer, Proposal, Message, Call, AutoBooking, Activity, Prospect,
                Scorecard)


@dataclass
class CrmDemo:
    """What the CRM demo made, for the affiliate and compliance demos that build on it."""
    language: str
    slug: str
    people: dict
    now: dt.datetime
    batch_day: dt.date
    leads: dict = field(default_factory=dict)        # story key → Lead
    contacts: dict = field(default_factory=dict)     # story key → Contact
    deals: dict = field(default_factory=dict)        # story key → Deal
    customers: dict = field(default_factory=dict)    # story key → Customer
    companies: dict = field(default_factory=dict)    # company key → Company
    stories: dict = field(default_factory=dict)      # story key → story dict
    subscription_value: dict = field(default_factory=dict)  # story key → Decimal (net, after discount)
    plan: dict = field(default_factory=dict)         # story key → starter | pro | enterprise
    consent_plan: list = field(default_factory=list)  # dicts: contact, channel, status, at, source, ip
    self_referral_phone: str = ""
    lead_created: dict = field(default_factory=dict)  # lead pk → when it arrived
    counts: dict = field(default_factory=dict)

    def text(self, value):
        return pick(value, self.language)


def payout_batch_day(now: dt.datetime) -> dt.date:
    """The 1st of the month whose payout batch is already completed (RULES.md §6: computed on the 1st,
    paid within 10 business days): this month's once a week has passed, else last month's."""
    today = now.astimezone(RIYADH).date()
    first = today.replace(day=1)
    if (today - first).days >= 7:
        return first
    return (first - dt.timedelta(days=1)).replace(day=1)


def seed_crm(*, language: str, people: dict, slug: str, tenant_name: str, rng: random.Random,
             now: dt.datetime) -> CrmDemo | None:
    """Seed the CRM of the current schema; None (and nothing written) when it already has leads. The
    tenant's standard templates are completed either way (the demo writes its messages from them)."""
    ensure_standard_templates()
    if Lead.objects.exists():
        return None
    templates = {(template.key, template.type, template.language): template
                 for template in Template.objects.filter(is_active=True).exclude(key="")}
    demo = CrmDemo(language=language, slug=slug, people=people, now=now, batch_day=payout_batch_day(now))
    _Builder(demo, templates=templates, tenant_name=tenant_name, rng=rng).build()
    return demo


class _Builder:
    def __init__(self, demo: CrmDemo, *, templates: dict, tenant_name: str, rng: random.Random):
        self.demo, self.templates, self.tenant_name, self.rng = demo, templates, tenant_name, rng
        self.language, self.now = demo.language, demo.now
        self.rules = current_rules()
        self.batch = Batch()
        self.agent, self.manager = demo.people[Role.AGENT], demo.people[Role.MANAGER]
        self.busy: dict = {}  # agent id → [(start, end)] of meetings, to never double-book
        self.bookings: dict = {}  # (story key, meeting type) → AutoBooking
        self.proposals: dict = {}  # (story key, version) → Proposal
        self.whatsapp_in: dict = {}  # contact pk → when they wrote on WhatsApp (RULES.md §2: the 24-hour window)
        self.whatsapp_out: dict = {}  # contact pk → when our last WhatsApp message went out (the minimum gap)
        self.email_subject: dict = {}  # contact pk → the subject of the thread's last email, for a reply
        self.created: dict = {}  # story key → when the lead arrived
        self.facts: dict = {}  # company key → (employees, web domain): inputs, not stored on Company
        self.consent: dict = {}  # contact pk → {"channels": set, "revocations": [...], "revoked_at": datetime}
        self.proposal_sent: dict = {}  # (story key, version) → when it was sent
        self.last_event: dict = {}  # story key → the latest thing that happened, for the agent's summary note

    def t(self, value):
        return pick(value, self.language)

    # --- the whole month -------------------------------------------------------------------------
    def build(self):
        for key, spec in content.COMPANIES.items():
            self.company(key, spec)
        for story in content.STORIES:
            self.story(story)
        self.fillers()
        for booking in content.BOOKINGS:
            self.booking(*booking)
        for story_key, lines in content.CONVERSATIONS.items():
            self.conversation(story_key, lines)
        for story_key, calls in content.CALLS.items():
            self.calls(story_key, calls)
        for task in content.TASKS:
            self.task(*task)
        for story in content.STORIES:  # the agent's summary, written after the latest event
            self.note(self.demo.leads[story["key"]], self.demo.leads[story["key"]].assigned_to,
                      self.last_event.get(story["key"], self.created[story["key"]]), story["note"])
        self.prospects()
        self.scorecards()
        self.demo.lead_created = {pk: created for pk, (created, _updated) in self.batch.stamps[Lead].items()}
        self.demo.counts = self.batch.save(INSERT_ORDER)

    # --- companies, leads, contacts ----------------------------------------------------------------
    def company(self, key, spec):
        name_ar, name_en, sector, employees, city, website = spec
        arabic = self.language == "ar"
        company = Company(name=name_ar if arabic else name_en, name_ar=name_ar, sector=sector,
                          size=_size_for(employees), city=CITY_AR[city] if arabic else city,
                          region=CITY_REGION[city], cr_number=f"{CR_PREFIX[city]}{self.rng.randrange(10**6):06d}",
                          website=f"https://{website}" if not website.endswith(".gov.sa") else f"https://www.{website}",
                          is_active=True)
        self.facts[key] = (employees, website)
        self.demo.companies[key] = company

    def keep_company(self, key, created) -> Company:
        """Companies are recorded when a lead converts (as `lead_convert` does) or a prospect is opened;
        until then a lead only names its company."""
        company = self.demo.companies[key]
        stamps = self.batch.stamps.get(Company, {})
        if company.pk not in stamps:
            self.batch.add(company, created)
        elif created < stamps[company.pk][0]:
            stamps[company.pk] = (created, created)
        return company

    def arrival(self, story, closed_at: dt.datetime | None) -> dt.datetime:
        if story.get("history") == "paid":
            return business_time(self.rng, closed_at, 21)
        if story["key"] == "lamasat":  # an evening WhatsApp: the SMS waits for its window (RULES.md §2)
            day = working_day(self.now.astimezone(RIYADH).date())
            while riyadh(day, 19, 30) >= self.now:
                day = working_day(day - dt.timedelta(days=1))
            return riyadh(day, 19, 30)
        age = story["age"]
        if age < 1:
            moment = self.now - dt.timedelta(days=age)
            local = moment.astimezone(RIYADH)
            if local.weekday() in (6, 0, 1, 2, 3) and 9 <= local.hour < 17:
                return moment
        return business_time(self.rng, self.now, age)

    def history_close(self, marker: str) -> dt.datetime:
        """Won deals the last completed payout paid: closed long enough before the batch day for the
        30-day guarantee window to pass and the commission to be approved before the 1st."""
        days_before = {"paid-1": 48, "paid-2": 40}[marker]
        batch = riyadh(self.demo.batch_day, 9)
        return business_time(self.rng, batch, days_before)

    def story(self, story):
        rng, key = self.rng, story["key"]
        company = self.demo.companies[story["company"]]
        employees, domain = self.facts[story["company"]]
        owner = self.agent if story["owner"] == "agent" else self.manager
        deal_spec = story.get("deal")
        closed_at = None
        if deal_spec and deal_spec.get("closed") is not None:
            closed = deal_spec["closed"]
            closed_at = self.history_close(closed) if isinstance(closed, str) else business_time(rng, self.now, closed)
        created = self.arrival(story, closed_at)
        self.created[key] = created
        person = story["person"]
        full_name = self.t(person)
        email = _email(pick(person, "en"), domain)
        phone = sample.saudi_mobile(rng)
        if story.get("affiliate") == "suspended":
            self.demo.self_referral_phone = phone
        score = score_lead(employees=employees, sector=company.sector,
                           engagement_signals=story["engagement"], budget_signals=story["budget"],
                           timing=story["timing"], rules=self.rules)
        qualified_at = converted_at = None
        status = story["status"]
        if status in (LeadStatus.QUALIFIED, LeadStatus.CONVERTED):
            end = closed_at or self.now
            qualified_at = _between(rng, created, end, 0.25)
            if status == LeadStatus.CONVERTED:
                converted_at = _between(rng, qualified_at, end, 0.3)
        lost_reason = self.t(story["lost_reason"]) if status == LeadStatus.LOST else ""
        lead = Lead(assigned_to=owner, source=story["source"], status=status, score=score.total,
                    score_breakdown=score.breakdown, employees=employees,
                    engagement_signals=list(story["engagement"]), budget_signals=list(story["budget"]),
                    timing=story["timing"], full_name=full_name, phone=phone, email=email,
                    company_name=company.name, sector=company.sector, city=company.city, notes=self.t(story["note"]),
                    lost_reason=lost_reason, qualified_at=qualified_at, converted_at=converted_at)
        updated = max(filter(None, [created, qualified_at, converted_at]))
        if status == LeadStatus.LOST:  # given up on `lost` days ago, after the last follow-up
            updated = business_time(rng, self.now, story["lost"])
        self.batch.add(lead, created, updated)
        if converted_at:
            self.keep_company(story["company"], converted_at)
        contact = self.contact(lead, company if converted_at else None, owner, story["title"], story["consent"],
                               created)
        self.demo.leads[key], self.demo.contacts[key], self.demo.stories[key] = lead, contact, story
        self._happened(key, updated)
        if deal_spec:
            self.deal(key, lead, contact, company, owner, deal_spec, converted_at, closed_at)

    def contact(self, lead, company, owner, title, profile, created):
        grants = content.CONSENT_PROFILES[profile]
        contact = Contact(company=company, lead=lead, owner=owner, full_name=lead.full_name, job_title=self.t(title),
                          email=lead.email, phone=lead.phone, whatsapp=lead.phone, language=self.language,
                          consent_status=ConsentStatus.PENDING, is_active=True)
        granted = set()
        for channel, source, with_ip in grants["grant"]:
            # A form or a WhatsApp message is consent given as the lead arrives; an event sign-up sheet or
            # an import records consent given earlier (its time), when the contact is created.
            at = created if source in ("web_form", "whatsapp_inbound") else created - dt.timedelta(days=12)
            self.demo.consent_plan.append({"contact": contact, "channel": channel, "status": "granted", "at": at,
                                           "recorded": created, "source": source,
                                           "ip": _ip(self.rng) if with_ip else None})
            granted.add(channel)
        if granted:
            contact.consent_status = ConsentStatus.GRANTED
        self.batch.add(contact, created)
        # Current consent, for the message rules below; revocations are dated when the opt-out arrives.
        self.consent[contact.pk] = {"channels": granted, "revocations": grants["revoke"], "revoked_at": None}
        return contact

    def note(self, lead, owner, after, text):
        """A note as the timeline shows the ones people type: its first line is the subject."""
        moment = later(self.rng, after, self.now, min_minutes=6, max_minutes=45)
        body = self.t(text)
        self.batch.add(Activity(user=owner, lead=lead, type=ActivityType.NOTE, subject=body.splitlines()[0][:120],
                                body=body, completed_at=moment), moment)

    def _happened(self, story_key, moment):
        if moment is not None:
            self.last_event[story_key] = max(moment, self.last_event.get(story_key, moment))

    # --- deals, proposals, customers -------------------------------------------------------------------
    def deal(self, key, lead, contact, company, owner, spec, converted_at, closed_at):
        rng, stage = self.rng, spec["stage"]
        package_name, price, plan = content.PACKAGES[spec["package"]]
        discount = spec.get("discount", Decimal("0"))
        items = [(self.t(package_name), price, discount)]
        items += [(self.t(content.ADD_ONS[add_on][0]), content.ADD_ONS[add_on][1], Decimal("0"))
                  for add_on in spec.get("add_ons", [])]
        net = sum(_line_total(price, disc) for _name, price, disc in items)
        value = spec.get("estimate", net) if stage == DealStage.DISCOVERY else net
        title = f"{self.t(content.PACKAGE_SHORT[spec['package']])} — {company.name}"
        expected_close = (closed_at or self.now + dt.timedelta(days=rng.randint(12, 40))).astimezone(RIYADH).date()
        deal = Deal(lead=lead, company=company, contact=contact, assigned_to=owner, title=title, stage=stage,
                    plan=plan, value=value.quantize(CENT), currency="SAR",
                    probability=self.rules.stage_probability[stage],
                    expected_close=expected_close, closed_at=closed_at,
                    lost_reason=self.t(spec["lost_reason"]) if stage == DealStage.CLOSED_LOST else "")
        self.batch.add(deal, converted_at, closed_at or converted_at)
        self.demo.deals[key] = deal
        self._happened(key, closed_at)
        self.demo.plan[key] = plan
        self.demo.subscription_value[key] = _line_total(price, discount)
        end = closed_at or self.now
        for version, status in enumerate(spec.get("proposals", []), start=1):
            self.proposal(key, deal, version, status, items if version == len(spec["proposals"]) else
                          [(name, price_, Decimal("0")) for name, price_, _disc in items], plan, converted_at, end,
                          len(spec["proposals"]))
        if stage == DealStage.CLOSED_WON:
            # The package is a yearly price billed monthly (the one-off add-ons come with the first month).
            customer = Customer(lead=lead, deal=deal, full_name=contact.full_name, email=contact.email,
                                phone=contact.phone, company_name=company.name, lifetime_value=deal.value,
                                activated_at=closed_at, plan=plan,
                                monthly_amount=(self.demo.subscription_value[key] / 12).quantize(CENT, ROUND_HALF_UP))
            self.batch.add(customer, closed_at)
            self.demo.customers[key] = customer

    def proposal(self, key, deal, version, status, items, plan, start, end, versions):
        rng = self.rng
        share = (version - 0.6) / versions
        created = _between(rng, start, end, min(0.85, share * 0.8))
        lines, subtotal = [], Decimal("0")
        for name, price, discount in items:
            total = _line_total(price, discount)
            subtotal += total
            lines.append({"description": name, "quantity": 1, "unit_price": str(price.quantize(CENT)),
                          "discount_percent": str(discount), "total": str(total)})
        vat = (subtotal * VAT_RATE).quantize(CENT, ROUND_HALF_UP)
        token = f"{self.rng.getrandbits(64):016x}"
        sent_at = viewed_at = None
        updated = created
        if status != "draft":
            sent_at = later(rng, created, self.now, min_minutes=30, max_minutes=240)
            updated = sent_at
        if status in ("viewed", "accepted", "rejected"):
            viewed_at = later(rng, sent_at, self.now, min_minutes=60, max_minutes=60 * 20)
            if status == "accepted":  # opened before the deal closed
                viewed_at = max(sent_at + dt.timedelta(minutes=5), min(viewed_at, end - dt.timedelta(hours=2)))
            updated = viewed_at
        if status == "accepted":
            updated = max(viewed_at, min(end, self.now))
        elif status == "rejected":
            updated = later(rng, viewed_at, self.now, min_minutes=120, max_minutes=60 * 30)
        valid_until = (created.astimezone(RIYADH).date() + dt.timedelta(days=self.rules.proposal_valid_days))
        proposal = Proposal(deal=deal, version=version, status=status, sent_at=sent_at, viewed_at=viewed_at,
                            title=f"{deal.title} — v{version}",
                            content={"currency": "SAR", "plan": plan, "lines": lines,
                                     "subtotal": str(subtotal), "vat_rate": str(VAT_RATE * 100),
                                     "vat": str(vat), "total": str(subtotal + vat),
                                     "valid_until": valid_until.isoformat(),
                                     "link": f"https://{self.demo.slug}.dealix.sa/p/{token}"})
        self.batch.add(proposal, created, updated)
        self.proposal_sent[(key, version)] = sent_at
        self.proposals[(key, version)] = proposal
        self._happened(key, updated)
        if sent_at:
            self.batch.add(Activity(user=deal.assigned_to, lead=deal.lead, deal=deal, type=ActivityType.EMAIL,
                                    subject=self.t(T(f"إرسال عرض السعر (النسخة {version})",
                                                     f"Proposal v{version} sent")),
                                    body=self.t(T(f"الإجمالي شامل الضريبة: {subtotal + vat:,.2f} ريال",
                                                  f"Total incl. VAT: SAR {subtotal + vat:,.2f}")),
                                    completed_at=sent_at), sent_at)

    # --- fillers: more leads so lists and the pipeline look like a working month ------------------------
    def fillers(self):
        rng, language = self.rng, self.language
        stages = iter(content.FILLER_DEAL_STAGES)
        sectors = list(content.FILLER_COMPANY_NAMES)
        used_names = set()
        for number, status in enumerate(content.FILLER_PLAN):
            sector_key = rng.choice(sectors)
            while (number % len(content.FILLER_CORES), sector_key) in used_names:  # no two companies alike
                sector_key = rng.choice(sectors)
            used_names.add((number % len(content.FILLER_CORES), sector_key))
            english_name = sample.person_name(rng, "en")
            full_name = sample.person_name(rng, "ar") if language == "ar" else english_name
            core = content.FILLER_CORES[number % len(content.FILLER_CORES)]
            company_name = pick(content.FILLER_COMPANY_NAMES[sector_key], language).format(core=pick(core, language))
            city_en, _region_ar, region = rng.choice(sample.CITIES)
            employees = rng.choice([4, 8, 15, 28, 45, 70, 130, 260])
            domain = f"{pick(core, 'en').lower()}-{sector_key.replace('_', '')}.com.sa"
            engagement = rng.sample(["replied", "opened_email", "visited_website", "asked_question", "clicked_link",
                                     "requested_demo"], k={"new": 1, "contacted": 2, "lost": 1}.get(status, 3))
            if status in ("qualified", "converted") and "requested_demo" not in engagement:
                engagement[0] = "requested_demo"
            budget = rng.sample(["asked_pricing", "compared_competitors", "discussed_roi"],
                                k=0 if status in ("new", "lost") else rng.randint(0, 2))
            timing = rng.choice(["exploring", "evaluating"] if status in ("new", "contacted", "lost")
                                else ["evaluating", "deciding"])
            score = score_lead(employees=employees, sector=sector_key, engagement_signals=engagement,
                               budget_signals=budget, timing=timing, rules=self.rules)
            created = business_time(rng, self.now, rng.uniform(1, 29))
            owner = self.manager if number % 4 == 0 and status != "converted" else self.agent
            qualified_at = converted_at = None
            if status in ("qualified", "converted"):
                qualified_at = _between(rng, created, self.now, 0.3)
            if status == "converted":
                converted_at = _between(rng, qualified_at, self.now, 0.3)
            city = CITY_AR[city_en] if language == "ar" else city_en
            note = rng.choice(content.FILLER_NOTES[status])
            lead = Lead(assigned_to=owner, source=rng.choice(["web", "whatsapp", "import", "referral"]), status=status,
                        score=score.total, score_breakdown=score.breakdown, employees=employees,
                        engagement_signals=engagement, budget_signals=budget, timing=timing, full_name=full_name,
                        phone=sample.saudi_mobile(rng), email=_email(english_name, domain), company_name=company_name,
                        sector=sector_key, city=city, notes=self.t(note),
                        lost_reason=self.t(rng.choice(content.FILLER_LOST_REASONS)) if status == "lost" else "",
                        qualified_at=qualified_at, converted_at=converted_at)
            self.batch.add(lead, created, converted_at or qualified_at or created)
            company = None
            if status == "converted":
                company = Company(name=company_name, name_ar=company_name if language == "ar" else "",
                                  sector=sector_key, size=_size_for(employees), city=city, region=region,
                                  website=f"https://{domain}", is_active=True)
                self.batch.add(company, converted_at)
            profile = rng.choice(content.FILLER_CONSENTS)
            contact = self.contact(lead, company, owner, T("المدير العام", "General Manager"), profile, created)
            key = f"filler-{number}"
            self.created[key] = created
            self.demo.leads[key], self.demo.contacts[key] = lead, contact
            self.note(lead, owner, created, note)
            if "whatsapp" in self.consent[contact.pk]["channels"]:
                self.conversation(key, [("whatsapp", "outbound", rng.choice(["delivered", "read"]), (1, 4), None,
                                         "welcome", None)])
            if status == "converted":
                stage = next(stages)
                price = Decimal(rng.choice([18000, 24000, 36000, 48000, 66000]))
                closed_at = _between(rng, converted_at, self.now, 0.6) if stage == "closed_lost" else None
                plan = "pro" if price >= 48000 else "starter"
                deal = Deal(lead=lead, company=company, contact=contact, assigned_to=owner,
                            title=f"{self.t(content.PACKAGE_SHORT[plan])} — {company_name}", plan=plan, stage=stage,
                            value=price, currency="SAR",
                            probability=self.rules.stage_probability[stage],
                            expected_close=(closed_at or self.now + dt.timedelta(days=rng.randint(10, 45)))
                            .astimezone(RIYADH).date(), closed_at=closed_at,
                            lost_reason=self.t(content.FILLER_DEAL_LOST) if stage == "closed_lost" else "")
                self.batch.add(deal, converted_at, closed_at or converted_at)
                self.demo.deals[key] = deal

    # --- messages -------------------------------------------------------------------------------------
    def conversation(self, story_key, lines):
        rng, rules = self.rng, self.rules
        lead, contact = self.demo.leads[story_key], self.demo.contacts[story_key]
        consent = self.consent[contact.pk]
        moment = self.created[story_key]
        for channel, direction, status, timing, text, template_key, subject, *instead in lines:
            anchor, low, high, meeting = self._anchor(story_key, timing, moment)
            outbound = direction == Direction.OUTBOUND
            if low < 0:  # before a meeting: the reminder job writes it on the minute
                moment = anchor + dt.timedelta(minutes=rng.randint(low, high))
            elif status == MessageStatus.QUEUED:  # asked for now, outside the channel's window
                moment = min(anchor + dt.timedelta(minutes=rng.randint(low, high)), self.now - dt.timedelta(minutes=1))
            else:
                # Inbound messages come whenever people write; ours go out inside the channel's window.
                end_hour = rules.sending_windows[channel][1] if outbound else 23
                moment = later(rng, anchor, self.now, min_minutes=low, max_minutes=max(high, low + 1),
                               end_hour=end_hour)
            whatsapp_out = outbound and channel == MessageChannel.WHATSAPP and status != MessageStatus.FAILED
            if whatsapp_out and contact.pk in self.whatsapp_out:  # RULES.md §2: a gap between our WhatsApps
                gap_ends = self.whatsapp_out[contact.pk] + dt.timedelta(minutes=rules.whatsapp_min_gap_minutes)
                moment = max(moment, min(gap_ends, self.now - dt.timedelta(minutes=1)))
            self._happened(story_key, moment)
            if not outbound:
                message = self._received(lead, contact, channel, moment, self.t(text), subject)
                self.batch.add(message, moment)
                continue
            if whatsapp_out and not template_key and not self._whatsapp_open(contact, moment):
                # Free text only within 24 hours of the contact's last message; else the approved template.
                if not instead:
                    raise AssertionError(f"demo story {story_key}: free WhatsApp text outside the 24-hour window")
                template_key, text, subject = instead[0], None, None
            purpose = (content.TEMPLATE_PURPOSES.get(template_key, MessagePurpose.MANUAL) if template_key
                       else MessagePurpose.MANUAL)
            if purpose != MessagePurpose.OPT_OUT_CONFIRMATION and channel not in consent["channels"] \
                    and status != MessageStatus.FAILED:
                raise AssertionError(f"demo story {story_key}: a {channel} message without consent")
            if status == MessageStatus.FAILED and channel in consent["channels"]:
                raise AssertionError(f"demo story {story_key}: only a send without consent fails")
            template = self._template(template_key, channel) if template_key else None
            message = self._written(story_key, lead, contact, channel, moment, template, text, subject, purpose,
                                    meeting)
            self._outcome(message, status, moment)
            if whatsapp_out and message.sent_at:
                self.whatsapp_out[contact.pk] = message.sent_at
            self.batch.add(message, moment, max(filter(None, [moment, message.sent_at, message.delivered_at,
                                                              message.read_at])))

    def _received(self, lead, contact, channel, moment, text, subject) -> Message:
        """An inbound message as `message_receive` keeps it; an opt-out keyword revokes the channel's
        consent at once (RULES.md §2)."""
        if subject == content.REPLY:
            subject = self.t(content.REPLY_PREFIX) + self.email_subject.get(contact.pk, "")
        else:
            subject = self.t(subject) if subject else ""
        message = Message(lead=lead, contact=contact, channel=channel, direction=Direction.INBOUND,
                          purpose=MessagePurpose.REPLY, to_address=_address(channel, contact), subject=subject[:255],
                          content=text, provider_message_id=_provider_id(self.rng, channel),
                          status=MessageStatus.DELIVERED, sent_at=moment, delivered_at=moment)
        if channel == MessageChannel.WHATSAPP:
            self.whatsapp_in.setdefault(contact.pk, []).append(moment)
        if channel == MessageChannel.EMAIL and subject:
            self.email_subject[contact.pk] = subject
        consent = self.consent[contact.pk]
        if is_opt_out(text):
            for revoked_channel, source in consent["revocations"]:
                self.demo.consent_plan.append({"contact": contact, "channel": revoked_channel, "status": "revoked",
                                               "at": moment, "recorded": moment, "source": source, "ip": None})
                consent["channels"].discard(revoked_channel)
            consent["revoked_at"] = moment
            if not consent["channels"]:
                contact.consent_status = ConsentStatus.REVOKED
        return message

    def _written(self, story_key, lead, contact, channel, moment, template, text, subject, purpose, meeting) -> Message:
        """An outbound message as `message_send` writes it: the template (or the agent's text) filled in
        with the standard context of contact, lead and sender, plus the meeting's and the proposal's values."""
        language = template.language if template is not None else self.language
        extra = {"tenant_name": self.tenant_name, "channel_name": pick(content.CHANNEL_NAMES[channel], language),
                 "booking_link": booking_link(lead)}
        if meeting is not None:
            extra.update(meeting_context(meeting, language),
                         meeting_type=pick(content.MEETING_IN_SENTENCE[meeting.meeting_type], language))
            if meeting.no_show:
                extra["slots"] = self._slots_after(meeting, language)
        sent = [proposal for (key, _version), proposal in self.proposals.items()
                if key == story_key and proposal.sent_at and proposal.sent_at <= moment]
        if sent:
            proposal = max(sent, key=lambda proposal: proposal.sent_at)
            extra.update(proposal_title=proposal.title, proposal_link=proposal.content["link"])
        context = context_for(contact=contact, lead=lead, language=language, extra=extra)
        typed = template is None
        if typed:  # what the agent typed, names filled in as if typed out
            template = Template(type=channel, subject=pick(subject, language) if subject else "",
                                body=pick(text, language))
        rendered = render(template, context)
        payload = {}
        if not typed and channel == MessageChannel.WHATSAPP and template.approved:
            payload["template"] = {"name": template.provider_name or template.key, "language": template.language,
                                   "params": rendered.params}
        if purpose == MessagePurpose.BOOKING_CONFIRMATION and channel == MessageChannel.EMAIL:
            payload["attachments"] = [{"builder": "crm.ics.booking_invite", "args": [str(meeting.pk)]}]
        message = Message(lead=lead, contact=contact, template=None if typed else template, channel=channel,
                          direction=Direction.OUTBOUND, purpose=purpose,
                          sent_by=lead.assigned_to if purpose == MessagePurpose.MANUAL else None,
                          to_address=_address(channel, contact),
                          subject=rendered.subject[:255] if channel == MessageChannel.EMAIL else "",
                          content=rendered.body, payload=payload)
        if message.subject:
            self.email_subject[contact.pk] = message.subject
        return message

    def _outcome(self, message: Message, status: str, moment: dt.datetime) -> None:
        """What became of an outbound message by now: refused without consent, waiting for its channel's
        window, or gone out through the provider (and, as the story has it, delivered and read)."""
        rng = self.rng
        if status == MessageStatus.FAILED:
            message.status, message.reason_code = MessageStatus.FAILED, MessageReason.NO_CONSENT
            message.failure_reason = MessageReason.NO_CONSENT  # as the service records a refusal: its code
            return
        went_out = moment
        opening = next_opening(message.channel, moment, self.rules)
        if opening is not None and opening > self.now:
            message.status, message.scheduled_for = MessageStatus.QUEUED, opening
            message.reason_code = MessageReason.OUTSIDE_WINDOW
            return
        if opening is not None:  # the window has opened since: the job sent it then
            went_out = opening
        message.status = MessageStatus.SENT if status == MessageStatus.QUEUED else status
        message.sent_at, message.attempts = went_out, 1
        # The month of history went out through the providers, as the story has it (delivered, read);
        # the demo tenants have no credentials now, so what a visitor sends goes to the outbox.
        message.provider_message_id = _provider_id(rng, message.channel)
        if message.status in (MessageStatus.DELIVERED, MessageStatus.READ):
            message.delivered_at = min(went_out + dt.timedelta(seconds=rng.randint(2, 20)), self.now)
        if message.status == MessageStatus.READ:
            minutes = rng.randint(1, 3) if message.channel == MessageChannel.WHATSAPP else rng.randint(5, 90)
            message.read_at = min(message.delivered_at + dt.timedelta(minutes=minutes), self.now)

    def _template(self, key: str, channel: str) -> Template:
        """The tenant's standard template for the channel, in the demo's language (else the other one)."""
        for language in (self.language, "en" if self.language == "ar" else "ar"):
            template = self.templates.get((key, channel, language))
            if template is not None:
                return template
        raise AssertionError(f"the tenant has no active standard template {key} ({channel})")

    def _whatsapp_open(self, contact, moment) -> bool:
        written = [at for at in self.whatsapp_in.get(contact.pk, []) if at <= moment]
        return bool(written) and moment - max(written) <= dt.timedelta(hours=self.rules.whatsapp_free_text_hours)

    def _slots_after(self, meeting: AutoBooking, language: str) -> str:
        """Three new times on the next working days' mornings and afternoons, as the no-show recovery offers
        them, on one line (a WhatsApp template value may not break lines)."""
        (day_start, _day_end), (_break_start, break_end) = self.rules.meeting_day, self.rules.meeting_break
        day, slots = meeting.proposed_time.astimezone(RIYADH).date(), []
        while len(slots) < 3:
            day = add_working_days(day, 1)
            slots += [riyadh(day, day_start + 1), riyadh(day, break_end + 1)]
        separator = "، " if language == "ar" else "; "
        return separator.join(format_when(slot, language, self.rules, short=True) for slot in slots[:3])

    def _anchor(self, story_key, timing, previous):
        """(moment, low, high, meeting) for a conversation line's timing (see CONVERSATIONS); `meeting` is
        the one the line is about, else the story's first, else None."""
        meeting = next((booking for (key, _type), booking in self.bookings.items() if key == story_key), None)
        if len(timing) == 2:
            return previous, *timing, meeting
        kind, *rest = timing
        if kind == "proposal":
            version, low, high = rest
            return self.proposal_sent[(story_key, version)], low, high, meeting
        if kind == "closed":
            low, high = rest
            return self.demo.deals[story_key].closed_at, low, high, meeting
        meeting_type, low, high = rest
        meeting = self.bookings[(story_key, meeting_type)]
        booked = self.batch.stamps[AutoBooking][meeting.pk][0]
        return (booked if kind == "booked" else meeting.proposed_time), low, high, meeting

    # --- calls, tasks, meetings ----------------------------------------------------------------------------
    def calls(self, story_key, calls):
        rng = self.rng
        lead, contact = self.demo.leads[story_key], self.demo.contacts[story_key]
        moment = self.created[story_key]
        for direction, status, seconds, sentiment, outcome, transcript in calls:
            moment = later(rng, moment, self.now, min_minutes=20, max_minutes=60 * 26)
            call = Call(lead=lead, contact=contact, user=lead.assigned_to, direction=direction, status=status,
                        duration_seconds=seconds, sentiment=sentiment, outcome=self.t(outcome)[:50],
                        transcript=self.t(transcript))
            self.batch.add(call, moment)  # the call log is the timeline's record of it; no activity twice
            self._happened(story_key, moment)

    def task(self, story_key, when, subject, body, kind=ActivityType.TASK):
        """A task (or a planned call) of the agent's, due `when`: today, overdue-N / in-N working days,
        or done-N days ago."""
        rng, today = self.rng, self.now.astimezone(RIYADH).date()
        lead = self.demo.leads[story_key]
        completed = None
        if when == "today":
            due = riyadh(today, 16, 30)
            if due <= self.now:
                due = (self.now + dt.timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
            created = max(self.created[story_key], self.now - dt.timedelta(hours=3))
        else:
            relation, number = when.split("-")
            number = int(number)
            if relation == "overdue":
                due = riyadh(add_working_days(working_day(today), -number), 11)
            elif relation == "in":
                due = riyadh(add_working_days(today, number), 10)
            else:
                due = riyadh(working_day(today - dt.timedelta(days=number)), 12)
                completed = due - dt.timedelta(minutes=rng.randint(10, 90))
            created = max(self.created[story_key], min(due, self.now) - dt.timedelta(days=2))
        created = min(created, self.now - dt.timedelta(minutes=5))
        deal = self.demo.deals.get(story_key)
        self.batch.add(Activity(user=self.agent, lead=lead, deal=deal, type=kind,
                                subject=self.t(subject), body=self.t(body), scheduled_at=due, completed_at=completed),
                       created, completed or created)

    def booking(self, story_key, meeting_type, status, when, hour, minute, channel, reschedules, no_show):
        """A meeting as the booking services leave it: a live one holds its agent's `busy` time (the
        database refuses two that overlap), a past one is completed (or a no-show) with its reminders
        stamped as sent, a cancelled one says why."""
        rng, rules, today = self.rng, self.rules, self.now.astimezone(RIYADH).date()
        lead, contact = self.demo.leads[story_key], self.demo.contacts[story_key]
        minutes = rules.meeting_minutes[meeting_type]
        kind, number = when.split("-")
        if kind == "past":
            day = working_day(today - dt.timedelta(days=int(number)))
        else:
            day = add_working_days(today, int(number))
        start = self._free_slot(lead.assigned_to, riyadh(day, hour, minute), minutes)
        end = start + dt.timedelta(minutes=minutes)
        created = max(self.created[story_key] + dt.timedelta(minutes=30),
                      min(start - dt.timedelta(days=2), self.now - dt.timedelta(hours=rng.randint(2, 30))))
        created = min(created, self.now - dt.timedelta(minutes=10))
        live = status in (BookingStatus.CONFIRMED, BookingStatus.RESCHEDULED)
        if live and start <= self.now:
            raise AssertionError(f"demo story {story_key}: a live meeting in the past is completed or a no-show")
        confirmed = start if status != BookingStatus.PROPOSED else None
        held_until = end + dt.timedelta(minutes=rules.meeting_buffer_minutes)
        booking = AutoBooking(lead=lead, contact=contact, agent=lead.assigned_to, meeting_type=meeting_type,
                              duration_minutes=minutes, proposed_time=start, confirmed_time=confirmed, status=status,
                              channel=channel,
                              calendar_event_id=f"{rng.getrandbits(64):016x}@{self.demo.slug}.dealix.sa" if confirmed
                              else "", reschedule_count=reschedules, no_show=no_show,
                              cancel_reason=self.t(content.CANCEL_REASONS[story_key])
                              if status == BookingStatus.CANCELLED else "",
                              busy=DateTimeTZRange(start, held_until, "[)") if live else None)
        if status == BookingStatus.COMPLETED:  # the reminder job went through it: 24 h, 1 h and 15 min before
            booking.contact_reminded_24h_at = max(created, start - dt.timedelta(hours=24))
            booking.contact_reminded_1h_at = max(created, start - dt.timedelta(hours=1))
            booking.agent_reminded_at = max(created, start - dt.timedelta(minutes=15))
        elif live and start - created <= dt.timedelta(hours=24):  # booked within a day: the confirmation says it
            booking.contact_reminded_24h_at = created
        updated = end if start < self.now else created
        self.batch.add(booking, created, min(updated, self.now))
        self.bookings[(story_key, meeting_type)] = booking
        self._happened(story_key, min(start, self.now) if start < self.now else created)
        name = self.t(MEETING_NAMES[meeting_type])
        deal = self.demo.deals.get(story_key)
        done = status == BookingStatus.COMPLETED
        self.batch.add(Activity(user=lead.assigned_to, lead=lead,
                                deal=deal if deal and lead.converted_at and start >= lead.converted_at else None,
                                type=ActivityType.MEETING, subject=f"{name} — {lead.company_name}",
                                body=self.t(T("لم يحضر العميل." if no_show else "",
                                              "The contact did not show up." if no_show else "")),
                                scheduled_at=start, completed_at=end if done else None), created)

    def _free_slot(self, agent, start, minutes):
        """RULES.md §3: inside the meeting day, not across the midday break, never double-booked (with the
        15-minute buffer). Moves the meeting on by half hours until it fits."""
        buffer = dt.timedelta(minutes=self.rules.meeting_buffer_minutes)
        (day_start, day_end), (break_start, break_end) = self.rules.meeting_day, self.rules.meeting_break
        taken = self.busy.setdefault(agent.pk, [])
        while True:
            local = start.astimezone(RIYADH)
            end = start + dt.timedelta(minutes=minutes)
            starts, ends = local.hour + local.minute / 60, local.hour + local.minute / 60 + minutes / 60
            if ends > day_end:
                start = riyadh(working_day(local.date() + dt.timedelta(days=1), forward=True), day_start)
                continue
            fits = starts >= day_start and not (starts < break_end and ends > break_start) and all(
                end + buffer <= other_start or start >= other_end + buffer for other_start, other_end in taken)
            if fits:
                taken.append((start, end))
                return start
            start += dt.timedelta(minutes=30)

    # --- prospects and scorecards ----------------------------------------------------------------------
    def prospects(self):
        plan = [("rawda", ProspectStatus.IDENTIFIED, Priority.HIGH, "linkedin", Decimal("240000"),
                 T("مستشفى خاص بـ 200 سرير. نبحث عن مدخل عبر مدير تجربة المرضى.",
                   "A 200-bed private hospital. Looking for a way in through the patient-experience lead.")),
                ("marina", ProspectStatus.RESEARCHING, Priority.MEDIUM, "exhibition", Decimal("96000"),
                 T("قابلناهم في معرض سيتي سكيب. مشروعان على الكورنيش.",
                   "Met them at Cityscape. Two projects on the Corniche.")),
                ("taiba", ProspectStatus.APPROACHING, Priority.MEDIUM, "referral", Decimal("36000"),
                 T("ترشيح من عميلنا أكاديمية المستقبل.", "Referred by our customer Future Academy.")),
                ("rukn", ProspectStatus.ENGAGED, Priority.LOW, "instagram", Decimal("18000"),
                 T("متجر عبايات يبيع عبر إنستغرام وواتساب. ردّت المالكة على رسالتنا.",
                   "An abaya shop selling on Instagram and WhatsApp. The owner answered our message.")),
                ("dhahran", ProspectStatus.DISQUALIFIED, Priority.LOW, "cold_list", Decimal("0"),
                 T("وقّعوا عقداً لثلاث سنوات مع مزوّد آخر الشهر الماضي.",
                   "Signed a three-year contract with another vendor last month."))]
        for number, (company_key, status, priority, source, value, notes) in enumerate(plan):
            created = business_time(self.rng, self.now, 3 + number * 5)
            company = self.keep_company(company_key, created - dt.timedelta(minutes=10))
            self.batch.add(Prospect(company=company, owner=self.agent if number % 2 else self.manager, source=source,
                                    status=status, priority=priority, sector=company.sector, estimated_value=value,
                                    notes=self.t(notes)),
                           created, later(self.rng, created, self.now, min_minutes=60, max_minutes=60 * 48))

    def scorecards(self):
        """This month's and last month's figures for the agent and the manager, from the seeded data."""
        today = self.now.astimezone(RIYADH).date()
        this_month = today.replace(day=1)
        last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
        leads = [lead for lead in self.batch.objects.get(Lead, [])]
        lead_created = self.batch.stamps[Lead]
        people = ((self.agent, Decimal("4.60"), 540), (self.manager, Decimal("4.80"), 960))
        for person, satisfaction, response in people:
            for period in (last_month, this_month):
                def in_period(moment):
                    return moment is not None and moment.astimezone(RIYADH).date().replace(day=1) == period
                handled = sum(1 for lead in leads if lead.assigned_to == person and in_period(lead_created[lead.pk][0]))
                won = [deal for deal in self.demo.deals.values() if deal.assigned_to == person
                       and deal.stage == DealStage.CLOSED_WON and in_period(deal.closed_at)]
                revenue = sum((deal.value for deal in won), Decimal("0"))
                ai_share = Decimal("41.50") if period == this_month else Decimal("33.00")
                composite = (min(Decimal(len(won)) / 4, Decimal(1)) * 40
                             + max(Decimal(0), 1 - Decimal(response) / 1800) * 30 + satisfaction / 5 * 30)
                created = riyadh(working_day(today), 8) if period == this_month else riyadh(this_month, 8)
                created = min(created, self.now - dt.timedelta(minutes=1))
                self.batch.add(Scorecard(user=person, period=period, leads_handled=handled, deals_closed=len(won),
                                         revenue_generated=revenue, avg_response_time=response,
                                         customer_satisfaction=satisfaction, ai_assist_rate=ai_share,
                                         composite_score=composite.quantize(CENT)), created)


# --- small helpers -------------------------------------------------------------------------------------

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


def _line_total(price: Decimal, discount: Decimal) -> Decimal:
    return (price * (100 - discount) / 100).quantize(CENT, ROUND_HALF_UP)


def _between(rng: random.Random, start: dt.datetime, end: dt.datetime, fraction: float) -> dt.datetime:
    """A working-hours moment about `fraction` of the way from `start` to `end`, after `start`."""
    moment = start + (end - start) * fraction
    local = moment.astimezone(RIYADH)
    if local.weekday() not in (6, 0, 1, 2, 3) or not 9 <= local.hour < 17:
        day = working_day(local.date() if local.hour >= 17 else local.date() - dt.timedelta(days=1))
        moment = riyadh(day, 15, rng.randrange(0, 59))
    return max(moment, start + dt.timedelta(minutes=20))


def _email(english_name: str, domain: str) -> str:
    parts = [part.lower().replace("-", "").replace("'", "").rstrip(".") for part in english_name.split()
             if part.lower().rstrip(".") != "dr"]
    return f"{'.'.join(parts[:2])}@{domain}"


def _ip(rng: random.Random) -> str:
    # Saudi consumer ranges (STC, Mobily, Zain), for the consent record's IP address.
    return f"{rng.choice(['37.224', '51.36', '188.48', '94.96'])}.{rng.randrange(1, 255)}.{rng.randrange(1, 255)}"


def _provider_id(rng: random.Random, channel: str) -> str:
    token = f"{rng.getrandbits(96):024x}"
    return {"whatsapp": f"wamid.{token}", "email": f"<{token}@mail.dealix.sa>", "sms": f"SM{token}"}.get(channel, token)


def _address(channel: str, contact: Contact) -> str:
    """Where a message goes (or, inbound, where it came from), as the message service records it."""
    if channel == MessageChannel.EMAIL:
        return contact.email
    if channel == MessageChannel.WHATSAPP:
        return contact.whatsapp or contact.phone
    return contact.phone
