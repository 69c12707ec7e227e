import socket

import pytest

from rag.doctor import outside_connections


def test_outside_connections_are_refused_and_recorded_and_loopback_allowed():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with outside_connections() as attempts:
            with socket.create_connection(server.getsockname(), timeout=5):
                pass
            with pytest.raises(OSError, match="refused to look up example.org"):
                socket.getaddrinfo("example.org", 443)
            with socket.socket() as client, pytest.raises(OSError, match="refused a connection to 192.0.2.1"):
                client.connect(("192.0.2.1", 80))
    assert attempts == ["example.org", "192.0.2.1:80"]
    assert socket.getaddrinfo.__name__ == "getaddrinfo"  # restored afterwards
