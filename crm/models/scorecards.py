from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dealix.core.constraints import between, money_field, non_negative, percent_field
from crm.querysets import ScorecardQuerySet
from dealix.core.models import TimeStampedModel

__all__ = ["Scorecard"]


class Scorecard(TimeStampedModel):
    """An agent's results for a period (the first day of the month). `composite_score` 0–100 weighs the
    other figures; `customer_satisfaction` is 0.00–5.00."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT,
                             related_name="scorecards")
    period = models.DateField(_("period"))
    leads_handled = models.PositiveIntegerField(_("leads handled"), default=0)
    deals_closed = models.PositiveIntegerField(_("deals closed"), default=0)
    revenue_generated = money_field(_("revenue generated"))
    avg_response_time = models.PositiveIntegerField(_("average response time (seconds)"), default=0)
    customer_satisfaction = models.DecimalField(_("customer satisfaction"), max_digits=3, decimal_places=2,
                                                null=True, blank=True)
    ai_assist_rate = percent_field(_("AI-assisted share (%)"), default=0)
    composite_score = percent_field(_("composite score"), default=0)

    objects = ScorecardQuerySet.as_manager()

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["-period", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "period"], name="crm_scorecard_user_period_unique",
                                    violation_error_message=_("This agent already has a scorecard for that period.")),
            models.CheckConstraint(condition=models.Q(period__day=1), name="crm_scorecard_period_month_start",
                                   violation_error_message=_("A period starts on the first day of a month.")),
            non_negative("crm_scorecard", "revenue_generated"),
            between("crm_scorecard", "customer_satisfaction", 0, 5),
            between("crm_scorecard", "ai_assist_rate", 0, 100),
            between("crm_scorecard", "composite_score", 0, 100),
        ]

    def __str__(self):
        return f"{self.user} · {self.period:%Y-%m}"
