"""ASGI entry point: HTTP through Django, WebSockets through Channels, on one port."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Django must be set up before the routing imports consumers and models.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.sessions import SessionMiddlewareStack  # noqa: E402

from config import daphne_options  # noqa: E402
from config.origin import SiteOriginValidator  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402

daphne_options.install()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SiteOriginValidator(
            # The sockets resolve the user themselves, with who they are (live/consumer.py).
            SessionMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
