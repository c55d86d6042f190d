"""Job bodies used by the job tests (RQ imports them by dotted path)."""
from django.db import connection

from dealix.accounts.models import User
from dealix.core.services import notification_create


def notify_first_owner(title: str) -> str:
    owner = User.objects.filter(role="owner").order_by("created_at").first()
    notification_create(user=owner, type="test", title=title)
    return connection.schema_name
