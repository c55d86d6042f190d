"""Finding duplicate leads, contacts and companies, merging them, and undoing a merge.

A merge keeps one record (the survivor) with the values the person chose, moves every record that
pointed at the duplicates (activities, messages, calls, deals, consents, contacts…) to the survivor, and
marks the duplicates `merged_into` the survivor, which hides them everywhere. Nothing is deleted: the
audit entry of the merge holds the survivor's values before, and which row moved from where, so the
merge can be undone exactly from that entry."""
from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from crm.models import Company, Contact, Lead
from dealix.accounts import roles
from dealix.core.audit import audit, snapshot
from dealix.core.choices import AuditAction
from dealix.core.models import AuditLog

MERGEABLE = {"lead": Lead, "contact": Contact, "company": Company}
# The fields a person chooses between when merging (the rest belong to the survivor).
MERGE_FIELDS = {
    "lead": ["full_name", "phone", "email", "company_name", "sector", "city", "notes", "assigned_to"],
    "contact": ["full_name", "job_title", "email", "phone", "whatsapp", "language", "company", "owner"],
    "company": ["name", "name_ar", "sector", "size", "city", "region", "cr_number", "website"],
}


@dataclass(frozen=True)
class DuplicateGroup:
    reason: str       # "phone", "email" or "name"
    value: str
    records: list


def find_duplicates(kind: str, user, *, limit: int = 50) -> list[DuplicateGroup]:
    """Groups of visible records that share a phone or an email (leads and contacts) or a folded name
    or commercial registration number (companies)."""
    model = MERGEABLE[kind]
    visible = model.objects.visible_to(user)
    keys = (("phone", "phone"), ("email", "email")) if kind != "company" else (("search_text", "name"),
                                                                               ("cr_number", "cr_number"))
    groups: list[DuplicateGroup] = []
    for field_name, reason in keys:
        values = (visible.exclude(**{field_name: ""}).values(field_name).annotate(n=Count("id"))
                  .filter(n__gt=1).order_by("-n").values_list(field_name, flat=True)[:limit])
        values = list(values)
        if not values:
            continue
        rows = visible.filter(**{f"{field_name}__in": values}).order_by("created_at")
        by_value: dict[str, list] = {}
        for row in rows:
            by_value.setdefault(getattr(row, field_name), []).append(row)
        for value, records in by_value.items():
            shown = value if field_name != "search_text" else records[0].name
            groups.append(DuplicateGroup(reason, shown, records))
    seen, unique = set(), []
    for group in groups:
        key = frozenset(record.pk for record in group.records)
        if key not in seen:
            seen.add(key)
            unique.append(group)
    return unique[:limit]


def _check_may_merge(actor, kind: str, records) -> None:
    roles.require(actor, roles.CRM_WORK)
    if kind == "company" and not roles.can(actor, roles.CRM_REASSIGN):
        raise PermissionDenied(_("Only managers merge companies: every agent's records point at them."))
    model = MERGEABLE[kind]
    visible = set(model.objects.visible_to(actor).filter(pk__in=[r.pk for r in records]).values_list("pk", flat=True))
    if len(visible) != len(records):
        raise model.DoesNotExist("a record to merge is not visible to this user")


def _incoming_relations(model) -> list[models.ForeignKey]:
    """Every foreign key in the schema that points at `model` (except the merge pointer itself)."""
    return [relation.field for relation in model._meta.related_objects
            if isinstance(relation.field, models.ForeignKey) and relation.field.name != "merged_into"]


def _relation_label(field: models.ForeignKey) -> str:
    return f"{field.model._meta.label_lower}.{field.name}"


