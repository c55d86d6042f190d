"""Figures for the sales workspace at 100,000 leads (issue 4's measure), through the whole Django stack:
middleware, tenant resolution by host, session, the view and its template, with `django.test.Client`
in this process, as an agent and as a manager of the `bench-crm` tenant (which 10 more tenants stand
beside). For each page: p50/p95 server time and queries per request over n=100 after a warm-up, and the
same page's SQL alone (every statement the page ran, executed again on its own connection), so the
overhead of Python and templates over the database floor is visible as `ratio`."""
from __future__ import annotations

import statistics
import time
from urllib.parse import urlencode

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import get_public_schema_name, schema_context

from crm.models import Lead
from dealix.accounts.choices import Role
from dealix.accounts.models import User
from dealix.core.benchmarking import percentile
from dealix.core.listing import _encode
from dealix.tenancy.models import Tenant
from dealix.tenancy.services import host_for, tenant_create

REQUESTS = 100  # p95 of 30 samples is the second-slowest request: too much at the mercy of one hiccup
NEIGHBOURS = 10


def _ensure_neighbours() -> None:
    """Ten more tenants beside the big one, as on a shared server."""
    with schema_context(get_public_schema_name()):
        existing = set(Tenant.objects.filter(slug__startswith="bench-n").values_list("slug", flat=True))
        for number in range(NEIGHBOURS):
            slug = f"bench-n{number}"
            if slug not in existing:
                tenant_create(actor=None, name=f"Neighbour {number}", slug=slug,
                              owner_email=f"owner@{slug}.test", owner_full_name="Owner",
                              owner_password="bench-password-123")


def _time_page(client: Client, path: str, headers: dict | None = None) -> tuple[list[float], int, list[str]]:
    headers = headers or {}
    client.get(path, headers=headers)  # warm-up: caches, prepared plans
    samples = []
    captured_sql: list[str] = []
    queries = 0
    for attempt in range(REQUESTS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path, headers=headers)
            samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        if attempt == 0:
            queries = len(captured.captured_queries)
            # The floor is the page's reads; session and bookkeeping writes are not part of the page.
            captured_sql = [query["sql"] for query in captured.captured_queries
                            if query["sql"].lstrip(" (").upper().startswith("SELECT")]
    return samples, queries, captured_sql


def _sql_floor(schema: str, statements: list[str]) -> list[float]:
    """The time of the page's own SQL, run again without Django around it."""
    samples = []
    with schema_context(schema):
        with connection.cursor() as cursor:
            for _ in range(REQUESTS):
                started = time.perf_counter()
                for sql in statements:
                    cursor.execute(sql)
                    if cursor.description:
                        cursor.fetchall()
                samples.append((time.perf_counter() - started) * 1000)
    return samples


def _figure(name: str, role: str, samples: list[float], queries: int, floor: list[float], **extra) -> dict:
    p50, floor_p50 = statistics.median(samples), statistics.median(floor)
    return {"name": name, "unit": "ms", "role": role, "value": round(p50, 1), "p50_ms": round(p50, 1),
            "p95_ms": round(percentile(samples, 0.95), 1), "n": len(samples), "queries": queries,
            "sql_p50_ms": round(floor_p50, 2), "sql_p95_ms": round(percentile(floor, 0.95), 2),
            "ratio": round(p50 / floor_p50, 2) if floor_p50 else None, **extra}


def _deep_cursor(tenant_schema: str, user, page: int, per_page: int = 50) -> str:
    """The cursor the list's "Next" link carries on page `page` (newest first)."""
    with schema_context(tenant_schema):
        row = (Lead.objects.visible_to(user).order_by("-created_at", "-id")
               .values_list("created_at", "id")[(page - 1) * per_page - 1])
    return _encode([row[0], row[1]], True, (page - 1) * per_page)


