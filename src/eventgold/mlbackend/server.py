"""Run the ML backend app with uvicorn: loopback unless an API key protects it."""

from __future__ import annotations

import ipaddress
import socket

from eventgold.errors import ConfigError
from eventgold.extractors.base import Extractor
from eventgold.mlbackend.app import AnnotationHook, create_app
from eventgold.ontology import Ontology

LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")
"""uvicorn's log levels."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine (``localhost``, ``127.0.0.0/8``, ``::1``).

    Example:
        >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("0.0.0.0")
        (True, True, False)
    """
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def _bind(host: str, port: int) -> socket.socket:
    """A listening-ready socket on ``host:port``; ConfigError naming them when it cannot bind."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise ConfigError(f"cannot listen on host {host!r}: {exc.strerror or exc}") from exc
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another port, or stop what uses it"
        ) from exc
    return sock


def serve(
    extractor: Extractor,
    ontology: Ontology,
    *,
    host: str = "127.0.0.1",
    port: int = 9090,
    api_key: str | None = None,
    log_level: str = "info",
    on_annotation: AnnotationHook | None = None,
    max_task_chars: int = 1_000_000,
) -> None:
    """Serve ``extractor`` to Label Studio as an ML backend until interrupted (uvicorn).

    Args:
        extractor: the extractor to serve.
        ontology: checks outputs and labeling configs.
        host: the address to listen on; beyond loopback an ``api_key`` is required.
        port: the TCP port (0: any free one, named in the log).
        api_key: HTTP Basic auth password required on every route but ``/health``.
        log_level: uvicorn's: critical, error, warning, info, debug or trace.
        on_annotation: called for each annotation webhook.
        max_task_chars: longest ``data.text`` predicted.

    Raises:
        ConfigError: a non-loopback host without ``api_key``, a port outside 0..65535, an
            unknown log level, or an address that cannot be bound (in use).
    """
    import uvicorn

    if not is_loopback(host) and not api_key:
        raise ConfigError(
            f"host {host!r} is reachable beyond this machine: serve it with an API key, or listen on 127.0.0.1"
        )
    if not 0 <= port <= 65535:
        raise ConfigError(f"port must be between 0 and 65535, got {port}")
    if log_level not in LOG_LEVELS:
        raise ConfigError(f"unknown log level {log_level!r}; use one of {', '.join(LOG_LEVELS)}")
    app = create_app(extractor, ontology, api_key=api_key, max_task_chars=max_task_chars, on_annotation=on_annotation)
    sock = _bind(host, port)
    config = uvicorn.Config(app, host=host.strip("[]"), port=port, log_level=log_level)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
