"""The clients app's pages, gathered from the view modules (each keeps its own `urls`)."""

from relata.clients.views import actions, listing, records, segments

app_name = "clients"

urlpatterns = [*listing.urls, *records.urls, *segments.urls, *actions.urls]
