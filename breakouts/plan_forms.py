from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from workshops.models import MixLevel


class PlanSettingsForm(forms.Form):
    room_count = forms.IntegerField(label=_("Number of rooms"), min_value=1)
    use_met_before = forms.BooleanField(
        label=_("Keep apart people who met in my earlier workshops"), required=False
    )

    def __init__(self, *args, participant_count, attributes=(), **kwargs):
        """`attributes`: the planner's Mixed attributes; each gets a mix-level field
        `mix_<key>`, set to its current level. A POST without one keeps its level."""
        super().__init__(*args, **kwargs)
        most = max(1, participant_count)
        field = self.fields["room_count"]
        field.validators.append(
            MaxValueValidator(most, _("At most one room per person (%(limit_value)s)."))
        )
        field.widget.attrs["max"] = most
        self.attributes = list(attributes)
        for attribute in self.attributes:
            self.fields[f"mix_{attribute.key}"] = forms.ChoiceField(
                label=attribute.label, choices=MixLevel.choices, initial=attribute.level,
                required=False,
            )

    @property
    def mix_fields(self):
        return [self[f"mix_{a.key}"] for a in self.attributes]

    def mix_levels(self):
        """Returns {attribute key: level} from the cleaned data (unsent: the current level)."""
        return {
            a.key: self.cleaned_data.get(f"mix_{a.key}") or a.level for a in self.attributes
        }


class MoveForm(forms.Form):
    participant = forms.TypedChoiceField(label=_("Person"), coerce=int)
    room = forms.TypedChoiceField(label=_("Move to room"), coerce=int)

    def __init__(self, *args, participants, room_count, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].choices = [(p.pk, p.name) for p in participants]
        self.fields["room"].choices = [
            (i, _("Room %(n)s") % {"n": i}) for i in range(1, room_count + 1)
        ]


class ParticipantForm(forms.Form):
    participant = forms.TypedChoiceField(label=_("Person"), coerce=int)

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].choices = [(p.pk, p.name) for p in participants]


class PairForm(forms.Form):
    """Two different people of the workshop: a pair to keep apart or together."""

    first = forms.TypedChoiceField(label=_("Person"), coerce=int)
    second = forms.TypedChoiceField(label=_("and person"), coerce=int)

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(p.pk, f"{p.name} ({p.department}, {p.location})") for p in participants]
        self.fields["first"].choices = choices
        self.fields["second"].choices = choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("first") is not None and cleaned.get("first") == cleaned.get("second"):
            raise forms.ValidationError(_("Choose two different people."))
        return cleaned

    def pair(self):
        return sorted([self.cleaned_data["first"], self.cleaned_data["second"]])


