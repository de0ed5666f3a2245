"""The lobby becomes the room without a page load (static/js/page_swap.js): what it needs."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JS = ROOT / "static" / "js"
TEMPLATES = ROOT / "templates"
IMPORT = re.compile(
    r"""(?:import|export)\s[^"';]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']""")
MODULE_SCRIPT = re.compile(r"""<script type="module" src="\{% static '(js/[^']+)' %\}">""")
PRELOAD = re.compile(r"""<link rel="modulepreload" href="\{% static '(js/[^']+)' %\}">""")


def module_graph(*entries):
    """Returns every module (path under static/) that `entries` import, themselves included."""
    seen, todo = set(), [JS.parent / entry for entry in entries]
    while todo:
        path = todo.pop().resolve()
        if path in seen:
            continue
        seen.add(path)
        for found in IMPORT.finditer(path.read_text()):
            todo.append(path.parent / (found.group(1) or found.group(2)))
    return {str(path.relative_to(JS.parent)) for path in seen}


def scripts_of(template):
    return MODULE_SCRIPT.findall((TEMPLATES / template).read_text())


def test_the_lobby_fetches_every_module_of_the_room_page_it_does_not_run_itself():
    """When breakouts start, a thousand lobbies run the room's scripts at once: every one of
    them must already be in the browser (modulepreload), or each page asks the server for it
    at that moment. The list must not name what the room no longer imports either."""
    lobby = module_graph(*scripts_of("base.html"), *scripts_of("workshops/lobby.html"))
    room = module_graph(*scripts_of("base.html"), *scripts_of("breakouts/room.html"))
    preloaded = set(PRELOAD.findall((TEMPLATES / "breakouts/_room_modules.html").read_text()))
    assert "js/room.js" in room and "js/page_swap.js" in lobby
    assert preloaded == room - lobby


def test_the_lobby_page_links_the_room_modules(client, make_workshop):
    from workshops.models import Workshop

    workshop, _rooms, people = make_workshop()
    Workshop.objects.filter(pk=workshop.pk).update(phase=Workshop.Phase.LOBBY)
    person = people[1][0]
    session = client.session
    session["participants"] = {str(workshop.pk): person.pk}
    session.save()
    page = client.get(f"/w/{workshop.join_code}/lobby/").content.decode()
    assert page.count('rel="modulepreload"') == len(
        PRELOAD.findall((TEMPLATES / "breakouts/_room_modules.html").read_text()))
    assert "data-moving" in page
