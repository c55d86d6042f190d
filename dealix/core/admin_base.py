"""Base classes and mixins for Django admin: they know which schema a model lives in, audit every save,
search the Arabic-normalised `search_text`, and move statuses only through the state machines."""
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name

from dealix.accounts import roles
from dealix.core.audit import audit, audit_create, audit_update, snapshot
from dealix.core.choices import AuditAction
from dealix.core.phones import normalise_phone
from dealix.core.states import transition
from dealix.core.text import normalise_text

# Shown read-only at the end of every form: the database and the save() keep them, nobody types them.
BOOKKEEPING_FIELDS = ("created_at", "updated_at", "search_text")


def on_public_schema() -> bool:
    return connection.schema_name == get_public_schema_name()


def _model_field_names(model) -> set[str]:
    return {field.name for field in model._meta.get_fields()}


class AuditedAdminMixin:
    """Admin writes leave the same audit rows as the pages do."""

    def save_model(self, request, obj, form, change):
        if change:
            before = snapshot(obj.__class__.objects.get(pk=obj.pk))
            super().save_model(request, obj, form, change)
            audit_update(actor=request.user, instance=obj, before=before)
        else:
            super().save_model(request, obj, form, change)
            audit_create(actor=request.user, instance=obj)

    def delete_model(self, request, obj):
        audit(actor=request.user, action=AuditAction.DELETE, instance=obj, changes={
            key: [value, None] for key, value in snapshot(obj).items()})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class DealixModelAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Timestamps and the search copy are shown read-only, and the form follows the model's field order
    (read-only fields would otherwise be pushed to the bottom, away from the fields they belong with)."""

    # A website typed without a scheme is an https one (Django 6's default; silences its warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        present = _model_field_names(self.model)
        fields += [name for name in BOOKKEEPING_FIELDS if name in present and name not in fields]
        return fields

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self.fields:
            return fields
        order = [field.name for field in self.model._meta.get_fields()
                 if field.name not in BOOKKEEPING_FIELDS]
        order += list(BOOKKEEPING_FIELDS)
        position = {name: index for index, name in enumerate(order)}
        return sorted(fields, key=lambda name: position.get(name, len(order)))


class TenantModelAdmin(DealixModelAdmin):
    """For models that live in tenant schemas: invisible in the platform (public) admin."""

    def has_module_permission(self, request):
        return not on_public_schema() and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return not on_public_schema() and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return not on_public_schema() and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return not on_public_schema() and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not on_public_schema() and super().has_delete_permission(request, obj)


class PublicModelAdmin(DealixModelAdmin):
    """For platform tables (tenants, domains, subscriptions): only platform operators, only in the
    public admin."""

    def _allowed(self, request):
        return on_public_schema() and request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return False  # a tenant is suspended (is_active), never deleted from the admin


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NoDeleteAdminMixin:
    """People, companies and money are deactivated, anonymised or reversed, never deleted: their
    messages, commissions and audit trail must stay whole."""

    def has_delete_permission(self, request, obj=None):
        return False


class AppendOnlyAdminMixin(NoDeleteAdminMixin):
    """Rows that are history (consent): recorded and read, never changed. The change page still opens,
    read-only, because view permission remains."""

    def has_change_permission(self, request, obj=None):
        return False


class NormalisedSearchAdminMixin:
    """The search box (and the autocomplete of other admins pointing here) searches `search_text`, the
    Arabic-normalised, lower-cased copy of names, emails and phones, with the query folded the same way:
    احمد finds أحمد and 0501234567 finds +966501234567. `contains` on that column is served by its
    trigram index; `icontains` on the typed columns would not be.

    `search_text_fields` may name a related model's copy (e.g. "affiliate__search_text") for tables
    people find by who they belong to. Every word must match one of them."""

    search_text_fields: tuple[str, ...] = ("search_text",)
    search_help_text = _("Finds names however the Arabic is spelt, and phone numbers in any format.")

    @property
    def search_fields(self):
        # Non-empty so the changelist shows the box and autocomplete_fields elsewhere may point here.
        return list(self.search_text_fields)

    def get_search_results(self, request, queryset, search_term):
        words = normalise_text(search_term).split()
        if not words:
            return queryset, False
        match = Q()
        for word in words:
            match &= self._any_search_text_contains(word)
        phone = normalise_phone(search_term)
        if phone:
            match |= self._any_search_text_contains(normalise_text(phone))
        # Only forward relations are searched, so no row can appear twice.
        return queryset.filter(match), False

    def _any_search_text_contains(self, text: str) -> Q:
        match = Q()
        for path in self.search_text_fields:
            match |= Q(**{f"{path}__contains": text})
        return match


class StateMachineAdminMixin:
    """For models with a `STATES` state machine: the status is never typed in (new rows start in the
    default state); it moves by the "Move to: …" actions, one per state, which run the same transition
    the pages run (`apply_transition`: `dealix.core.states.transition`, or the app's service where it
    has one), so the machine, the stamps and the audit row are the same everywhere. Each refused row is
    reported with its reason; the others still move.

    - `manual_targets` limits the actions to the states people choose by hand (the others are reached
      by a provider callback, a link the client opens, or a job);
    - `reason_fields` maps a state to the text field it needs written (a lost reason, a resolution): the
      action first asks for it on an intermediate page, and the field is read-only in the form;
    - `transition_capabilities` maps a state to the roles capability needed to move there (RULES.md §9),
      `transition_capability` is the one for every other state;
    - `transition_refusal` is the hook for rules that depend on the row itself, `transition_changes`
      for what moves with the state."""

    manual_targets: tuple[str, ...] | None = None
    reason_fields: dict[str, str] = {}
    transition_capabilities: dict[str, str] = {}
    transition_capability: str | None = None
    reason_template = "admin/dealix/transition_reason.html"

    @property
    def state_machine(self):
        return self.model.STATES

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        machine = self.state_machine
        stamped = [machine.field, *machine.stamps.values(), *machine.stamp_actor.values(),
                   *self.reason_fields.values()]
        fields += [name for name in dict.fromkeys(stamped) if name not in fields]
        return fields

    def target_states(self) -> list[tuple[str, str]]:
        """(value, label) of every state some other state may move to, in the field's choice order."""
        reachable = set().union(*self.state_machine.transitions.values())
        if self.manual_targets is not None:
            reachable &= set(self.manual_targets)
        choices = self.model._meta.get_field(self.state_machine.field).choices
        return [(value, label) for value, label in choices if value in reachable]

    def may_move_to(self, request, target: str) -> bool:
        capability = self.transition_capabilities.get(target, self.transition_capability)
        return capability is None or roles.can(request.user, capability)

    def transition_refusal(self, request, obj, target: str) -> str | None:
        """A reason this user may not move this row to `target`, or None."""
        return None

    def transition_changes(self, obj, target: str) -> dict:
        """Fields saved together with the new state, in the same audited save."""
        return {}

    def apply_transition(self, request, obj, target: str, reason: str = ""):
        """Move one row. Admins of models with a service for this override it to call the service."""
        changes = dict(self.transition_changes(obj, target))
        if target in self.reason_fields:
            changes[self.reason_fields[target]] = reason
        return transition(actor=request.user, instance=obj, target=target, changes=changes)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.actions is None or not self.has_change_permission(request):
            return actions
        for target, label in self.target_states():
            if self.may_move_to(request, target):
                name = f"move_to_{target}"
                description = gettext("Move to: %(state)s") % {"state": label}
                actions[name] = (self._move_action(target), name, description)
        return actions

    def _move_action(self, target: str):
        def action(modeladmin, request, queryset):
            return modeladmin.move_to(request, queryset, target)
        return action

    def move_to(self, request, queryset, target: str):
        if target not in dict(self.target_states()) or not self.may_move_to(request, target):
            raise PermissionDenied
        state_label = dict(self.target_states())[target]
        reason = ""
        if target in self.reason_fields:
            reason = request.POST.get("transition_reason", "").strip()
            if not reason:
                return self._ask_for_reason(request, queryset, target, state_label)
        moved = 0
        for obj in queryset:
            refusal = self.transition_refusal(request, obj, target)
            if refusal is None:
                try:
                    self.apply_transition(request, obj, target, reason)
                except (ValidationError, PermissionDenied) as error:
                    # Refused by the machine, or the row lacks what the new state needs (a payout, an
                    # approved amount…): the message of full_clean() or of the service says which.
                    refusal = (" ".join(error.messages) if isinstance(error, ValidationError)
                               else gettext("You may not do this."))
            if refusal is not None:
                messages.error(request, gettext("%(object)s: %(reason)s") % {"object": obj, "reason": refusal})
            else:
                moved += 1
        if moved:
            messages.success(request, ngettext(
                "%(count)d %(name)s moved to “%(state)s”.",
                "%(count)d %(name)s moved to “%(state)s”.", moved) % {
                "count": moved, "state": state_label,
                "name": self.model._meta.verbose_name if moved == 1 else self.model._meta.verbose_name_plural})
        return None

    def _ask_for_reason(self, request, queryset, target: str, state_label):
        opts = self.model._meta
        field = opts.get_field(self.reason_fields[target])
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Move to: %(state)s") % {"state": state_label},
            "opts": opts,
            "queryset": queryset,
            "objects_name": opts.verbose_name_plural,
            "state": state_label,
            "reason_label": field.verbose_name,
            "action": f"move_to_{target}",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            # Sent back empty: the textarea is required, so only a browser without validation gets here.
            "error": gettext("Write the reason.") if "transition_reason" in request.POST else "",
        }
        return TemplateResponse(request, self.reason_template, context)


