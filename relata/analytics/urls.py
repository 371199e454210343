"""The analytics app's pages (/analytics/)."""

from relata.analytics.views import urls as analytics_urls

app_name = "analytics"

urlpatterns = [*analytics_urls]
