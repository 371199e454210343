"""The analytics app's pages (/analytics/)."""

from relata.analytics.views.classes import urls as classes_urls
from relata.analytics.views.sales import urls as sales_urls

app_name = "analytics"

urlpatterns = [*classes_urls, *sales_urls]
