from django.apps import AppConfig


class FollowupConfig(AppConfig):
    """After the workshop: debrief, report and exports, action tracker and reminders, network.

    Sits above `workshops` and `breakouts`: it imports both, neither imports it.
    """

    name = "followup"
    verbose_name = "Follow-up"
