"""The pipeline board's cards, written in one pass: 250 cards with their "Move to" menus went through
some 20,000 template nodes, most of a board's time. Same markup as before; every text escaped."""
from django import template
from django.middleware.csrf import get_token
from html import escape  # the cards' texts are plain strings: no need for Django's lazy-aware wrapper
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from django.utils.translation import get_language

from dealix.core.templatetags.dealix import sar

register = template.Library()


@register.simple_tag(takes_context=True)
def board_cards(context, column):
    deals = column.deals
    if not deals:
        return mark_safe(f'<li class="small text-body-secondary text-center py-3">{escape(gettext("No deals here."))}</li>')
    request = context["request"]
    can_work = context.get("can_work")
    owner = context.get("owner")
    stages = context.get("stages") or []
    token = escape(get_token(request))
    owner_id = escape(str(owner.pk)) if owner else ""
    move_to = escape(gettext("Move to"))
    stage_labels = [(value, escape(str(label))) for value, label in stages]
    menus: dict[str, str] = {}  # a card's "Move to" items depend only on its stage; its URL is filled in

    def menu_for(stage: str) -> str:
        if stage not in menus:
            items = []
            for value, label in stage_labels:
                if value == stage:
                    continue
                if value == "closed_lost":
                    items.append(f'<li><button type="button" class="dropdown-item" data-lost-url="{{url}}">'
                                 f'{label}…</button></li>')
                else:
                    items.append(f'<li><button class="dropdown-item" name="stage" value="{escape(value)}">'
                                 f'{label}</button></li>')
            menus[stage] = "".join(items)
        return menus[stage]

    parts = []
    language = get_language()
    for deal in deals:
        movable = can_work and deal.is_open
        move_url = escape(deal.move_url)
        company = escape(deal.company_name)
        owner_name = escape(deal.owner_name) if deal.owner_name else "—"
        draggable = ' draggable="true"' if movable else ""
        parts.append(
            f'<li class="card pipeline-card"{draggable} data-deal="{deal.pk}"'
            f' data-move-url="{move_url}" data-testid="deal-card"><div class="card-body p-2">'
            f'<a href="{escape(deal.detail_url)}" class="fw-semibold d-block text-truncate">{escape(deal.title)}</a>'
            f'<div class="small text-body-secondary text-truncate">{company}</div>'
            f'<div class="d-flex justify-content-between small mt-1"><span class="ltr-value">{escape(sar(deal.value, language))}'
            f'</span><span>{deal.probability}%</span></div>'
            f'<div class="small text-body-secondary">{owner_name}</div>')
        if movable:
            parts.append(
                f'<form method="post" action="{move_url}" hx-post="{move_url}" hx-target="#pipeline-board"'
                f' class="dropdown mt-1"><input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
                f'<input type="hidden" name="owner" value="{owner_id}">'
                f'<button type="button" class="btn btn-sm btn-link p-0 dropdown-toggle" data-bs-toggle="dropdown"'
                f' aria-expanded="false">{move_to}</button><ul class="dropdown-menu">'
                f'{menu_for(deal.stage).replace("{url}", move_url)}</ul></form>')
        parts.append("</div></li>")
    return mark_safe("".join(parts))
