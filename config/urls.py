from django.urls import include, path

from relata.api.v1 import api

urlpatterns = [
    path("", include("relata.web.urls")),
    path("", include("relata.core.urls")),
    path("clients/", include("relata.clients.urls")),
    path("activities/", include("relata.activities.urls")),
    path("catalog/", include("relata.catalog.urls")),
    path("sales/", include("relata.sales.urls")),
    path("orders/", include("relata.orders.urls")),
    path("loyalty/", include("relata.loyalty.urls")),
    path("analytics/", include("relata.analytics.urls")),
    path("api/", api.urls),
]

handler400 = "relata.web.views.bad_request"
handler403 = "relata.web.views.permission_denied"
handler404 = "relata.web.views.page_not_found"
handler500 = "relata.web.views.server_error"
