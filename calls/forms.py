"""The facilitator's call settings: the mode, a link pattern, one link per room."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from calls.models import CallSettings, jitsi_origin, meeting_room_name

LINK_MAX = 500
_url = URLValidator(schemes=["http", "https"])


def check_link(value):
    """Raises ValidationError unless `value` is an http(s) address (or empty)."""
    if value:
        try:
            _url(value)
        except ValidationError:
            raise ValidationError(
                _("Enter a full meeting address starting with https:// (or http://)."),
                code="invalid",
            ) from None


class CallSettingsForm(forms.Form):
    mode = forms.ChoiceField(
        label=_lazy("How the rooms talk"), choices=CallSettings.Mode.choices,
        widget=forms.RadioSelect,
    )
    link_pattern = forms.CharField(
        label=_lazy("Link pattern for every room"), required=False, max_length=LINK_MAX,
        help_text=_lazy("Optional. {room} becomes the room's number, e.g. "
                        "https://meet.example.com/team-{room}. A room's own link below wins."),
    )
    meeting_link = forms.CharField(
        label=_lazy("Link for everyone together (plenary or main meeting)"), required=False,
        max_length=LINK_MAX,
        help_text=_lazy("Optional. Shown in the lobby and the plenary."),
    )

    def __init__(self, *args, numbers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.numbers = list(numbers)
        for number in self.numbers:
            self.fields[f"room_{number}"] = forms.CharField(
                label=_("%(room)s's link") % {"room": meeting_room_name(number)},
                required=False, max_length=LINK_MAX,
            )

    def room_fields(self):
        return [self[f"room_{number}"] for number in self.numbers]

    def clean_mode(self):
        mode = self.cleaned_data["mode"]
        if mode == CallSettings.Mode.JITSI and not jitsi_origin():
            raise ValidationError(
                _("This server has no Jitsi Meet address: whoever runs Roundtable sets "
                  "JITSI_URL (see the README). Choose another way meanwhile."),
                code="no_jitsi",
            )
        return mode

    def clean_link_pattern(self):
        value = self.cleaned_data["link_pattern"].strip()
        if value and "{room}" not in value:
            raise ValidationError(
                _("Put {room} where the room's number goes, or paste each room's link below."),
                code="no_placeholder",
            )
        check_link(value.replace("{room}", "1"))
        return value

    def clean_meeting_link(self):
        value = self.cleaned_data["meeting_link"].strip()
        check_link(value)
        return value

    def clean(self):
        cleaned = super().clean()
        for number in self.numbers:
            name = f"room_{number}"
            if name in cleaned:
                value = cleaned[name].strip()
                try:
                    check_link(value)
                except ValidationError as error:
                    self.add_error(name, error)
                else:
                    cleaned[name] = value
        if cleaned.get("mode") == CallSettings.Mode.LINKS and not (
            cleaned.get("link_pattern") or any(cleaned.get(f"room_{n}") for n in self.numbers)
        ) and not self.errors:
            raise ValidationError(
                _("Give a link pattern or at least one room's link, so rooms have a call."),
                code="no_links",
            )
        return cleaned
