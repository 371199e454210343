"""The orders app's pages, gathered from the view modules (each keeps its own `urls`)."""

from relata.orders.views import orders, stock

app_name = "orders"

urlpatterns = [
    *orders.urls,
    *stock.urls,
]
