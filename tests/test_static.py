"""Static files are served under content-hashed names (WhiteNoise's manifest storage), so a
page always loads the scripts and styles it was rendered with."""

import re

import pytest

pytestmark = pytest.mark.django_db

HASHED_STYLESHEET = re.compile(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"')


def test_pages_link_hashed_files_that_are_served_compressed_and_cached_for_good(client):
    html = client.get("/").content.decode()
    match = HASHED_STYLESHEET.search(html)
    assert match, "the home page should link app.css by its content hash"

    response = client.get(match.group(1), HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    # A hashed name never changes meaning, so browsers may keep the file for good.
    assert "immutable" in response["Cache-Control"]


def test_unhashed_names_are_not_served_outside_debug(client):
    # Only the collected, hashed files are served: an old page cannot pick up a new script.
    assert client.get("/static/css/app.css").status_code == 404


def test_a_hashed_module_imports_the_hashed_modules_it_was_built_with(client):
    from django.contrib.staticfiles.storage import staticfiles_storage

    room = staticfiles_storage.stored_name("js/room.js")
    live = staticfiles_storage.stored_name("js/live.js").removeprefix("js/")
    source = b"".join(client.get(f"/static/{room}").streaming_content).decode()
    assert f'from "./{live}"' in source
    assert 'from "./live.js"' not in source
