"""A page drawn for a socket: what the browser behind it would get if it loaded `path` now.

At a breakout start a thousand lobby pages move to their rooms at once. Loading each room page
over HTTP and opening a new socket for it cost about two thirds of the servers' CPU of that
moment (bench/workshop.py, docs/scale.md). Instead the lobby socket draws the room page here
and sends it as a `page` frame (docs/protocol.md); static/js/page_swap.js puts it in place and
the page keeps its socket.

The request goes through the whole middleware chain and the view, with the socket's own
cookies, headers and address, so access is checked as for a page load and the HTML is the
same. It is refused (None: the browser loads the page itself) whenever a page load would do
something a frame cannot: any status but 200, a cookie to set, or a Content-Security-Policy
wider than the site's own (a room with a call allows its Jitsi server: calls/templatetags).
"""

import io

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest
from django.urls import set_urlconf
from django.utils.translation import get_language_from_request

# Handshake headers that say nothing about the page a browser would ask for.
SOCKET_HEADERS = {"upgrade", "connection", "sec-websocket-key", "sec-websocket-version",
                  "sec-websocket-extensions", "sec-websocket-protocol", "content-length",
                  "content-type"}

_handler = None


def _get_handler():
    global _handler
    if _handler is None:
        handler = BaseHandler()
        handler.load_middleware(is_async=False)
        _handler = handler
    return _handler


def request_for(scope, path):
    """Returns the GET request for `path` that the socket's browser would send."""
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "https" if scope.get("scheme") in ("wss", "https") else "http",
        "HTTP_ACCEPT": "text/html",
    }
    server = scope.get("server") or ("127.0.0.1", 80)
    environ["SERVER_NAME"], environ["SERVER_PORT"] = str(server[0]), str(server[1] or 80)
    client = scope.get("client")
    if client:
        environ["REMOTE_ADDR"] = str(client[0])
    for raw_name, raw_value in scope.get("headers", ()):
        name = raw_name.decode("latin-1").lower()
        if name in SOCKET_HEADERS:
            continue
        key = "HTTP_" + name.upper().replace("-", "_")
        value = raw_value.decode("latin-1")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return WSGIRequest(environ)


def _renews(request, morsel):
    """True for a cookie the browser has already (the CSRF cookie's expiry renewed on use)."""
    name = morsel.key
    return name == settings.CSRF_COOKIE_NAME and request.COOKIES.get(name) == morsel.value


def draw_page(scope, path):
    """Returns (the HTML of `path` for the socket's browser, or None if only a real page load
    would do (see the module's docstring); the request it was drawn for, None if the page
    holds anything of this browser's own beyond what its view put there: a CSRF token, or
    messages). A view may leave on the request what it drew the page from. Synchronous: run
    it on the database thread."""
    request = request_for(scope, path)
    set_urlconf(settings.ROOT_URLCONF)
    response = _get_handler().get_response(request)
    own = "CSRF_COOKIE_NEEDS_UPDATE" in request.META or bool(
        getattr(getattr(request, "_messages", None), "_loaded_data", None))
    drawn = None if own else request
    if response.status_code != 200 or getattr(response, "streaming", False):
        return None, drawn
    if any(not _renews(request, morsel) for morsel in response.cookies.values()):
        return None, drawn
    if not response.get("Content-Type", "").startswith("text/html"):
        return None, drawn
    if getattr(request, "csp_sources", None):
        return None, drawn
    return response.content.decode(response.charset or "utf-8"), drawn


def language_of(scope, path):
    """Returns the language a page load of `path` by the socket's browser would be in."""
    return get_language_from_request(request_for(scope, path), check_path=False)
