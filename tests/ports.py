"""Ports the OS picked, held for as long as a test needs them."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def held_port() -> Iterator[int]:
    """A loopback port nothing listens on, and that the OS gives nobody else meanwhile.

    A socket stays bound to it without listening, so a connection to it is refused at once
    (unlike port 9, which a machine may serve), and, unlike a port bound, closed and reused, no
    other test or process can be handed it in between. The socket has SO_REUSEADDR, so on Linux
    a server that sets it too (aiohttp's TCPSite does) can still bind the port and listen.
    """
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("127.0.0.1", 0))
        port: int = holder.getsockname()[1]
        yield port
