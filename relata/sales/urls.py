"""The sales app's pages, gathered from the view modules (each keeps its own `urls`)."""

from relata.sales.views import deals, leads, lines, plans, settings, webforms

app_name = "sales"

urlpatterns = [
    *deals.urls,
    *lines.urls,
    *plans.urls,
    *settings.urls,
    *leads.urls,
    *webforms.urls,
]
