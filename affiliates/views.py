from django.shortcuts import render

from dealix.accounts import roles


@roles.capability_required(roles.AFFILIATES_VIEW)
def index(request):
    """The programme as staff see it."""
    return render(request, "affiliates/index.html")


@roles.capability_required(roles.PORTAL)
def portal(request):
    """The partner portal: the affiliate's only page set."""
    return render(request, "affiliates/portal.html")
