from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo studio: sits above every other app, since it fills them all."""

    name = "backstage.demo"
    verbose_name = "Demo"
