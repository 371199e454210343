"""Permission-matrix entries of the deals and leads exports and the leads import: each
needs its own permission (sales.export, sales.import), and what it reads or writes stays
within the actor's workspace and scope."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from relata.core.tests.matrix import Rule, api_rule, form, page


def _file() -> SimpleUploadedFile:
    return SimpleUploadedFile("leads.csv", "Имя;Телефон\nМатрица;+79160009988\n".encode())


def _deals_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("deals.csv", "Сделка;Сумма\nМатричная сделка;100\n".encode())


PAGES: dict[str, Rule] = {
    "sales:deal_export": page("sales.export"),
    "sales:lead_export": page("sales.export"),
    "sales:lead_import": page("sales.import"),
    "sales:deal_import": page("sales.import"),
}

PAGE_POSTS: dict[str, Rule] = {
    "sales:lead_import": form("sales.import", lambda w: {"file": _file()}),
    "sales:deal_import": form("sales.import", lambda w: {"file": _deals_file()}),
}

API: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/deals/export"): api_rule("sales.export"),
    ("GET", "/api/v1/leads/export"): api_rule("sales.export"),
    ("POST", "/api/v1/leads/import"): api_rule("sales.import", 201, data=lambda w: {"file": _file()}, multipart=True),
    ("POST", "/api/v1/deals/import"): api_rule(
        "sales.import", 201, data=lambda w: {"file": _deals_file()}, multipart=True
    ),
}