class LockedOnceStartedAdminMixin(NoDeleteAdminMixin):
    """Financial rows (RULES.md §6–§8): never deleted, and the money and what it is for are editable only
    while the row is still in its first state; after that only a state action or a reversing row changes
    anything."""

    status_field = "status"
    locked_fields: tuple[str, ...] = ()

    def has_started(self, obj) -> bool:
        initial = self.model._meta.get_field(self.status_field).default
        return obj is not None and getattr(obj, self.status_field) != initial

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if self.has_started(obj):
            fields += [name for name in self.locked_fields if name not in fields]
        return fields


class DeactivateAdminMixin:
    """A "Deactivate" action for models with `is_active`: the row stays (with everything that points at
    it) and disappears from the lists and dropdowns that show active rows only."""

    actions = ["deactivate"]

    @admin.action(description=_("Deactivate"), permissions=["change"])
    def deactivate(self, request, queryset):
        count = 0
        with transaction.atomic():
            for obj in queryset.filter(is_active=True):
                before = snapshot(obj)
                obj.is_active = False
                obj.save(update_fields=["is_active", "updated_at"])
                audit_update(actor=request.user, instance=obj, before=before)
                count += 1
        messages.success(request, ngettext("%(count)d %(name)s deactivated.", "%(count)d %(name)s deactivated.",
                                           count) % {
            "count": count,
            "name": self.model._meta.verbose_name if count == 1 else self.model._meta.verbose_name_plural})
