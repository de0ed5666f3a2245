"""{% shared_part %} (workshops/templatetags/shared_parts.py): drawn once per process for each
language and set of values, and never showing one page's data on another."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from workshops.templatetags import shared_parts

PART = Template(
    "{% load shared_parts %}"
    "{% shared_part name=who.name %}<b>{{ name }}</b>[{{ secret }}]{% endshared_part %}"
)


@pytest.fixture(autouse=True)
def fresh_parts(monkeypatch):
    monkeypatch.setattr(shared_parts, "_drawn", {})


def draw(template, **context):
    return template.render(Context(context))


def test_a_part_shows_each_persons_own_values_and_nothing_else_of_the_page():
    ann = draw(PART, who={"name": "Ann"}, secret="ann's token")
    bob = draw(PART, who={"name": "Bob"}, secret="bob's token")
    assert ann == "<b>Ann</b>[]"
    assert bob == "<b>Bob</b>[]"  # not Ann's part, and no one's secret
    assert draw(PART, who={"name": "<i>Eve</i>"}) == "<b>&lt;i&gt;Eve&lt;/i&gt;</b>[]"


def test_a_part_is_drawn_once_for_the_same_values():
    draw(PART, who={"name": "Ann"})
    draw(PART, who={"name": "Ann"}, secret="other")
    draw(PART, who={"name": "Bob"})
    assert len(shared_parts._drawn) == 2


def test_values_that_draw_differently_are_different_parts():
    template = Template("{% load shared_parts %}{% shared_part v=v %}{{ v }}{% endshared_part %}")
    drawn = [draw(template, v=v) for v in (1, True, 1.0, "<b>", mark_safe("<b>"), [1], {"a": 1})]
    assert drawn == ["1", "True", "1.0", "&lt;b&gt;", "<b>", "[1]", "{&#x27;a&#x27;: 1}"]


def test_the_language_is_part_of_the_key():
    template = Template(
        "{% load i18n shared_parts %}"
        "{% shared_part %}{% get_current_language as language %}{{ language }}{% endshared_part %}"
    )
    with translation.override("en"):
        assert draw(template) == "en"
    with translation.override("fr"):
        assert draw(template) == "fr"


@pytest.mark.parametrize("value", [object(), gettext_lazy("Room"), {1, 2}])
def test_a_part_refuses_values_that_are_not_plain_data(value):
    template = Template("{% load shared_parts %}{% shared_part v=v %}{{ v }}{% endshared_part %}")
    with pytest.raises(TypeError, match="plain data"):
        draw(template, v=value)


def test_the_store_is_bounded(monkeypatch):
    monkeypatch.setattr(shared_parts, "MAX_PARTS", 3)
    for n in range(10):
        draw(PART, who={"name": f"P{n}"})
    assert len(shared_parts._drawn) <= 3


def test_a_part_cannot_hold_a_csrf_token_which_it_would_draw_empty():
    with pytest.raises(TemplateSyntaxError, match="cannot hold {% csrf_token %}"):
        Template(
            "{% load shared_parts %}"
            "{% shared_part a=1 %}<form>{% if a %}{% csrf_token %}{% endif %}</form>"
            "{% endshared_part %}"
        )
