"""The five steps every room works through, in order."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Step(models.TextChoices):
    DEFINE = "define", _("Define the problem")
    ROOT_CAUSES = "root_causes", _("Root causes")
    ALTERNATIVES = "alternatives", _("Alternative solutions")
    SELECTION = "selection", _("Select a solution")
    PLAN = "plan", _("Implementation & accountability plan")


STEP_ORDER = [step.value for step in Step]
