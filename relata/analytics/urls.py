"""The analytics app's pages (/analytics/)."""

from relata.analytics.views.classes import urls as classes_urls
from relata.analytics.views.funnel import urls as funnel_urls

app_name = "analytics"

urlpatterns = [*classes_urls, *funnel_urls]
