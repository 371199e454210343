"""The activities app's pages, gathered from the view modules (each keeps its own `urls`)."""

from relata.activities.views import activities, calendar, planning, rules, settings, tasks

app_name = "activities"

urlpatterns = [
    *activities.urls,
    *tasks.urls,
    *calendar.urls,
    *planning.urls,
    *rules.urls,
    *settings.urls,
]
