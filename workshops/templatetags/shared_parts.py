"""`{% shared_part name=value … %}…{% endshared_part %}`: a part of a page drawn once per process
for each language and set of values, then reused by every page that asks for the same.

A breakout start draws a thousand room pages at once, and most of a room page is the same for
every member (its labels, forms and `<template>`s); drawing it a thousand times was most of the
page's CPU. A shared part sees only the values it names and the active language — not the
request, the user or anything else of the page's context — so what it draws is a function of its
key, and it cannot show one person's or one room's data on another's page
(docs/architecture.md, "Drawing pages").

Values are plain data (str, int, float, bool, None, and lists, tuples and dicts of those): a
model instance or a lazy translation could change without its key changing, so it is refused.
"""

import itertools

from django import template
from django.template.base import token_kwargs
from django.template.defaulttags import CsrfTokenNode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

# What a process keeps: a few variants of a few parts per room and language at most, so the
# bound is only against a long-lived process collecting rooms; past it, everything is redrawn.
MAX_PARTS = 4096
_drawn = {}  # (part, language, values) → its HTML
_serial = itertools.count()  # each parsed part its own number (a reloaded template: new ones)

_SCALARS = (int, float, bool, type(None), SafeString)


def _frozen(value):
    """Returns `value` as a hashable key that tells apart values that draw differently
    (1, True and 1.0; a str and the same text marked safe). Raises TypeError for other types."""
    kind = type(value)
    if kind is str:
        return value
    if kind in _SCALARS:
        return (kind, value)
    if kind is list or kind is tuple:
        return (tuple, *map(_frozen, value))
    if kind is dict:
        return (dict, *((_frozen(k), _frozen(v)) for k, v in value.items()))
    raise TypeError(f"A shared part's values are plain data, not {kind.__name__}")


class SharedPartNode(template.Node):
    def __init__(self, nodelist, values):
        self.nodelist = nodelist
        self.values = values
        self.serial = next(_serial)

    def render(self, context):
        values = {name: value.resolve(context) for name, value in self.values.items()}
        key = (self.serial, get_language(), _frozen(tuple(values.values())))
        html = _drawn.get(key)
        if html is None:
            # A context of its own: only the named values (and the engine's builtins).
            html = mark_safe(self.nodelist.render(context.new(values)))
            if len(_drawn) >= MAX_PARTS:
                _drawn.clear()
            _drawn[key] = html
        return html


@register.tag
def shared_part(parser, token):
    """{% shared_part name=value … %}…{% endshared_part %}: see the module's docstring."""
    bits = token.split_contents()[1:]
    values = token_kwargs(bits, parser, support_legacy=False)
    if bits:
        raise template.TemplateSyntaxError(
            f"shared_part takes only name=value arguments, not {' '.join(bits)!r}")
    nodelist = parser.parse(("endshared_part",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(CsrfTokenNode):
        # It would draw empty: the part does not see the request's token, and a form without
        # one is refused when posted. Put the token outside the part.
        raise template.TemplateSyntaxError("a shared_part cannot hold {% csrf_token %}")
    return SharedPartNode(nodelist, values)
