from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = "Risks"

    def ready(self):
        from django.conf import settings

        from objectives.signals import objectives_changed

        from . import rules, services

        # Refuse nonsense thresholds at start-up, naming the setting.
        rules.check_thresholds(getattr(settings, "RISK_THRESHOLDS", None))
        objectives_changed.connect(services.on_objectives_changed, dispatch_uid="risks_refresh")
