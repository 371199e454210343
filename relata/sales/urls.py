"""The sales app's pages, gathered from the view modules (each keeps its own `urls`)."""

from relata.sales.views import deals, lines, settings

app_name = "sales"

urlpatterns = [
    *deals.urls,
    *lines.urls,
    *settings.urls,
]
