"""The analytics section's tabs: each report registers its page here (from its app's
registrations) and the section's pages show them in order."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class ReportTab:
    key: str
    label: str | Promise
    url_name: str
    order: int


REPORT_TABS: dict[str, ReportTab] = {}


def register_report_tab(tab: ReportTab) -> None:
    REPORT_TABS[tab.key] = tab


def report_tabs() -> list[ReportTab]:
    return sorted(REPORT_TABS.values(), key=lambda tab: tab.order)
