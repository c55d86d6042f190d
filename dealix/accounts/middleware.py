from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from dealix.accounts import roles

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


class UserLanguageMiddleware:
    """The page's language: `?lang=` if given (and remembered), else the user's stored language, else
    what LocaleMiddleware chose from the cookie and the browser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        requested = request.GET.get("lang")
        if "lang" in request.GET:
            # `lang` is for this middleware only; views (admin lists, filters) must not take it for a filter.
            request.GET = request.GET.copy()
            del request.GET["lang"]
        # Public pages (the lead form, unsubscribe) fall back to the visitor's language unless one was asked for.
        request.requested_language = requested if requested in LANGUAGE_CODES else None
        user = request.user
        if requested in LANGUAGE_CODES:
            language = requested
            if user.is_authenticated and user.language != requested:
                from dealix.accounts.services import user_set_language
                user_set_language(user=user, language=requested)
        elif user.is_authenticated and user.language in LANGUAGE_CODES:
            language = user.language
        else:
            language = translation.get_language()
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if requested in LANGUAGE_CODES:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, requested, max_age=365 * 24 * 3600,
                                samesite="Lax")
        response.headers.setdefault("Content-Language", language)
        return response


class RoleAccessMiddleware:
    """Server-side fences that hold for every URL, whatever a view forgets:
    affiliates reach only the partner portal (and their own account pages), and viewers never write."""

    # URL name prefixes anyone logged in may use, whatever the role.
    ALWAYS_ALLOWED = ("accounts:", "core:")
    # Writes a viewer may still make: their own session and preferences.
    VIEWER_WRITES = ("accounts:", "core:")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or not hasattr(request, "resolver_match") or request.resolver_match is None:
            return None
        name = request.resolver_match.view_name or ""
        if roles.is_portal_only(user):
            if name == "home":
                return redirect(reverse("affiliates:portal"))
            if not (name.startswith("affiliates:portal") or name.startswith(self.ALWAYS_ALLOWED)):
                raise PermissionDenied
        if request.method not in ("GET", "HEAD", "OPTIONS") and not roles.can(user, roles.WRITE):
            if not name.startswith(self.VIEWER_WRITES):
                raise PermissionDenied
        return None
