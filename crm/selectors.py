"""Reads of the CRM that more than one view needs."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from django.utils.translation import gettext_lazy as _

from crm.choices import ActivityType, LeadStatus
from crm.models import Activity, Call, Lead, Message
from crm.models.deals import OPEN_STAGES
from dealix.accounts.models import User
from dealix.core.models import AuditLog


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str        # activity type, "message", "call", "change"
    title: str
    body: str
    actor: str
    detail: object   # the record, for the template
    changes: tuple = ()  # (field label, before, after) for "change" entries


def lead_timeline(lead: Lead, *, limit: int = 60) -> list[TimelineEntry]:
    """Everything that happened with a lead, newest first: activities, messages, calls and changes to
    the lead itself (status, owner, score) from the audit log. A fixed number of queries."""
    entries: list[TimelineEntry] = []
    for activity in lead.activities.select_related("user").order_by("-created_at")[:limit]:
        entries.append(TimelineEntry(activity.completed_at or activity.created_at, activity.type, activity.subject,
                                     activity.body, activity.user.full_name, activity))
    for message in lead.messages.order_by("-created_at")[:limit]:
        entries.append(TimelineEntry(message.sent_at or message.created_at, "message", message.get_channel_display(),
                                     message.content, message.get_direction_display(), message))
    for call in lead.calls.select_related("user").order_by("-created_at")[:limit]:
        entries.append(TimelineEntry(call.created_at, "call", call.get_status_display(), call.outcome,
                                     call.user.full_name, call))
    audit_rows = list(AuditLog.objects.filter(entity_type="crm.lead", entity_id=lead.pk)
                      .select_related("user").order_by("-created_at")[:limit])
    people = _names_of_users_in(audit_rows)
    for row in audit_rows:
        shown = tuple(_describe_change(name, values, people) for name, values in row.changes.items()
                      if name in TRACKED_LEAD_FIELDS)
        if row.action == "update" and not shown:
            continue
        entries.append(TimelineEntry(row.created_at, "change", row.get_action_display(), "",
                                     row.user.full_name if row.user else "", row, shown))
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


TRACKED_LEAD_FIELDS = {"status": _("Status"), "assigned_to_id": _("Owner"), "score": _("Score"),
                       "lost_reason": _("Lost reason")}


def _names_of_users_in(audit_rows) -> dict[str, str]:
    ids = {value for row in audit_rows for value in row.changes.get("assigned_to_id", []) if value}
    return {str(pk): name for pk, name in User.objects.filter(pk__in=ids).values_list("pk", "full_name")} if ids else {}


def _describe_change(name: str, values, people: dict) -> tuple:
    before, after = (list(values) + [None, None])[:2]
    if name == "status":
        labels = dict(LeadStatus.choices)
        before, after = labels.get(before, before), labels.get(after, after)
    elif name == "assigned_to_id":
        before, after = people.get(str(before), before), people.get(str(after), after)
    return (TRACKED_LEAD_FIELDS[name], before or "—", after or "—")


def open_tasks_for(lead: Lead):
    return lead.activities.filter(type=ActivityType.TASK, completed_at__isnull=True).order_by("scheduled_at")


def tasks_due(user, *, now=None):
    """The agent's open tasks due today or overdue (for the home page), oldest first."""
    now = now or timezone.now()
    end_of_today = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    return (Activity.objects.visible_to(user)
            .filter(user=user, type=ActivityType.TASK, completed_at__isnull=True, scheduled_at__lte=end_of_today)
            .select_related("lead", "deal").order_by("scheduled_at")[:50])


@dataclass(frozen=True)
class BoardColumn:
    stage: str
    label: str
    deals: list
    count: int
    total: object
    weighted: object


BOARD_CARDS_PER_COLUMN = 50


@dataclass(frozen=True)
class BoardCard:
    """What a board card shows (crm/templatetags/crm_board.py): read as plain values, because building
    250 deals with their company and owner as model instances was a third of the board's time."""
    pk: object
    title: str
    stage: str
    value: object
    probability: int
    updated_at: object
    company_name: str
    owner_name: str
    detail_url: str
    move_url: str

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES  # the same rule as Deal.is_open


