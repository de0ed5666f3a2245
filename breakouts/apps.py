from django.apps import AppConfig


class BreakoutsConfig(AppConfig):
    name = "breakouts"
    verbose_name = "Breakouts"

    def ready(self):
        from breakouts.services import seat_late_joiner  # models are loaded only now
        from workshops.signals import participant_joined

        participant_joined.connect(seat_late_joiner, dispatch_uid="breakouts.seat_late_joiner")
