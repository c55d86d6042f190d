from django.conf import settings
from django.db import connection
from django.http import JsonResponse

from dealix.core.audit import current_ip


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as error:  # the health check reports any failure instead of raising it
        return f"error: {error.__class__.__name__}"


def check_redis() -> str:
    import redis
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1).ping()
        return "ok"
    except Exception as error:  # the health check reports any failure instead of raising it
        return f"error: {error.__class__.__name__}"


class HealthCheckMiddleware:
    """`GET /health/` on any host, before tenant routing: load balancers call it by IP or any name."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != "/health/":
            return self.get_response(request)
        parts = {"db": check_database(), "redis": check_redis()}
        healthy = all(value == "ok" for value in parts.values())
        return JsonResponse({"status": "ok" if healthy else "error", **parts}, status=200 if healthy else 503)


def client_ip(request) -> str | None:
    # Behind a proxy, set DJANGO_TRUST_X_FORWARDED_FOR so the first hop's address is used.
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    """Makes the client's IP available to the audit log without threading it through every service."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