BOARD_CARD_VALUES = ("id", "title", "stage", "value", "probability", "updated_at", "company__name",
                     "assigned_to__full_name")


def pipeline_board(user, *, owner=None, closed_since=None) -> list[BoardColumn]:
    """Deals by stage for the pipeline board: up to 50 cards a column (most recently moved first), and
    each column's count, total value and weighted value (value × probability), in a fixed number of
    queries whatever the number of deals. Closed columns show what closed since `closed_since`."""
    from decimal import Decimal

    from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum, Value
    from django.db.models.functions import Coalesce

    from crm.choices import DealStage
    from crm.models import Deal

    deals = Deal.objects.visible_to(user)
    if owner is not None:
        deals = deals.filter(assigned_to=owner)
    closed = (DealStage.CLOSED_WON, DealStage.CLOSED_LOST)
    if closed_since is not None:
        deals = deals.exclude(stage__in=closed, closed_at__lt=closed_since)
    weighted = ExpressionWrapper(F("value") * F("probability") / Value(100),
                                 output_field=DecimalField(max_digits=14, decimal_places=2))
    totals = {row["stage"]: row for row in deals.values("stage").annotate(
        count=Count("id"), total=Coalesce(Sum("value"), Value(Decimal("0"))),
        weighted=Coalesce(Sum(weighted), Value(Decimal("0")))).order_by()}
    # One reverse() per kind of link, not five per card: 250 cards made ~1,250 reverse() calls a page.
    from django.urls import reverse
    placeholder = "00000000-0000-0000-0000-000000000000"
    detail_url = reverse("crm:deal_detail", args=[placeholder])
    move_url = reverse("crm:deal_move", args=[placeholder])
    # The cards: one UNION ALL of the per-stage slices, each walking an index newest-first, stopping at 50
    # and reading only what a card shows. Six queries, each planned on its own and dragging every column
    # of the deal, its company and its owner, were most of the board's database time.
    cards = deals.order_by("-updated_at", "-id").values_list(*BOARD_CARD_VALUES)
    slices = [cards.filter(stage=stage)[:BOARD_CARDS_PER_COLUMN] for stage, _label in DealStage.choices]
    cards_by_stage: dict[str, list[BoardCard]] = {stage: [] for stage, _label in DealStage.choices}
    for pk, title, stage, value, probability, updated_at, company_name, owner_name in slices[0].union(
            *slices[1:], all=True):
        cards_by_stage[stage].append(BoardCard(
            pk, title, stage, value, probability, updated_at, company_name or "", owner_name or "",
            detail_url.replace(placeholder, str(pk)), move_url.replace(placeholder, str(pk))))
    for stage_cards in cards_by_stage.values():  # a UNION's output order is not promised; each column's is
        stage_cards.sort(key=lambda deal: (deal.updated_at, deal.pk), reverse=True)
    columns = []
    for stage, label in DealStage.choices:
        row = totals.get(stage, {})
        columns.append(BoardColumn(stage, label, cards_by_stage[stage], row.get("count", 0),
                                   row.get("total", Decimal("0")),
                                   row.get("weighted", Decimal("0")).quantize(Decimal("0.01"))))
    return columns


def home_summary(user) -> dict:
    """What an agent (or manager) sees first: tasks due, hot leads waiting, their pipeline in numbers."""
    from decimal import Decimal

    from django.db.models import Count, Sum

    from crm.choices import DealStage
    from crm.models import Deal
    from dealix.tenancy.rules import current_rules

    rules = current_rules()
    leads = Lead.objects.visible_to(user)
    if user.role == "agent":
        leads = leads.filter(assigned_to=user)
    open_leads = leads.filter(status__in=["new", "contacted", "qualified"])
    hot = open_leads.filter(score__gte=rules.hot_from).select_related("assigned_to").order_by("-score", "-created_at")[:8]
    deals = Deal.objects.visible_to(user).filter(stage__in=[DealStage.DISCOVERY, DealStage.PROPOSAL,
                                                             DealStage.NEGOTIATION])
    pipeline = deals.aggregate(count=Count("id"), total=Sum("value"))
    return {
        "tasks": list(tasks_due(user)),
        "hot_leads": list(hot),
        "new_leads": open_leads.filter(status="new").count(),
        "open_deals": pipeline["count"] or 0,
        "pipeline_value": pipeline["total"] or Decimal("0"),
    }


