from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "backstage.api"
    verbose_name = "API"
