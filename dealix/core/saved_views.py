"""Saving a list's filters and columns as named views (per user, per list)."""
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dealix.core.http import safe_next
from dealix.core.models import SavedView

FILTER_EXCLUDED = {"cursor", "csrfmiddlewaretoken", "next", "name", "columns", "list_key", "make_default"}


@require_POST
def save_view(request):
    """Save the current filters under a name; optionally make it the list's default."""
    name = (request.POST.get("name") or "").strip()[:100]
    list_key = (request.POST.get("list_key") or "").strip()[:50]
    query = (request.POST.get("query") or "")[:2000]
    if not name or not list_key:
        messages.error(request, _("Give the view a name."))
        return redirect(safe_next(request, "/"))
    make_default = request.POST.get("make_default") == "on"
    try:
        with transaction.atomic():
            if make_default:
                SavedView.objects.filter(user=request.user, list_key=list_key, is_default=True).update(is_default=False)
            SavedView.objects.update_or_create(user=request.user, list_key=list_key, name=name,
                                               defaults={"query_string": query, "is_default": make_default})
    except IntegrityError:
        messages.error(request, _("That view could not be saved. Try another name."))
    else:
        messages.success(request, _("View “%(name)s” saved.") % {"name": name})
    return redirect(safe_next(request, "/"))


@require_POST
def delete_view(request, pk):
    view = get_object_or_404(SavedView, pk=pk, user=request.user)
    view.delete()
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect(safe_next(request, "/"))


@require_POST
def save_columns(request):
    """The columns a user wants on a list, kept on their default view for that list."""
    list_key = (request.POST.get("list_key") or "").strip()[:50]
    columns = [name[:50] for name in request.POST.getlist("columns")][:30]
    view = SavedView.objects.filter(user=request.user, list_key=list_key, is_default=True).first()
    if view is None:
        view = SavedView(user=request.user, list_key=list_key, name=_("My default"), is_default=True)
    view.columns = columns
    view.save()
    return redirect(safe_next(request, "/"))
