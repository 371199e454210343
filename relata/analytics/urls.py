"""The analytics app's pages (/analytics/)."""

from relata.analytics.views.classes import urls as classes_urls
from relata.analytics.views.managers import urls as managers_urls

app_name = "analytics"

urlpatterns = [*classes_urls, *managers_urls]
