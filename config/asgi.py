"""ASGI entry point: HTTP through Django, WebSockets through Channels, on one port."""

import gc
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

# Everything imported so far lives as long as the process: move it out of the garbage
# collector's reach. A full collection otherwise walks these ~100,000 objects again, and a
# request that builds a large page (the report of 100 rooms: ~20 ms a request) triggers one.
gc.freeze()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SiteOriginValidator(
            # The sockets resolve the user themselves, with who they are (live/consumer.py).
            SessionMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
