"""The WebSocket Origin check: a socket may be opened only by a page of this site.

A page's origin is (scheme, host, port). The handshake's `Origin` header must equal the site's
own origin as the browser sees it, taken from the handshake like Django takes it for HTTP
(`Host`, or `X-Forwarded-Host` with USE_X_FORWARDED_HOST; https when the socket is wss: or
SECURE_PROXY_SSL_HEADER says so), with a Host that ALLOWED_HOSTS accepts; or it must be one of
CSRF_TRUSTED_ORIGINS (where `https://*.example.com` stands for every subdomain).
"""

import logging
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

logger = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_origin(value):
    """Returns (scheme, host, port) of an http(s) origin, or None when it is not one."""
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return None
    return parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme]


def _header(scope, name):
    for key, value in scope.get("headers", ()):
        if key.decode("latin-1").lower() == name:
            return value.decode("latin-1")
    return None


def _is_secure(scope):
    if settings.SECURE_PROXY_SSL_HEADER:
        meta_name, secure_value = settings.SECURE_PROXY_SSL_HEADER
        name = meta_name.removeprefix("HTTP_").replace("_", "-").lower()
        value = _header(scope, name)
        if value is not None:
            return value.split(",", 1)[0].strip() == secure_value
    return scope.get("scheme") in ("wss", "https")


def site_origin(scope):
    """Returns the site's own origin for this handshake, or None when its host is not allowed."""
    host = None
    if settings.USE_X_FORWARDED_HOST:
        host = _header(scope, "x-forwarded-host")
    host = host or _header(scope, "host")
    if not host:
        return None
    domain, _port = split_domain_port(host)
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    if not domain or not validate_host(domain, allowed):
        return None
    return parse_origin(f"{'https' if _is_secure(scope) else 'http'}://{host}")


def _trusted(origin):
    scheme, host, port = origin
    for entry in settings.CSRF_TRUSTED_ORIGINS:
        wildcard = "://*." in entry
        trusted = parse_origin(entry.replace("://*.", "://", 1))
        if trusted is None or trusted[0] != scheme or trusted[2] != port:
            continue
        if host == trusted[1] or (wildcard and host.endswith("." + trusted[1])):
            return True
    return False


def origin_allowed(scope):
    """Returns True when the handshake's Origin is this site's own origin or a trusted one."""
    origin = parse_origin(_header(scope, "origin") or "")
    if origin is None:
        return False
    return origin == site_origin(scope) or _trusted(origin)


class SiteOriginValidator:
    """ASGI middleware: refuses (HTTP 403 on the handshake) sockets opened from other origins."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            logger.warning(
                "Refused a socket from origin %r (host %r)",
                _header(scope, "origin"), _header(scope, "host"),
            )
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
