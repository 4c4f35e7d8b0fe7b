"""What the tests' replay servers share: an HTTP server on 127.0.0.1 answering from a daemon
thread, and a request handler that logs nothing."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = "127.0.0.1"


class QuietHandler(BaseHTTPRequestHandler):
    """A handler that keeps the test output clean (no line per request)."""

    def log_message(self, *args):
        pass


def serve(handler: type[BaseHTTPRequestHandler]) -> tuple[ThreadingHTTPServer, str]:
    """Start ``handler`` on a free port of 127.0.0.1; returns the server and its base URL."""
    server = ThreadingHTTPServer((HOST, 0), handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    return server, f"http://{HOST}:{server.server_address[1]}"
