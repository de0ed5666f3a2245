from django.apps import AppConfig


class BreakoutsConfig(AppConfig):
    name = "breakouts"
    verbose_name = "Breakouts"

    def ready(self):
        from breakouts.services import end_room_timers, seat_late_joiner  # models loaded now
        from workshops.signals import participant_joined, phase_changed

        participant_joined.connect(seat_late_joiner, dispatch_uid="breakouts.seat_late_joiner")
        phase_changed.connect(end_room_timers, dispatch_uid="breakouts.end_room_timers")
