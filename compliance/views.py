from django.shortcuts import render

from dealix.accounts import roles


@roles.capability_required(roles.COMPLIANCE_VIEW)
def index(request):
    return render(request, "compliance/index.html")
