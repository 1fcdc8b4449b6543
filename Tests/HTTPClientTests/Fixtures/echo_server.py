#!/usr/bin/env python3
"""Test fixture for HTTPClientTests: a tiny HTTP/1.1 server on the Python 3 standard library.

Binds 127.0.0.1 on a free port and prints the port as its first stdout line. Exits when stdin closes, so it
never outlives the test process that started it.

  ANY /echo...             200, JSON {method, path, headers, body, body_length}
  ANY /status/NNN          status NNN, body "status NNN"
  GET /slow?ms=N           waits N ms, then 200 "slow"
  GET /stream?chunks=N&interval_ms=M   chunked, N chunks "data: i\\n\\n" M ms apart (N=0: until the client leaves)
  GET /big?bytes=N         200 with N bytes of "x"
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so clients can reuse connections

    def log_message(self, format, *args):
        pass

    def handle_any(self):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            if url.path.startswith("/echo"):
                payload = json.dumps({
                    "method": self.command,
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body.decode("utf-8", "replace"),
                    "body_length": len(body),
                }).encode()
                self.reply(200, payload, "application/json")
            elif url.path.startswith("/status/"):
                status = int(url.path.split("/")[2])
                self.reply(status, b"status %d" % status)
            elif url.path == "/slow":
                time.sleep(int(query.get("ms", "1000")) / 1000)
                self.reply(200, b"slow")
            elif url.path == "/stream":
                self.stream(int(query.get("chunks", "3")), int(query.get("interval_ms", "10")))
            elif url.path == "/big":
                self.reply(200, b"x" * int(query.get("bytes", "0")))
            else:
                self.reply(404, b"not found")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def reply(self, status, payload, content_type="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("X-Fixture", "echo")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def stream(self, chunks, interval_ms):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        index = 0
        while chunks == 0 or index < chunks:
            data = b"data: %d\n\n" % index
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()
            index += 1
            time.sleep(interval_ms / 1000)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # the default 5 drops SYNs when hundreds of clients connect at once

    def handle_error(self, request, client_address):
        # Clients that cancel or time out reset their connections on purpose; anything else is worth a trace.
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


def exit_when_stdin_closes():
    sys.stdin.buffer.read()
    os._exit(0)


if __name__ == "__main__":
    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    print(server.server_address[1], flush=True)
    server.serve_forever()
