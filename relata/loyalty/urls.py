"""The loyalty app's pages (/loyalty/)."""

from relata.loyalty.views import urls as loyalty_urls

app_name = "loyalty"

urlpatterns = [*loyalty_urls]
