"""Forms of the workshop pages: settings, challenges, joining, co-facilitators, roster upload."""

import datetime
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workshops.models import (
    JOIN_CODE_LENGTH,
    MAX_ROUNDS,
    Attribute,
    Challenge,
    Participant,
    Workshop,
    attribute_key,
    normalise_label,
)
from workshops.models import tidy_label as tidy
from workshops.models.attribute import MAX_VALUE_LENGTH, column_key, is_reserved

STEP_FIELDS = [
    "define_minutes", "root_causes_minutes", "alternatives_minutes", "selection_minutes",
    "plan_minutes",
]
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def unique_lines(text, max_length=100):
    """Returns the non-empty lines of `text`, tidied, without case/space-insensitive repeats."""
    seen, lines = set(), []
    for line in (text or "").splitlines():
        label = tidy(line)
        key = normalise_label(label)
        if key and key not in seen:
            if len(label) > max_length:
                raise forms.ValidationError(
                    _("“%(label)s” is longer than %(max)s characters.")
                    % {"label": label[:30] + "…", "max": max_length}
                )
            seen.add(key)
            lines.append(label)
    return lines


class WorkshopForm(forms.ModelForm):
    """A workshop's settings. `starts_at` is typed in the facilitator's own time zone.

    A small script fills the hidden `time_zone` field with the browser's IANA zone and shows a
    stored date in that zone; without the script, times are read and shown in UTC.
    """

    time_zone = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Workshop
        fields = [
            "title", "description", "starts_at", "room_count", "target_room_size", "rounds",
            *STEP_FIELDS, "votes_per_member", "hide_tallies", "departments", "locations",
            "question_value", "question_change", "debrief_choices",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local", "data-local-datetime": ""},
                format=DATETIME_LOCAL,
            ),
            "departments": forms.Textarea(attrs={"rows": 4}),
            "locations": forms.Textarea(attrs={"rows": 4}),
            "debrief_choices": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "room_count": gettext_lazy("Either the number of rooms…"),
            "target_room_size": gettext_lazy(
                "…or how many people per room (typing one clears the other; neither: 5 per room)."
            ),
            "departments": gettext_lazy(
                "One per line; participants pick from this list. Leave empty to let them type "
                "their own (“Sales ” and “sales” then count as one)."
            ),
            "locations": gettext_lazy(
                "One per line; participants pick from this list. Leave empty for free text."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].input_formats = [DATETIME_LOCAL, "%Y-%m-%d %H:%M"]
        for name in STEP_FIELDS:
            self.fields[name].validators.append(_between(1, 120))
            self.fields[name].widget.attrs.update(min=1, max=120)
        self.fields["rounds"].required = False  # blank: keep the workshop's number (1 if new)
        self.fields["rounds"].validators.append(_between(1, MAX_ROUNDS))
        self.fields["rounds"].widget.attrs.update(min=1, max=MAX_ROUNDS)
        self.fields["votes_per_member"].validators.append(_between(1, 10))
        self.fields["votes_per_member"].widget.attrs.update(min=1, max=10)
        for name in ("room_count", "target_room_size"):
            self.fields[name].validators.append(_between(1, 200))
            self.fields[name].widget.attrs.update(min=1)
        if not self.is_bound and self.instance.starts_at:
            # Shown in UTC; the page script rewrites it into the browser's zone.
            utc = timezone.localtime(self.instance.starts_at, datetime.UTC)
            self.initial["starts_at"] = utc.replace(tzinfo=None)
            self.fields["starts_at"].widget.attrs["data-utc"] = utc.isoformat()

    def clean_time_zone(self):
        name = self.cleaned_data["time_zone"].strip()
        if not name:
            return datetime.UTC
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return datetime.UTC

    def clean_rounds(self):
        rounds = self.cleaned_data["rounds"]
        if rounds is None:
            return self.instance.rounds or 1
        started = self.instance.pk is not None and self.instance.rooms.exists()
        ran = self.instance.current_round if started else 0
        if rounds is not None and rounds < ran:
            raise forms.ValidationError(
                _("%(n)s rounds have already started: keep at least %(n)s.") % {"n": ran}
            )
        return rounds

    def clean_departments(self):
        return "\n".join(unique_lines(self.cleaned_data["departments"]))

    def clean_locations(self):
        return "\n".join(unique_lines(self.cleaned_data["locations"]))

    def clean_debrief_choices(self):
        return "\n".join(unique_lines(self.cleaned_data["debrief_choices"], max_length=200))

    def clean(self):
        cleaned = super().clean()
        rooms, size = cleaned.get("room_count"), cleaned.get("target_room_size")
        if "room_count" in cleaned and "target_room_size" in cleaned:
            # Alternatives: a number of rooms wins over a room size; neither means 5 per room.
            if rooms and size:
                cleaned["target_room_size"] = None
            elif not rooms and not size:
                cleaned["target_room_size"] = DEFAULT_ROOM_SIZE
        starts_at, zone = cleaned.get("starts_at"), cleaned.get("time_zone")
        if starts_at and zone:
            cleaned["starts_at"] = timezone.make_aware(starts_at.replace(tzinfo=None), zone)
        return cleaned


