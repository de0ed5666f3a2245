import pytest
from django.apps import apps
from django.contrib import admin


def test_every_roundtable_model_is_in_the_admin():
    for app_label in ("workshops", "breakouts", "calls"):
        for model in apps.get_app_config(app_label).get_models():
            assert admin.site.is_registered(model), f"{model.__name__} is not in the admin"


@pytest.mark.django_db
def test_admin_changelists_open_for_a_superuser(client, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "pw-long-enough")
    client.force_login(root)
    for app_label in ("workshops", "breakouts", "calls"):
        for model in apps.get_app_config(app_label).get_models():
            url = f"/admin/{app_label}/{model._meta.model_name}/"
            assert client.get(url).status_code == 200, url
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_admin_is_closed_to_facilitators_without_staff_rights(facilitator_client):
    response = facilitator_client.get("/admin/workshops/workshop/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
