"""How Daphne's WebSocket layer (autobahn) ends a connection it must refuse.

autobahn's default `failByDrop` drops the TCP connection without a close frame when a client
breaks a limit — e.g. a message over Daphne's 1 MiB maximum — so the client sees an abnormal
closure (1006) and cannot tell why. With `failByDrop` off it sends the close frame first:
1009 "message too big" (docs/protocol.md, "Close codes"). Daphne offers no option for this, so
the factory's defaults are adjusted here; Daphne and autobahn are pinned (requirements).
"""

from pprint import pformat

from autobahn.websocket import protocol as autobahn_protocol
from daphne.ws_protocol import WebSocketFactory

_reset_options = WebSocketFactory.resetProtocolOptions


def _reset_with_close_frames(self):
    _reset_options(self)
    self.failByDrop = False


class _FormattedOnUse:
    """autobahn formats every new connection's options with `pformat` for a debug message
    that is never shown (1-2 ms per connection: a second for a reconnect storm of 1,000
    sockets). This formats them only if the message is written."""

    def __init__(self, value):
        self.value = value

    def __str__(self):
        return pformat(self.value)


def install():
    WebSocketFactory.resetProtocolOptions = _reset_with_close_frames
    autobahn_protocol.pformat = _FormattedOnUse
    # The one caller that needs text at once (off unless timings are tracked).
    autobahn_protocol.Timings.__str__ = lambda self: pformat(self._timings)
