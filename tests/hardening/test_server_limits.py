"""Issue 9 item 8 at the server itself: the web servers of `tsunagu demo` / `tsunagu serve`
(waitress without Redis, granian with it) refuse a body larger than it will ever need from its Content-Length,
before reading it (a client once made /callback read 400 MB), and the app answers anything over
its own 64 KiB chat limit with a kind 413."""
from __future__ import annotations

import http.client
import os
import subprocess
import time

from tests.test_cli import free_port, tsunagu


def _start_demo(tmp_path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINE_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY"))}
    env["TSUNAGU_DEMO_PASSWORD"] = "limits-pass-123456"
    proc = subprocess.Popen([*tsunagu(), "demo", "--port", str(port)], cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise AssertionError("demo did not start")


def test_a_huge_body_is_refused_from_its_length_without_being_read(tmp_path):
    proc, port = _start_demo(tmp_path)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.putrequest("POST", "/chat/api/messages")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(400 * 1024 * 1024))  # announced, never sent
        conn.endheaders(b'{"type": "text", "text": "')
        started = time.monotonic()
        response = conn.getresponse()
        assert response.status == 413
        assert time.monotonic() - started < 5  # answered at once, not after reading 400 MB

        small = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        small.request("POST", "/chat/api/messages", body=b'{"type":"text","text":"' + b"a" * 100_000 + b'"}',
                      headers={"Content-Type": "application/json"})
        refused = small.getresponse()
        assert refused.status == 413 and "message" in refused.read().decode()  # the app's kind answer
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_production_server_refuses_a_huge_body_at_once_too(tmp_path):
    """`tsunagu serve` with Redis runs granian: the webhook and the chat still answer an
    announced 400 MB body with 413 at once, and a chunked webhook is cut off past its limit."""
    import socket

    from tests.conftest import POSTGRES_URL, REDIS_URL, _reset_postgres

    _reset_postgres()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINE_", "TSUNAGU_"))}
    env.update(DATABASE_URL=POSTGRES_URL, REDIS_URL=REDIS_URL, SECRET_KEY="0123456789abcdef" * 4, TSUNAGU_SECURE_COOKIES="false",
               LINE_CHANNEL_SECRET="limits-secret", LINE_CHANNEL_ACCESS_TOKEN="t", LINE_API_BASE_URL="http://127.0.0.1:9")
    proc = subprocess.Popen([*tsunagu(), "serve", "--port", str(port), "--workers", "1"], cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                break
            except OSError:
                time.sleep(0.1)
        for path in ("/callback", "/chat/api/messages"):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.putrequest("POST", path)
            conn.putheader("Content-Type", "application/json")
            conn.putheader("X-Line-Signature", "c2lnbmF0dXJl")
            conn.putheader("Content-Length", str(400 * 1024 * 1024))  # announced, never sent
            conn.endheaders(b'{"events": [')
            started = time.monotonic()
            assert conn.getresponse().status == 413, path
            assert time.monotonic() - started < 5

        chunked = socket.create_connection(("127.0.0.1", port), timeout=10)
        chunked.sendall(b"POST /callback HTTP/1.1\r\nHost: x\r\nX-Line-Signature: c2ln\r\n"
                        b"Transfer-Encoding: chunked\r\n\r\n")
        piece, sent = b"a" * 65536, 0
        try:
            while sent < 64 * 1024 * 1024:
                chunked.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
                sent += len(piece)
        except OSError:  # the server stopped reading: what we want
            pass
        assert sent < 16 * 1024 * 1024  # refused near the webhook's 4 MiB, not read to the end
    finally:
        proc.terminate()
        proc.wait(timeout=20)
