from django.shortcuts import render
from django.utils import translation
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name


class TenantMiddleware(TenantMainMiddleware):
    """django-tenants' routing by host name, plus a clear page for a suspended tenant."""

    def process_request(self, request):
        response = super().process_request(request)
        if response is not None:
            return response
        tenant = request.tenant
        if tenant.schema_name != get_public_schema_name() and not tenant.is_active:
            translation.activate(translation.get_language_from_request(request) or tenant.language)
            return render(request, "tenancy/suspended.html", {"tenant": tenant}, status=403)
        return None
