"""A Postgres workspace that cannot be used is one line and exit 2, never a traceback, and
never shows the password of its URL: a malformed URL, a stopped server, a refused password."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from main import app

runner = CliRunner()
SECRET = "Tr1cky-Pass"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _refuse(conn: socket.socket) -> None:
    """Answer as a Postgres server does to a wrong password: no TLS, then FATAL 28P01."""
    with conn:
        while True:
            head = conn.recv(8)
            if len(head) < 8:
                return
            length, code = struct.unpack("!ii", head)
            if length == 8 and code in (80877103, 80877104):  # SSLRequest, GSSENCRequest
                conn.sendall(b"N")
                continue
            conn.recv(length - 8)  # the startup message: user, database
            fields = b"SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed for user \"ana\"\0\0"
            conn.sendall(b"E" + struct.pack("!i", len(fields) + 4) + fields)
            return


@pytest.fixture
def refusing_server() -> Iterator[int]:
    """A loopback server speaking just enough of the Postgres protocol to refuse a login."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(10)

    def serve() -> None:
        try:
            while True:
                conn, _ = server.accept()
                _refuse(conn)
        except OSError:
            return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    server.close()
    thread.join(timeout=5)


def _one_line_exit_2(url: str, *command: str) -> str:
    result = runner.invoke(app, [*command, "--database-url", url])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert SECRET not in result.output and "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    return " ".join(result.stderr.split())


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://ana:{SECRET}@[::1/gatereview",
        f"postgresql://ana:{SECRET}@db.example:fivefour/gatereview",
        f"postgresql://ana:{SECRET}@db.example/gatereview?sslmode=sometimes&x=1",
        f"postgres://ana:{SECRET}@db.example/gatereview?options={SECRET}%",
    ],
    ids=["unclosed-ipv6", "port-not-a-number", "unknown-parameter", "bad-escape"],
)
def test_a_malformed_database_url_never_prints_its_password(url: str) -> None:
    message = _one_line_exit_2(url, "runs")
    assert "postgresql:// URL" in message


def test_a_stopped_server_is_one_line(tmp_path: object) -> None:
    url = f"postgresql://ana:{SECRET}@127.0.0.1:{_closed_port()}/gatereview"
    message = _one_line_exit_2(url, "runs")
    assert "cannot be used" in message and "ana:***@127.0.0.1" in message


def test_a_refused_password_is_one_line(refusing_server: int) -> None:
    url = f"postgresql://ana:{SECRET}@127.0.0.1:{refusing_server}/gatereview?sslmode=disable"
    message = _one_line_exit_2(url, "runs")
    assert "password authentication failed" in message


def test_a_review_on_a_stopped_server_is_one_line() -> None:
    from pathlib import Path

    doc = Path(__file__).resolve().parents[2] / "examples" / "demo-grade-poc.md"
    url = f"postgresql://ana:{SECRET}@127.0.0.1:{_closed_port()}/gatereview"
    _one_line_exit_2(url, "review", str(doc), "--json")  # --json: no progress lines
