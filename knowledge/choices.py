from django.db import models
from django.utils.translation import gettext_lazy as _


class AssetType(models.TextChoices):
    PITCH_DECK = "pitch_deck", _("Pitch deck")
    CASE_STUDY = "case_study", _("Case study")
    OBJECTION_MAP = "objection_map", _("Objection map")
    PRICING_GUIDE = "pricing_guide", _("Pricing guide")
    COMPETITOR_MATRIX = "competitor_matrix", _("Competitor matrix")


class ConversationStatus(models.TextChoices):
    SUCCESS = "success", _("Success")
    ERROR = "error", _("Error")
    ESCALATED = "escalated", _("Escalated")
