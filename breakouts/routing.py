"""WebSocket routes of the live workshop (see docs/protocol.md)."""

from django.urls import path

from breakouts import consumers

websocket_urlpatterns = [
    path("ws/w/<str:code>/control/", consumers.ControlConsumer.as_asgi()),
    path("ws/w/<str:code>/", consumers.ParticipantConsumer.as_asgi()),
]
