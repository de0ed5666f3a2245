"""WebSocket text frames built once per event and written straight to Daphne's transport.

Every member of a room receives the same bytes for an event. Through Daphne each socket's
copy was encoded to UTF-8 and framed by autobahn again (a quarter of the CPU of delivering an
event, bench/rooms.py); the `websockets` floor builds the frame once and writes it to every
socket. Here the frame is built once (server frames are not masked: RFC 6455 §5.1) and
written to each socket's transport while autobahn's connection is open and uncompressed
(Daphne accepts no permessage-deflate); anything else goes through Daphne as before.
"""

import functools
import random
import struct

_memo = (None, b"")  # (text, frame): the last frame built (the hub delivers event by event)


def text_frame(text):
    """Returns the unmasked, unfragmented WebSocket frame carrying `text`."""
    global _memo
    if _memo[0] is text:
        return _memo[1]
    payload = text.encode("utf-8")
    length = len(payload)
    if length < 126:
        header = bytes((0x81, length))
    elif length < 65536:
        header = struct.pack("!BBH", 0x81, 126, length)
    else:
        header = struct.pack("!BBQ", 0x81, 127, length)
    frame = header + payload
    _memo = (text, frame)
    return frame


def direct_writer(send):
    """Returns `write(text) -> bool` for a consumer's `send` when it is Daphne's
    (`partial(server.handle_reply, protocol)`), else None. `write` returns False when the
    frame must go through Daphne (not open, compressed, disconnected)."""
    if not isinstance(send, functools.partial) or len(send.args) != 1:
        return None
    server, protocol = getattr(send.func, "__self__", None), send.args[0]
    connections = getattr(server, "connections", None)
    if connections is None or not hasattr(protocol, "sendMessage"):
        return None
    open_state = protocol.STATE_OPEN
    spread_pings(protocol, getattr(server, "ping_interval", 0))

    def write(text):
        details = connections.get(protocol)
        if (
            details is None or details.get("disconnected") or protocol.state != open_state
            or getattr(protocol, "_perMessageCompress", None) is not None
            or protocol.transport is None
        ):
            return False
        protocol.transport.write(text_frame(text))
        return True

    return write


def spread_pings(protocol, interval):
    """Daphne pings every socket idle for `interval` from a sweep every 2 s: the sockets of a
    reconnect storm were all pinged in the same sweep, every 20 s — a pause of tens of
    milliseconds for everyone (DESIGN.md). A random first ping spreads them out."""
    if interval and hasattr(protocol, "last_ping"):
        protocol.last_ping -= random.uniform(0, interval)  # noqa: S311 - not a secret