DEFAULT_ROOM_SIZE = 5


def _between(low, high):
    def check(value):
        if value is not None and not low <= value <= high:
            raise forms.ValidationError(
                _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}
            )

    return check


class ChallengeForm(forms.ModelForm):
    class Meta:
        model = Challenge
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class JoinCodeForm(forms.Form):
    """The code a participant types: upper-cased, spaces and dashes ignored."""

    code = forms.CharField(
        label=gettext_lazy("Join code"), max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                "class": "form-control-lg text-uppercase join-code-input",
            }
        ),
    )

    def clean_code(self):
        code = re.sub(r"[\s-]+", "", self.cleaned_data["code"]).upper()
        if len(code) != JOIN_CODE_LENGTH or not code.isalnum():
            raise forms.ValidationError(
                _("A join code has %(n)s letters and digits, like K7PX3M.")
                % {"n": JOIN_CODE_LENGTH}
            )
        return code


class ParticipantForm(forms.ModelForm):
    """Name, department, location and optional e-mail of a participant in `workshop`.

    Fixed lists become select boxes; free text is stored in the spelling first used in the
    workshop, so differently typed versions of one department count as one.
    """

    class Meta:
        model = Participant
        fields = ["name", "department", "location", "email"]
        labels = {"name": gettext_lazy("Your name"), "email": gettext_lazy("E-mail (optional)")}
        help_texts = {
            "name": gettext_lazy("Shown to the other participants."),
            "email": gettext_lazy("Only the facilitators see it, unless you choose to share it."),
        }

    def __init__(self, *args, workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.workshop = workshop
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        for field, choices in (
            ("department", workshop.department_choices),
            ("location", workshop.location_choices),
        ):
            label = self.fields[field].label
            if choices:
                self.fields[field] = forms.ChoiceField(
                    label=label,
                    choices=[("", _("Choose…"))] + [(c, c) for c in choices],
                )
            else:
                self.fields[field].widget.attrs["list"] = f"{field}-options"
                self.fields[field].widget.attrs["autocomplete"] = "off"
        self.workshop_attributes = list(workshop.attributes.all())
        values = self.instance.attributes or {}
        for attribute in self.workshop_attributes:
            name = self.field_name(attribute)
            if attribute.is_fixed:
                field = forms.ChoiceField(
                    choices=[("", _("Choose…"))] + [(c, c) for c in attribute.choice_list],
                )
            else:
                field = forms.CharField(max_length=MAX_VALUE_LENGTH)
            field.label, field.required = attribute.label, attribute.required
            field.initial = values.get(attribute.key, "")
            self.fields[name] = field

    @staticmethod
    def field_name(attribute):
        return f"attr_{attribute.key}"

    @property
    def extra_fields(self):
        """The bound fields of the workshop's own attributes, in the workshop's order."""
        return [self[self.field_name(a)] for a in self.workshop_attributes]

    def attribute_values(self):
        """Returns {attribute key: stored value} from the cleaned data (blank values left out),
        keeping values of attributes the form does not show."""
        values = dict(self.instance.attributes or {})
        for attribute in self.workshop_attributes:
            value = attribute.canonical(self.cleaned_data.get(self.field_name(attribute), ""))
            if value:
                values[attribute.key] = value
            else:
                values.pop(attribute.key, None)
        return values

    def used_labels(self, field):
        """Returns the spellings already in use, for the free-text field's suggestions."""
        values = (
            self.workshop.participants.exclude(**{field: ""}).order_by()
            .values_list(field, flat=True).distinct()
        )
        return sorted(values, key=str.casefold)

    @property
    def used_departments(self):
        return self.used_labels("department")

    @property
    def used_locations(self):
        return self.used_labels("location")

    def _clean_label(self, field, message):
        value = self.cleaned_data[field]
        canonical = self.workshop.canonical_label(field, value)
        if not canonical:
            raise forms.ValidationError(message)
        return canonical

    def clean_name(self):
        name = tidy(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("Enter your name."))
        return name

    def clean_department(self):
        return self._clean_label("department", _("Choose one of the workshop's departments."))

    def clean_location(self):
        return self._clean_label("location", _("Choose one of the workshop's locations."))


class AttributeForm(forms.ModelForm):
    """An attribute of `workshop`: its label (unique in the workshop), kind, choices, mixing."""

    class Meta:
        model = Attribute
        fields = ["label", "kind", "choices", "required", "mix"]
        widgets = {
            "kind": forms.RadioSelect,
            "choices": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {"kind": gettext_lazy("How people answer")}
        help_texts = {
            "label": gettext_lazy(
                "For example Level, Function, Region, Tenure or Team. The roster column with "
                "this name (any case) fills it."
            ),
        }

    def __init__(self, *args, workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.workshop = workshop
        if self.instance.pk is None:
            # A new attribute is optional until the facilitator says otherwise: a required
            # one asks every imported person before they can take part.
            self.initial["required"] = (kwargs.get("initial") or {}).get("required", False)

    def clean_label(self):
        """A label must name a roster column of its own: not a built-in one, and not one of
        another attribute (by label or key, ignoring case, spaces and punctuation)."""
        label = tidy(self.cleaned_data["label"])
        if not attribute_key(label):
            raise forms.ValidationError(_("Use at least one letter or digit."))
        if is_reserved(label):
            raise forms.ValidationError(
                _("“%(label)s” is already a column of every roster; choose another name.")
                % {"label": label}
            )
        others = self.workshop.attributes.exclude(pk=self.instance.pk)
        if any(column_key(label) in (column_key(a.key), column_key(a.label)) for a in others):
            raise forms.ValidationError(
                _("This workshop already has an attribute called “%(label)s”.") % {"label": label}
            )
        return label

    def clean_choices(self):
        return "\n".join(unique_lines(self.cleaned_data["choices"]))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Attribute.Kind.CHOICES and not cleaned.get("choices"):
            self.add_error("choices", _("List the choices, one per line, or choose free text."))
        return cleaned

    def save(self, commit=True):
        attribute = super().save(commit=False)
        if attribute.pk is None:
            attribute.workshop = self.workshop
            last = self.workshop.attributes.order_by("-position").first()
            attribute.position = 0 if last is None else last.position + 1
        if commit:
            attribute.save()
        return attribute


class CofacilitatorForm(forms.Form):
    """Finds a facilitator account by username or e-mail to add to `workshop`."""

    who = forms.CharField(label=gettext_lazy("Username or e-mail"), max_length=254)

    def __init__(self, *args, workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.workshop = workshop

    def clean_who(self):
        who = self.cleaned_data["who"].strip()
        users = get_user_model().objects.filter(
            Q(username__iexact=who) | Q(email__iexact=who), is_active=True
        )
        if users.count() != 1:
            raise forms.ValidationError(
                _("No facilitator account has this username or e-mail.")
                if not users
                else _("Several accounts share this e-mail; use the username instead.")
            )
        user = users.get()
        if self.workshop.is_owner(user):
            raise forms.ValidationError(_("%(name)s owns this workshop.") % {"name": user})
        if self.workshop.cofacilitators.filter(pk=user.pk).exists():
            raise forms.ValidationError(
                _("%(name)s is already a co-facilitator.") % {"name": user}
            )
        return user


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Roster CSV file"),
        help_text=gettext_lazy(
            "A header row naming the columns (see above); UTF-8; comma or semicolon; up to 1 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
