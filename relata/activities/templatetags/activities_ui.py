"""Template helpers of activities and tasks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def overdue(task: Any) -> bool:
    return bool(task.is_overdue(timezone.now()))


@register.filter
def duration(seconds: int | None) -> str:
    """Seconds as h:mm:ss or m:ss."""
    if seconds is None:
        return ""
    text = str(dt.timedelta(seconds=int(seconds)))
    return text[2:] if text.startswith("0:") else text
