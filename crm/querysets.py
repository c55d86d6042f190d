"""Who sees which CRM record (RULES.md §9), in one place: every list, detail, search, export, fragment
and dropdown starts from `Model.objects.visible_to(user)`, so they cannot disagree. A record outside
the user's scope is simply absent, and views turn that into a 404.

Managers, admins, owners and viewers see the whole tenant; agents see what is assigned to them (and
what hangs off it); affiliates see no CRM record at all (the partner portal has its own selectors)."""
from __future__ import annotations

from django.db import models
from django.db.models import Q

from dealix.accounts import roles


class VisibleQuerySet(models.QuerySet):
    #: lookups that tie a row to an agent; the row is visible if any matches the user
    OWN_LOOKUPS: tuple[str, ...] = ()
    #: True for shared reference data every CRM user reads (companies)
    SHARED = False

    #: models whose merged duplicates (merged_into set) are hidden from every list and page
    HIDES_MERGED = False

    def visible_to(self, user):
        if self.HIDES_MERGED:
            self = self.filter(merged_into__isnull=True)
        scope = roles.record_scope(user)
        if scope == roles.SCOPE_ALL:
            return self
        if scope == roles.SCOPE_OWN:
            if self.SHARED:
                return self
            condition = Q()
            for lookup in self.OWN_LOOKUPS:
                condition |= Q(**{lookup: user})
            return self.filter(condition)
        return self.none()


class CompanyQuerySet(VisibleQuerySet):
    SHARED = True
    HIDES_MERGED = True


class LeadQuerySet(VisibleQuerySet):
    OWN_LOOKUPS = ("assigned_to",)
    HIDES_MERGED = True


class ContactQuerySet(VisibleQuerySet):
    # A contact's owner follows its lead's assignee (crm.services.contacts_follow_lead), so "owner" alone
    # covers the contacts of an agent's leads, and an index on (owner, created_at) answers it.
    OWN_LOOKUPS = ("owner",)
    HIDES_MERGED = True


class ProspectQuerySet(VisibleQuerySet):
    OWN_LOOKUPS = ("owner",)


class DealQuerySet(VisibleQuerySet):
    OWN_LOOKUPS = ("assigned_to",)


class CustomerQuerySet(VisibleQuerySet):
    OWN_LOOKUPS = ("deal__assigned_to", "lead__assigned_to")


class ProposalQuerySet(VisibleQuerySet):
    OWN_LOOKUPS = ("deal__assigned_to",)


class ActivityQuerySet(VisibleQuerySet):
    OWN_LOOKUPS = ("user", "lead__assigned_to", "deal__assigned_to")


class CallQuerySet(VisibleQuerySet):
    OWN_LOOKUPS = ("user", "lead__assigned_to", "contact__owner")


class BookingQuerySet(VisibleQuerySet):
    OWN_LOOKUPS = ("agent", "lead__assigned_to")


class MessageQuerySet(VisibleQuerySet):
    OWN_LOOKUPS = ("lead__assigned_to", "contact__owner", "contact__lead__assigned_to")


class TemplateQuerySet(VisibleQuerySet):
    SHARED = True


class ScorecardQuerySet(VisibleQuerySet):
    OWN_LOOKUPS = ("user",)
