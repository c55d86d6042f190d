"""State machines (RULES.md) declared next to the model and enforced by one service function, so a
status never moves by free editing: pages, admin actions, jobs and agents all go through `transition`."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealix.core.audit import audit_update, snapshot


@dataclass(frozen=True)
class StateMachine:
    """`transitions` maps a state to the states it may move to. `stamps` names the datetime field
    stamped when a state is entered (e.g. {"approved": "approved_at"}); `stamp_actor` the user field."""
    field: str
    transitions: dict[str, frozenset[str]]
    stamps: dict[str, str] = field(default_factory=dict)
    stamp_actor: dict[str, str] = field(default_factory=dict)

    def allowed_from(self, state: str) -> frozenset[str]:
        return self.transitions.get(state, frozenset())

    def can(self, current: str, target: str) -> bool:
        return target in self.allowed_from(current)


def machine(field_name: str, pairs: dict[str, set[str] | list[str] | tuple[str, ...]], **options) -> StateMachine:
    return StateMachine(field_name, {state: frozenset(targets) for state, targets in pairs.items()}, **options)


class TransitionNotAllowed(ValidationError):
    pass


@transaction.atomic
def transition(*, actor, instance, target: str, changes: dict | None = None, machine_attr: str = "STATES"):
    """Move `instance` to `target` if its state machine allows it, stamping times (and the acting user)
    and applying `changes` (e.g. a lost reason) in the same audited save."""
    state_machine: StateMachine = getattr(type(instance), machine_attr)
    locked = type(instance).objects.select_for_update().get(pk=instance.pk)
    current = getattr(locked, state_machine.field)
    if not state_machine.can(current, target):
        model = type(instance)._meta.verbose_name
        field_obj = type(instance)._meta.get_field(state_machine.field)
        labels = dict(field_obj.choices or [])
        raise TransitionNotAllowed(
            _("A %(model)s cannot go from “%(current)s” to “%(target)s”.") % {
                "model": model, "current": labels.get(current, current), "target": labels.get(target, target)},
            code="transition_not_allowed")
    before = snapshot(locked)
    setattr(locked, state_machine.field, target)
    if target in state_machine.stamps:
        setattr(locked, state_machine.stamps[target], timezone.now())
    if target in state_machine.stamp_actor and getattr(actor, "is_authenticated", False):
        setattr(locked, state_machine.stamp_actor[target], actor)
    for name, value in (changes or {}).items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    audit_update(actor=actor, instance=locked, before=before)
    instance.refresh_from_db()
    return locked
