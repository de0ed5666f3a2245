"""Frames on the wire: encoding once, parsing with limits, and the per-socket rate limit.

Every bad frame gets an error frame with a stable code (docs/protocol.md, "Error codes");
nothing here raises past the socket.
"""

import json
import re
import time

from django.utils.translation import gettext as _

MAX_FRAME_BYTES = 64 * 1024
OP_ID_MAX_CHARS = 64
# JSON nests at most this deep: Python's parser recurses per level, and a frame of a few
# kilobytes of "[[[[…" would otherwise end the socket with a RecursionError.
MAX_DEPTH = 32
# A \uD800-\uDFFF escape can produce a lone surrogate, which no database stores and no UTF-8
# encoder writes: such text is refused as `invalid` before it reaches an op.
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def encode(frame):
    """Returns a frame as compact JSON text (encoded once per event per process)."""
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


class FrameError(Exception):
    """A frame refused before it became an op: `code` is a protocol error code."""

    def __init__(self, code, message, op_id=None):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.op_id = op_id


def _too_deep(text):
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _has_lone_surrogate(value):
    try:
        encode(value).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def parse_frame(text_data=None, bytes_data=None):
    """Returns (op, op_id, frame) from a client frame, or raises FrameError."""
    if text_data is None:
        if bytes_data is None or len(bytes_data) > MAX_FRAME_BYTES:
            raise FrameError("too_large", _("Frames are limited to 64 KB."))
        try:
            text_data = bytes_data.decode("utf-8")
        except UnicodeDecodeError:
            raise FrameError("bad_json", _("Frames must be JSON text.")) from None
    if len(text_data) > MAX_FRAME_BYTES // 4 and len(text_data.encode("utf-8", "replace")) > (
        MAX_FRAME_BYTES
    ):
        raise FrameError("too_large", _("Frames are limited to 64 KB."))
    if text_data.count("[") + text_data.count("{") > MAX_DEPTH and _too_deep(text_data):
        raise FrameError("invalid", _("This frame is nested too deeply."))
    try:
        frame = json.loads(text_data)
    except (ValueError, RecursionError):
        raise FrameError("bad_json", _("This frame is not valid JSON.")) from None
    if not isinstance(frame, dict):
        raise FrameError("invalid", _("A frame must be a JSON object."))
    surrogates = SURROGATE_ESCAPE.search(text_data) is not None and _has_lone_surrogate(frame)
    op, op_id = frame.get("op"), frame.get("id")
    if op_id is not None and (
        not isinstance(op_id, str) or not op_id or len(op_id) > OP_ID_MAX_CHARS
        or (surrogates and _has_lone_surrogate(op_id))
    ):
        raise FrameError("invalid", _("“id” must be a short text."))
    if not isinstance(op, str) or (surrogates and _has_lone_surrogate(op)):
        raise FrameError("invalid", _("A frame needs an “op”."), op_id)
    if surrogates:
        raise FrameError("invalid", _("This frame contains text that is not valid Unicode."), op_id)
    return op, op_id, frame


class TokenBucket:
    """Allows `burst` frames at once and `rate` per second on average."""

    def __init__(self, rate, burst):
        self.rate = rate
        self.capacity = burst
        self.tokens = float(burst)
        self.updated = time.monotonic()

    def take(self):
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
