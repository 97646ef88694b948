from django.apps import AppConfig


class ObjectivesConfig(AppConfig):
    name = "objectives"
    verbose_name = "Objectives"

    def ready(self):
        from . import audit

        audit.connect_signals()
