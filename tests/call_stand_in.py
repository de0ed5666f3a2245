"""A stand-in for a Jitsi Meet server on loopback: `external_api.js` defines
JitsiMeetExternalAPI, whose constructor puts an iframe of the call's address in the page (as
the real one does); every other path answers a small page standing in for the call. Used by
tests/test_browser_calls.py and docs/screenshots.py; it never leaves 127.0.0.1."""

import html
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API = b"""
window.JitsiMeetExternalAPI = class {
  constructor(domain, options) {
    const scheme = options.noSSL ? "http" : "https";
    const name = encodeURIComponent(JSON.stringify(options.userInfo.displayName));
    this.frame = document.createElement("iframe");
    this.frame.src = `${scheme}://${domain}/${options.roomName}#userInfo.displayName=${name}`;
    options.parentNode.appendChild(this.frame);
  }
  addListener() {}
  dispose() { this.frame.remove(); }
};
"""
CALL_PAGE = """<!doctype html><meta charset="utf-8"><title>call</title>
<body style="margin:0;font:16px system-ui;background:#1f2328;color:#e6edf3;display:grid;
place-items:center;height:100vh;text-align:center">
<div><p style="font-size:20px">Stand-in call</p><p style="opacity:.7">{room}</p>
<p style="opacity:.7">A Jitsi Meet server shows the video call here.</p></div>"""


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's naming
        if self.path == "/external_api.js":
            body, kind = API, "text/javascript"
        else:
            room = html.escape(self.path.split("#")[0].strip("/"))
            body, kind = CALL_PAGE.replace("{room}", room).encode(), "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def free_port(first=8100, last=8199):
    """Returns a free loopback port in first..last."""
    for port in range(first, last + 1):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {first}-{last}")


def start(port):
    """Serves the stand-in on 127.0.0.1:port in a daemon thread; returns the server."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
