"""The pipeline board: columns, totals, moving cards (drag and drop or keyboard), visibility, queries."""
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from crm.models import Customer, Deal
from dealix.accounts.models import User

pytestmark = pytest.mark.django_db


def make_deals(owner_email: str, count: int, stage="discovery", value="1000.00", probability=10) -> list[Deal]:
    with schema_context("tenant_a"):
        owner = User.objects.get(email=owner_email)
        deals = [Deal(title=f"Deal {owner_email[:6]} {n:03d}", assigned_to=owner, stage=stage, value=Decimal(value),
                      probability=probability, lost_reason="x" if stage == "closed_lost" else "")
                 for n in range(count)]
        for deal in deals:
            deal.search_text = deal.build_search_text()
        return Deal.objects.bulk_create(deals)


def test_the_board_shows_each_stage_with_totals_and_weighted_values(client_for, people):
    make_deals("agent@a.test", 2, stage="proposal", value="10000.00", probability=30)
    make_deals("agent@a.test", 1, stage="negotiation", value="5000.00", probability=60)

    response = client_for(people["manager"], language="en").get("/crm/pipeline/?lang=en")

    columns = {column.stage: column for column in response.context["columns"]}
    assert columns["proposal"].count == 2 and columns["proposal"].total == Decimal("20000.00")
    assert columns["proposal"].weighted == Decimal("6000.00")
    assert columns["negotiation"].weighted == Decimal("3000.00")
    assert "SAR\xa020,000.00" in response.content.decode()


def test_an_agent_sees_only_their_deals_on_the_board(client_for, people):
    make_deals("agent@a.test", 1)
    make_deals("agent2@a.test", 1)

    page = client_for(people["agent"]).get("/crm/pipeline/").content.decode()

    assert "Deal agent@ 000" in page and "Deal agent2 000" not in page


def test_dropping_a_card_moves_the_deal_through_the_service(client_for, people):
    (deal,) = make_deals("agent@a.test", 1)

    response = client_for(people["agent"]).post(f"/crm/deals/{deal.pk}/move/", {"stage": "negotiation"},
                                                HTTP_HX_REQUEST="true")

    assert response.status_code == 200 and 'data-testid="pipeline"' in response.content.decode()
    with schema_context("tenant_a"):
        deal.refresh_from_db()
    assert deal.stage == "negotiation" and deal.probability == 60


def test_closing_won_from_the_board_creates_the_customer(client_for, people):
    (deal,) = make_deals("agent@a.test", 1, stage="negotiation", value="7000.00", probability=60)

    client_for(people["agent"]).post(f"/crm/deals/{deal.pk}/move/", {"stage": "closed_won"})

    with schema_context("tenant_a"):
        deal.refresh_from_db()
        assert deal.stage == "closed_won" and deal.closed_at is not None
        assert Customer.objects.get(deal=deal).lifetime_value == Decimal("7000.00")


def test_closing_lost_without_a_reason_is_refused_and_the_deal_stays(client_for, people):
    (deal,) = make_deals("agent@a.test", 1)

    response = client_for(people["agent"], language="en").post(
        f"/crm/deals/{deal.pk}/move/", {"stage": "closed_lost", "lost_reason": ""}, HTTP_HX_REQUEST="true")

    assert "Say why the deal was lost." in response.content.decode()
    with schema_context("tenant_a"):
        deal.refresh_from_db()
    assert deal.stage == "discovery"


def test_moving_another_agents_deal_is_a_404(client_for, people):
    (theirs,) = make_deals("agent2@a.test", 1)

    response = client_for(people["agent"]).post(f"/crm/deals/{theirs.pk}/move/", {"stage": "proposal"})

    assert response.status_code == 404


def test_a_viewer_sees_the_board_but_cannot_move_cards(client_for, people):
    (deal,) = make_deals("agent@a.test", 1)
    client = client_for(people["viewer"])

    page = client.get("/crm/pipeline/").content.decode()

    assert "Deal agent@ 000" in page and 'draggable="true"' not in page
    assert client.post(f"/crm/deals/{deal.pk}/move/", {"stage": "proposal"}).status_code == 403


def test_the_board_runs_the_same_number_of_queries_for_10_and_500_deals(client_for, people):
    client = client_for(people["manager"])
    make_deals("agent@a.test", 10)
    client.get("/crm/pipeline/")
    with CaptureQueriesContext(connection) as small:
        client.get("/crm/pipeline/")
    for stage in ("discovery", "proposal", "negotiation", "closed_won"):
        make_deals("agent2@a.test", 120, stage=stage)
    with CaptureQueriesContext(connection) as large:
        client.get("/crm/pipeline/")

    assert len(small) == len(large)


def test_the_owner_filter_narrows_the_board(client_for, people):
    make_deals("agent@a.test", 1)
    make_deals("agent2@a.test", 1)
    with schema_context("tenant_a"):
        agent2 = User.objects.get(email="agent2@a.test")

    page = client_for(people["manager"]).get("/crm/pipeline/", {"owner": str(agent2.pk)}).content.decode()

    assert "Deal agent2 000" in page and "Deal agent@ 000" not in page
