from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "relata.api"
    label = "api"
    verbose_name = "API"