# --- record pages (contacts, companies, deals): what hangs off a record, as far as the user may see ----

RELATED_ROWS = 50  # each related list on a record page shows the newest 50; the page says when there are more


@dataclass(frozen=True)
class Related:
    """Some rows related to a record, and whether there are more than those shown."""
    rows: list
    more: bool

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)


def _newest(queryset, limit: int = RELATED_ROWS) -> Related:
    rows = list(queryset.order_by("-created_at", "-id")[:limit + 1])  # one more tells whether the list goes on
    return Related(rows[:limit], len(rows) > limit)


def consents_by_channel(contact) -> list[tuple[str, object]]:
    """Each consent channel with the contact's newest consent on it (None when none was recorded).
    The consent history is append-only, so a channel's current state is its newest row."""
    consents = contact.consents
    channels = consents.model._meta.get_field("channel").choices
    current = {row.channel: row for row in consents.order_by("channel", "-created_at", "-id").distinct("channel")}
    return [(label, current.get(value)) for value, label in channels]


def contact_page(user, contact) -> dict:
    from crm.models import Deal
    return {
        "deals": _newest(Deal.objects.visible_to(user).filter(contact=contact).select_related("assigned_to")),
        "calls": _newest(Call.objects.visible_to(user).filter(contact=contact).select_related("user")),
        "consents": _newest(contact.consents.all()),
        "consent_channels": consents_by_channel(contact),
    }


def company_page(user, company) -> dict:
    from crm.models import Contact, Deal, Prospect
    return {
        "contacts": _newest(Contact.objects.visible_to(user).filter(company=company).select_related("owner")),
        "deals": _newest(Deal.objects.visible_to(user).filter(company=company).select_related("assigned_to")),
        "prospects": _newest(Prospect.objects.visible_to(user).filter(company=company).select_related("owner")),
    }


def deal_page(user, deal) -> dict:
    from crm.models import Customer, Proposal
    return {
        "activities": _newest(Activity.objects.visible_to(user).filter(deal=deal).select_related("user")),
        "proposals": list(Proposal.objects.visible_to(user).filter(deal=deal).order_by("-version")[:RELATED_ROWS]),
        "customers": list(Customer.objects.visible_to(user).filter(deal=deal).order_by("-created_at")[:5]),
    }


# --- conversations ---------------------------------------------------------------------------------

THREAD_LENGTH = 100


def conversation_messages(*, lead=None, contact=None):
    """One thread of every channel, oldest first (the newest THREAD_LENGTH messages)."""
    if lead is not None:
        messages = Message.objects.filter(Q(lead=lead) | Q(contact__lead=lead))
    else:
        messages = Message.objects.filter(contact=contact)
    newest = list(messages.select_related("sent_by", "template").order_by("-created_at")[:THREAD_LENGTH])
    return newest[::-1]


def consent_badges(contact) -> list[tuple[str, bool]]:
    """(channel label, granted) for each channel a message can go on, for the reply box: the newest
    consent row per channel, in one query."""
    from compliance.choices import ConsentState
    from compliance.models import Consent
    from crm.choices import MessageChannel
    from crm.sending_rules import CONSENT_FOR_CHANNEL

    current = {}
    if contact is not None:
        current = dict(Consent.objects.filter(contact=contact).order_by("channel", "-created_at")
                       .distinct("channel").values_list("channel", "status"))
    return [(MessageChannel(channel).label, current.get(consent) == ConsentState.GRANTED)
            for channel, consent in CONSENT_FOR_CHANNEL.items()]
