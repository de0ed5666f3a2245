"""WebSocket routes of the live workshop (see docs/protocol.md)."""

websocket_urlpatterns = []
