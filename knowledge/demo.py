"""The demo workspaces' knowledge base: a handful of useful articles (selling to Saudi SMEs, PDPL
consent, objection handling, WhatsApp etiquette, the lead score, a sector guide, and one draft), each in
English and Arabic, and sector sales assets in the tenant's language. Only what is missing is added."""
from __future__ import annotations

import datetime as dt
import random

from crm.demo_content import pick
from dealix.core.seeding import Batch, business_time, later
from knowledge.demo_content import ARTICLES, SECTOR_ASSETS
from knowledge.models import KnowledgeArticle, SectorAsset


def seed_knowledge(*, language: str, rng: random.Random, now: dt.datetime) -> None:
    batch = Batch()
    present = set(KnowledgeArticle.objects.values_list("title", flat=True))
    for number, (category, sector, published, title, title_ar, body, body_ar) in enumerate(ARTICLES):
        if title in present:
            continue
        created = business_time(rng, now, 55 - number * 6)
        batch.add(KnowledgeArticle(category=category, sector=sector, is_published=published, title=title,
                                   title_ar=title_ar, body=body, body_ar=body_ar),
                  created, later(rng, created, now, min_minutes=60, max_minutes=60 * 24 * 3))
    assets = set(SectorAsset.objects.filter(language=language).values_list("sector", "asset_type"))
    for number, (sector, asset_type, title, asset_content) in enumerate(SECTOR_ASSETS):
        if (sector, asset_type) in assets:
            continue
        created = business_time(rng, now, 40 - number * 5)
        batch.add(SectorAsset(sector=sector, asset_type=asset_type, title=pick(title, language),
                              content=pick(asset_content, language), language=language, is_active=True), created)
    batch.save((KnowledgeArticle, SectorAsset))
