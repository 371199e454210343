"""Deals and leads in the global search box, within the actor's scope."""

from __future__ import annotations

import re

from django.db.models import Q
from django.urls import reverse

from relata.core.db import contains_any
from relata.core.models import Membership
from relata.sales.selectors.deals import deals_visible_to
from relata.sales.selectors.leads import leads_visible_to
from relata.web.search import SearchHit


def find_deals(actor: Membership, text: str, limit: int) -> list[SearchHit]:
    rows = deals_visible_to(actor).filter(contains_any(text, "title", "client__name")).order_by("-created_at", "-id")
    return [
        SearchHit(
            deal.title,
            " · ".join(part for part in (deal.client.name if deal.client else "", deal.stage.name) if part),
            reverse("sales:deal", args=[deal.pk]),
            icon="kanban",
        )
        for deal in rows[:limit]
    ]


def find_leads(actor: Membership, text: str, limit: int) -> list[SearchHit]:
    condition = contains_any(text, "contact_name", "company_name", "email")
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 4:  # a phone fragment typed in any format
        condition |= Q(phone__contains=digits)
    rows = leads_visible_to(actor).filter(condition).order_by("-created_at", "-id")
    return [
        SearchHit(
            lead.contact_name or lead.company_name or lead.email or lead.phone,
            " · ".join(part for part in (lead.company_name, lead.get_status_display()) if part),
            reverse("sales:lead", args=[lead.pk]),
            icon="inbox",
        )
        for lead in rows[:limit]
    ]
