from django.urls import path

from relata.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.global_search, name="search"),
    path("notifications/", views.notifications, name="notifications"),
    path("language/", views.set_language, name="set_language"),
    path("workspace/switch/", views.switch_workspace, name="switch_workspace"),
]
