"""How Daphne's WebSocket layer (autobahn) ends a connection it must refuse.

autobahn's default `failByDrop` drops the TCP connection without a close frame when a client
breaks a limit — e.g. a message over Daphne's 1 MiB maximum — so the client sees an abnormal
closure (1006) and cannot tell why. With `failByDrop` off it sends the close frame first:
1009 "message too big" (docs/protocol.md, "Close codes"). Daphne offers no option for this, so
the factory's defaults are adjusted here; Daphne and autobahn are pinned (requirements).
"""

from daphne.ws_protocol import WebSocketFactory

_reset_options = WebSocketFactory.resetProtocolOptions


def _reset_with_close_frames(self):
    _reset_options(self)
    self.failByDrop = False


def install():
    WebSocketFactory.resetProtocolOptions = _reset_with_close_frames
