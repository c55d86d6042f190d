from django.shortcuts import render

from dealix.accounts import roles


@roles.capability_required(roles.KNOWLEDGE_VIEW)
def index(request):
    return render(request, "knowledge/index.html")
