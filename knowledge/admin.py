"""Django admin of the knowledge base, the sector assets and the log of assistant calls."""
from django.contrib import admin

from dealix.core.admin_base import (DeactivateAdminMixin, NormalisedSearchAdminMixin, ReadOnlyAdminMixin,
                                    TenantModelAdmin)
from knowledge.models import AIConversation, KnowledgeArticle, SectorAsset


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(NormalisedSearchAdminMixin, TenantModelAdmin):
    # The embedding (512 numbers) is computed from the text and not shown.
    list_display = ["title", "title_ar", "category", "sector", "is_published", "updated_at"]
    list_filter = ["is_published", "category", "sector"]
    date_hierarchy = "created_at"


@admin.register(SectorAsset)
class SectorAssetAdmin(DeactivateAdminMixin, TenantModelAdmin):
    list_display = ["title", "sector", "asset_type", "language", "is_active", "updated_at"]
    list_filter = ["asset_type", "language", "is_active", "sector"]
    search_fields = ["title", "sector"]
    date_hierarchy = "created_at"


@admin.register(AIConversation)
class AIConversationAdmin(NormalisedSearchAdminMixin, ReadOnlyAdminMixin, TenantModelAdmin):
    """The log of every assistant call: read, never written by hand."""

    list_display = ["agent_type", "status", "lead", "contact", "tokens_used", "latency_ms", "created_at"]
    list_filter = ["status", "agent_type"]
    list_select_related = ["lead", "contact"]
    search_text_fields = ("lead__search_text", "contact__search_text")
    date_hierarchy = "created_at"
    show_full_result_count = False
