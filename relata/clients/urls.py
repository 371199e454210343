"""The clients app's pages, gathered from the view modules (each keeps its own `urls`)."""

from relata.clients.views import actions, duplicates, imports, listing, records, segments, settings

app_name = "clients"

urlpatterns = [
    *listing.urls,
    *records.urls,
    *segments.urls,
    *actions.urls,
    *imports.urls,
    *duplicates.urls,
    *settings.urls,
]
