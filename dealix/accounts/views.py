from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dealix.accounts.forms import EmailLoginForm, LanguageForm, NotificationPreferencesForm
from dealix.accounts.services import user_set_language


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailLoginForm
    redirect_authenticated_user = True


@login_not_required
@require_POST
def set_language(request):
    """Switch the interface language; remembered on the user (when logged in) and in a cookie."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            user_set_language(user=request.user, language=language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def notification_preferences(request):
    """Which notifications the logged-in user gets in the bell and by email: always their own."""
    from dealix.core import notifications
    user = request.user
    form = NotificationPreferencesForm(request.POST or None, initial=notifications.preferences_of(user))
    if request.method == "POST" and form.is_valid():
        try:
            notifications.notification_preferences_update(actor=user, user=user, channels=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("accounts:notifications")
    return render(request, "accounts/notifications.html",
                  {"form": form, "help_text": notifications.CHANNELS_HELP})


password_views = {
    "password_reset": login_not_required(auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset.html",
        email_template_name="accounts/email/password_reset.txt",
        subject_template_name="accounts/email/password_reset_subject.txt",
        success_url="/accounts/password-reset/sent/")),
    "password_reset_done": login_not_required(auth_views.PasswordResetDoneView.as_view(
        template_name="accounts/password_reset_done.html")),
    "password_reset_confirm": login_not_required(auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html", success_url="/accounts/reset/done/")),
    "password_reset_complete": login_not_required(auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html")),
    "password_change": auth_views.PasswordChangeView.as_view(
        template_name="accounts/password_change.html", success_url="/accounts/password-change/done/"),
    "password_change_done": auth_views.PasswordChangeDoneView.as_view(
        template_name="accounts/password_change_done.html"),
}
