"""The webhook task against a real HTTP server on loopback."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from documents.tasks import notify_subscribers


@pytest.mark.django_db
def test_notify_subscribers_posts_the_document_id(settings) -> None:
    received: list[object] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.DOCUMENT_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/documents"
        notify_subscribers(document_id=7)
    finally:
        server.shutdown()
        server.server_close()
    assert received == [{"document": 7}]
