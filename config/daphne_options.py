"""How Daphne's WebSocket layer (autobahn, on Twisted) is tuned: three adjustments, each
measured (docs/protocol.md, "How it is built for load"; bench/rooms.py).

1. How it ends a connection it must refuse.

autobahn's default `failByDrop` drops the TCP connection without a close frame when a client
breaks a limit — e.g. a message over Daphne's 1 MiB maximum — so the client sees an abnormal
closure (1006) and cannot tell why. With `failByDrop` off it sends the close frame first:
1009 "message too big" (docs/protocol.md, "Close codes"). Daphne offers no option for this, so
the factory's defaults are adjusted here; Daphne and autobahn are pinned (requirements).
"""

from pprint import pformat

from autobahn.websocket import protocol as autobahn_protocol
from daphne.ws_protocol import WebSocketFactory
from twisted.internet import tcp

_reset_options = WebSocketFactory.resetProtocolOptions
_tcp_write = tcp.Connection.write


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


def _write_now(self, data):
    """Twisted's TCP write, sending at once when nothing is queued before it.

    Twisted (under Daphne, on the asyncio reactor) queues every write and registers the
    socket for writability — two epoll_ctl calls and a loop turn before the send(2), for
    every frame to every socket. At 1,000 sockets that was most of the server's CPU per
    delivered event (bench/rooms.py). asyncio's own transports try the send first and only
    queue what the kernel did not take; so does this. Anything unusual (not connected, data
    already queued, an error) takes Twisted's own path, which handles it.
    """
    if (
        data and self.connected and not self._writeDisconnected and not self.disconnecting
        and not self._tempDataLen and self.offset == len(self.dataBuffer)
        and type(data) is bytes
    ):
        try:
            sent = self.socket.send(data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            sent = 0  # Twisted's doWrite meets the error again and closes the connection
        if sent == len(data):
            return
        data = data[sent:]
    _tcp_write(self, data)


def install():
    WebSocketFactory.resetProtocolOptions = _reset_with_close_frames
    autobahn_protocol.pformat = _FormattedOnUse
    tcp.Connection.write = _write_now
    # The one caller that needs text at once (off unless timings are tracked).
    autobahn_protocol.Timings.__str__ = lambda self: pformat(self._timings)
