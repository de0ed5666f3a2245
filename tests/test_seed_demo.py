from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from workshops.models import Workshop


@pytest.mark.django_db
def test_seed_demo_creates_a_working_login_and_a_workshop_once():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=out)
    assert "username 'demo', password 'roundtable-demo'" in out.getvalue()
    # django-axes checks every log-in against its lockouts, so authenticate() needs a request.
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username="demo", password="roundtable-demo") is not None
    workshops = Workshop.objects.filter(owner__username="demo")
    assert workshops.count() == 1
    assert workshops.get().challenges.count() == 3
    assert [a.label for a in workshops.get().attributes.all()] == ["Level"]
