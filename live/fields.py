"""Reading an op's fields: each wrong value becomes an OpError with a stable code."""

from django.utils.translation import gettext as _

from live.pipeline import OpError


def text_field(frame, name, max_chars, *, required=False):
    """Returns the text in `frame[name]` ("" when missing or null)."""
    value = frame.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise OpError("invalid", _("“%(name)s” must be text.") % {"name": name})
    if len(value) > max_chars:
        raise OpError(
            "too_large",
            _("“%(name)s” is longer than %(max)s characters.") % {"name": name, "max": max_chars},
        )
    if "\x00" in value:
        # PostgreSQL refuses NUL in text; refusing it everywhere keeps the backends alike.
        raise OpError("invalid", _("“%(name)s” contains a NUL character.") % {"name": name})
    if required and not value.strip():
        raise OpError("invalid", _("“%(name)s” cannot be empty.") % {"name": name})
    return value


def int_field(frame, name, *, allow_none=False):
    """Returns the whole number in `frame[name]` (booleans are not numbers here)."""
    value = frame.get(name)
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise OpError("invalid", _("“%(name)s” must be a whole number.") % {"name": name})
    if not -(2**63) <= value < 2**63:
        raise OpError("invalid", _("“%(name)s” is out of range.") % {"name": name})
    return value


def choice_field(frame, name, allowed, message):
    """Returns `frame[name]` if it is one of `allowed`, else raises `invalid` with `message`."""
    value = frame.get(name)
    if not isinstance(value, str) or value not in allowed:
        raise OpError("invalid", message)
    return value
