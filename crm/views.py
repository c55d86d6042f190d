from django.shortcuts import render

from dealix.accounts import roles


@roles.capability_required(roles.CRM_VIEW)
def index(request):
    return render(request, "crm/index.html")
