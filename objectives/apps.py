from django.apps import AppConfig


class ObjectivesConfig(AppConfig):
    name = "objectives"
    verbose_name = "Objectives"

    def ready(self):
        from . import audit, risk_cache

        audit.connect_signals()
        risk_cache.connect_signals()
