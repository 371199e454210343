"""The analytics app's pages (/analytics/): one URL list per report module."""

from relata.analytics.views.classes import urls as classes_urls
from relata.analytics.views.dashboard import urls as dashboard_urls
from relata.analytics.views.funnel import urls as funnel_urls
from relata.analytics.views.managers import urls as managers_urls
from relata.analytics.views.products import urls as products_urls
from relata.analytics.views.sales import urls as sales_urls

app_name = "analytics"

urlpatterns = [*dashboard_urls, *classes_urls, *products_urls, *managers_urls, *funnel_urls, *sales_urls]