@transaction.atomic
def merge_records(*, actor, kind: str, survivor, duplicates: list, chosen: dict[str, object] | None = None):
    """Merge `duplicates` into `survivor`, keeping `chosen` field values (field → value taken from any
    of the records). Returns the audit entry, from which `merge_undo` restores everything."""
    model = MERGEABLE[kind]
    duplicates = [record for record in duplicates if record.pk != survivor.pk]
    if not duplicates:
        raise ValidationError(_("Choose at least two records to merge."), code="nothing_to_merge")
    _check_may_merge(actor, kind, [survivor, *duplicates])
    locked = {row.pk: row for row in model.objects.select_for_update().filter(pk__in=[survivor.pk, *[d.pk for d in duplicates]])}
    survivor = locked[survivor.pk]
    if survivor.merged_into_id or any(locked[d.pk].merged_into_id for d in duplicates):
        raise ValidationError(_("One of these records was already merged."), code="already_merged")
    before = snapshot(survivor)
    for name, value in (chosen or {}).items():
        if name in MERGE_FIELDS[kind]:
            field = model._meta.get_field(name)
            setattr(survivor, field.attname, value.pk if isinstance(value, models.Model) else value)
    survivor.full_clean()
    survivor.save()
    moved: dict[str, dict[str, list[str]]] = {}
    for duplicate in duplicates:
        moved[str(duplicate.pk)] = {}
        for field in _incoming_relations(model):
            related = field.model._base_manager.filter(**{field.name: duplicate.pk})
            ids = [str(pk) for pk in related.values_list("pk", flat=True)]
            if ids:
                field.model.objects.filter(pk__in=ids).update(**{field.name: survivor.pk})
                moved[str(duplicate.pk)][_relation_label(field)] = ids
        model.objects.filter(pk=duplicate.pk).update(merged_into=survivor)
    # The duplicates' contacts now hang off the survivor, so they follow its owner (as on reassignment);
    # a survivor nobody works yet leaves them with the agents who had them.
    contact_owners = {}
    if kind == "lead" and survivor.assigned_to_id:
        for contact in Contact.objects.filter(lead=survivor).exclude(owner_id=survivor.assigned_to_id):
            contact_owners[str(contact.pk)] = str(contact.owner_id) if contact.owner_id else None
        Contact.objects.filter(pk__in=list(contact_owners)).update(owner_id=survivor.assigned_to_id)
    return audit(actor=actor, action=AuditAction.UPDATE, instance=survivor, changes={
        "merge": {"kind": kind, "before": before, "duplicates": [str(d.pk) for d in duplicates], "moved": moved,
                  "contact_owners": contact_owners}})


@transaction.atomic
def merge_undo(*, actor, entry: AuditLog):
    """Put everything back as it was before the merge recorded in `entry`."""
    merge = (entry.changes or {}).get("merge")
    if not merge:
        raise ValidationError(_("This entry is not a merge."), code="not_a_merge")
    kind = merge["kind"]
    model = MERGEABLE[kind]
    survivor = model.objects.select_for_update().get(pk=entry.entity_id)
    _check_may_merge(actor, kind, [survivor])
    if AuditLog.objects.filter(entity_type=entry.entity_type, entity_id=entry.entity_id,
                               changes__has_key="merge_undone", changes__merge_undone=str(entry.pk)).exists():
        raise ValidationError(_("This merge was already undone."), code="already_undone")
    for duplicate_id, relations in merge["moved"].items():
        for label, ids in relations.items():
            app_model, field_name = label.rsplit(".", 1)
            related_model = _model_by_label(app_model)
            related_model.objects.filter(pk__in=ids).update(**{field_name: duplicate_id})
        model.objects.filter(pk=duplicate_id).update(merged_into=None)
    for contact_id, owner_id in merge.get("contact_owners", {}).items():
        Contact.objects.filter(pk=contact_id).update(owner_id=owner_id)
    for field in model._meta.concrete_fields:
        if field.attname in merge["before"] and field.name in MERGE_FIELDS[kind]:
            value = merge["before"][field.attname]
            setattr(survivor, field.attname, field.to_python(value) if value is not None else None)
    survivor.save()
    return audit(actor=actor, action=AuditAction.UPDATE, instance=survivor,
                 changes={"merge_undone": str(entry.pk)})


def _model_by_label(label: str):
    from django.apps import apps
    app_label, model_name = label.split(".")
    return apps.get_model(app_label, model_name)


def merges_of(record) -> list[AuditLog]:
    """The merge entries of a survivor that have not been undone, newest first (one query: the merges and
    their undoings are both entries of the survivor)."""
    from django.db.models import Q
    rows = list(AuditLog.objects.filter(Q(changes__has_key="merge") | Q(changes__has_key="merge_undone"),
                                        entity_type=record._meta.label_lower, entity_id=record.pk)
                .order_by("-created_at"))
    undone = {row.changes["merge_undone"] for row in rows if "merge_undone" in row.changes}
    return [row for row in rows if "merge" in row.changes and str(row.pk) not in undone][:20]
