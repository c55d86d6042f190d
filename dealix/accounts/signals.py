from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    from dealix.accounts.services import user_record_login
    user_record_login(user=user)