def workspace_pages() -> list[dict]:
    from crm.bench import ensure_bench_tenant
    tenant, _seed_figure = ensure_bench_tenant()
    _ensure_neighbours()
    host = host_for(tenant.slug)
    with schema_context(tenant.schema_name):
        manager = User.objects.filter(role=Role.MANAGER, is_active=True).order_by("created_at").first()
        agent = User.objects.filter(role=Role.AGENT, is_active=True).order_by("created_at").first()
        sample = Lead.objects.filter(assigned_to=agent).exclude(phone="").order_by("-created_at").first()
        arabic_lead = (Lead.objects.filter(assigned_to=agent, full_name__regex=r"^[أإا]")
                       .order_by("-created_at").first() or sample)
        arabic_name = arabic_lead.full_name.split(" ")[0].replace("أ", "ا").replace("إ", "ا")  # typed without hamza
        phone_typed = "0" + sample.phone[4:]  # +9665XXXXXXXX typed as 05XXXXXXXX
        agent_leads = Lead.objects.filter(assigned_to=agent).count()
    figures = []
    for role, user in (("agent", agent), ("manager", manager)):
        client = Client(HTTP_HOST=host)
        with schema_context(tenant.schema_name):
            client.force_login(user)
            deep_page = 2000 if role == "manager" else max(2, min(2000, agent_leads // 50))
            deep_cursor = _deep_cursor(tenant.schema_name, user, deep_page)
        pages = [
            ("lead_list_page_1", "/crm/leads/", {}),
            (f"lead_list_page_{deep_page}", "/crm/leads/?" + urlencode({"cursor": deep_cursor}), {"page": deep_page}),
            ("lead_list_owner_status", "/crm/leads/?" + urlencode({"assigned_to": str(agent.pk), "status": "new"}), {}),
            ("lead_search_arabic_name", "/crm/leads/?" + urlencode({"q": arabic_name}), {"query": arabic_name}),
            ("lead_search_phone", "/crm/leads/?" + urlencode({"q": phone_typed}), {}),
            ("pipeline_board", "/crm/pipeline/", {}),
            ("lead_detail", f"/crm/leads/{sample.pk}/", {}),
            ("global_search", "/crm/search/?" + urlencode({"q": arabic_name}), {}),
            # What htmx asks for while the page is open: the table as the user types in the list's search
            # box, the Meetings card the lead page loads after itself, and the smallest fragment there is
            # (the notification bell, five short queries), which shows what the stack alone costs.
            ("lead_search_as_you_type", "/crm/leads/?" + urlencode({"q": arabic_name}), {"htmx": True}),
            ("lead_meetings_card", f"/crm/leads/{sample.pk}/meetings/", {"htmx": True}),
            ("notification_bell", "/core/notifications/bell/", {"htmx": True}),
        ]
        for name, path, extra in pages:
            headers = {"HX-Request": "true"} if extra.pop("htmx", False) else {}
            samples, queries, statements = _time_page(client, path, headers)
            if headers:
                extra = {**extra, "htmx": True}
            floor = _sql_floor(tenant.schema_name, statements)
            figures.append(_figure(name, role, samples, queries, floor, leads=100_000, **extra))
    connection.set_schema_to_public()
    return figures


def import_100k() -> dict:
    """Importing a 100,000-row CSV (with 1 % repeats of existing leads, skipped) into a fresh tenant:
    reading, checking every row, the duplicate look-ups and the all-or-nothing commit."""
    import random

    from django.core.files.uploadedfile import SimpleUploadedFile

    from crm import imports
    from dealix.core.sample_data import SECTOR_KEYS, company_name, person_name, saudi_mobile

    slug = "bench-import"
    with schema_context(get_public_schema_name()):
        old = Tenant.objects.filter(slug=slug).first()
        if old is not None:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{old.schema_name}" CASCADE')
            old.domains.all().delete()
            Tenant.objects.filter(pk=old.pk).delete()
        tenant = tenant_create(actor=None, name="Bench import", slug=slug, owner_email="owner@bench-import.test",
                               owner_full_name="Owner", owner_password="bench-password-123")
    rng = random.Random(7)
    rows = ["name,phone,email,company,sector,city"]
    phones = set()
    while len(phones) < 100_000:
        phones.add(saudi_mobile(rng))
    phones = sorted(phones)
    for index, phone in enumerate(phones):
        rows.append(f"{person_name(rng)},{'0' + phone[4:]},lead{index}@example.sa,{company_name(rng)},"
                    f"{rng.choice(SECTOR_KEYS)},Riyadh")
    content = ("\n".join(rows) + "\n").encode("utf-8")
    with schema_context(tenant.schema_name):
        owner = User.objects.get(role=Role.OWNER)
        for number in range(5):
            User.objects.create_user(f"agent{number}@bench-import.test", "bench-password-123",
                                     full_name=f"Agent {number}", role=Role.AGENT)
        Lead.objects.bulk_create([Lead(full_name="Existing", phone=phone, search_text="existing")
                                  for phone in phones[:1000]])
        started = time.perf_counter()
        lead_import = imports.import_start(actor=owner, uploaded=SimpleUploadedFile("bench.csv", content))
        imports.import_set_mapping(actor=owner, lead_import=lead_import, mapping=lead_import.mapping,
                                   duplicate_mode="skip")
        preview_started = time.perf_counter()
        imports.preview(lead_import)
        preview_seconds = time.perf_counter() - preview_started
        summary = imports.import_commit(actor=owner, lead_import=lead_import)
        seconds = time.perf_counter() - started
    connection.set_schema_to_public()
    return {"name": "import_100k_rows", "unit": "s", "value": round(seconds, 1), "rows": 100_000,
            "created": summary["created"], "skipped": summary["skipped"], "preview_s": round(preview_seconds, 1),
            "file_mb": round(len(content) / 1e6, 1), "target_s": 30}
