"""The catalog's pages, gathered from the view modules (each keeps its own `urls`)."""

from relata.catalog.views import categories, price_lists, products

app_name = "catalog"

urlpatterns = [
    *products.urls,
    *categories.urls,
    *price_lists.urls,
]
