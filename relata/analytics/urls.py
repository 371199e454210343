"""The analytics app's pages (/analytics/)."""

from relata.analytics.views.classes import urls as classes_urls
from relata.analytics.views.products import urls as products_urls

app_name = "analytics"

urlpatterns = [*classes_urls, *products_urls]
