"""The Content-Security-Policy header: django-csp's middleware plus this site's socket origin.

`connect-src 'self'` covers fetch(); the WebSocket origin (ws: or wss:, the same host and port)
is named as well because 'self' matches ws:/wss: only in browsers that implement CSP Level 3.

A page that draws third-party content declares it on the request while it renders
(`request.csp_sources = {directive: [origin, ...]}`; calls/templatetags/calls.py does, for the
configured Jitsi server on the pages that show a call): those origins are added to that
response's policy only, so every other page stays 'self'-only.
"""

from csp.middleware import CSPMiddleware
from django.core.exceptions import DisallowedHost


class SiteCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        try:
            host = request.get_host()
        except DisallowedHost:
            return parts  # Django answers 400 anyway; keep the policy strict
        scheme = "wss" if request.is_secure() else "ws"
        update = dict(parts.update or {})
        update["connect-src"] = [*update.get("connect-src", []), f"{scheme}://{host}"]
        for directive, sources in getattr(request, "csp_sources", {}).items():
            update[directive] = [*update.get(directive, []), *sources]
        parts.update = update
        return parts
