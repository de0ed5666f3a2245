"""WebSocket URL routes: each app lists its own consumers."""

from breakouts.routing import websocket_urlpatterns as breakouts_ws

websocket_urlpatterns = [*breakouts_ws]
