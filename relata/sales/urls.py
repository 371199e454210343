"""The sales app's pages, gathered from the view modules (each keeps its own `urls`)."""

from relata.sales.views import (
    deals,
    document_settings,
    documents,
    exports,
    file_import,
    leads,
    lines,
    plans,
    settings,
    webforms,
)

app_name = "sales"

urlpatterns = [
    *exports.urls,
    *file_import.urls,
    *deals.urls,
    *lines.urls,
    *documents.urls,
    *plans.urls,
    *settings.urls,
    *document_settings.urls,
    *leads.urls,
    *webforms.urls,
]
