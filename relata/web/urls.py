from django.urls import path

from relata.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("search/", views.global_search, name="search"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/all/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notification_read, name="notification_read"),
    path("language/", views.set_language, name="set_language"),
    path("workspace/switch/", views.switch_workspace, name="switch_workspace"),
]
