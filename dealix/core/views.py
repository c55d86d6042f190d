from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from dealix.core import selectors, services


def home(request):
    from dealix.accounts import roles
    context = {"now": timezone.now()}
    if roles.can(request.user, roles.CRM_VIEW):
        from crm.selectors import home_summary
        context.update(home_summary(request.user))
    return render(request, "core/home.html", context)


def _render_bell(request):
    context = {"unread_count": selectors.unread_notification_count(request.user),
               "notifications": selectors.notifications_for(request.user)}
    return render(request, "core/partials/notification_bell.html", context)


@require_GET
@vary_on_headers("HX-Request")
def notification_bell(request):
    """The bell in the header; htmx refreshes it every 30 seconds."""
    return _render_bell(request)


@require_POST
def notifications_mark_read(request):
    services.notifications_mark_read(user=request.user)
    return _render_bell(request)
