from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase


class PagePagination(PaginationBase):
    """?page=N&page_size=M (at most RELATA_API_MAX_PAGE_SIZE); results are ordered by
    the endpoint and tie-broken by id, so pages neither repeat nor skip rows."""

    class Input(Schema):
        page: int = Field(1, ge=1, description="Page number, from 1.")
        page_size: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE,
            ge=1,
            le=settings.RELATA_API_MAX_PAGE_SIZE,
            description=f"Items per page, at most {settings.RELATA_API_MAX_PAGE_SIZE}.",
        )

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int
        pages: int

    def paginate_queryset(self, queryset: QuerySet[Any], pagination: Input, request: HttpRequest, **params: Any) -> Any:
        count = self._items_count(queryset)
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "items": queryset[offset : offset + pagination.page_size],
            "count": count,
            "page": pagination.page,
            "page_size": pagination.page_size,
            "pages": max(1, math.ceil(count / pagination.page_size)),
        }
