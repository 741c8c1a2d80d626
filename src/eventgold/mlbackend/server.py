"""Run the ML backend app with uvicorn: loopback unless an API key protects it."""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

from eventgold.errors import ConfigError
from eventgold.extractors.base import Extractor
from eventgold.mlbackend.app import AnnotationHook, create_app
from eventgold.ontology import Ontology

if TYPE_CHECKING:
    from eventgold.mlbackend.retrain import Retrainer

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


def check_serve_options(host: str, port: int, api_key: str | None, log_level: str) -> None:
    """Refuse what :func:`serve` cannot serve with, before anything is loaded or bound.

    Raises:
        ConfigError: a non-loopback ``host`` without ``api_key``, a ``port`` outside 0..65535, or a
            ``log_level`` not in :data:`LOG_LEVELS`.

    Example: ``check_serve_options("0.0.0.0", 9090, None, "info")`` raises (no key beyond loopback).
    """
    if not is_loopback(host) and not api_key:
        raise ConfigError(
            f"host {host!r} is reachable beyond this machine: serve it with an API key, or listen on 127.0.0.1"
        )
    if not 0 <= port <= 65535:
        raise ConfigError(f"port must be between 0 and 65535, got {port}")
    if log_level not in LOG_LEVELS:
        raise ConfigError(f"unknown log level {log_level!r}; use one of {', '.join(LOG_LEVELS)}")


def listening_url(host: str, port: int) -> str:
    """The ``http://host:port`` a backend listening on ``host`` and ``port`` is reached at (IPv6 in brackets).

    Example:
        >>> listening_url("::1", 9090)
        'http://[::1]:9090'
    """
    bare = host.strip().strip("[]")
    return f"http://[{bare}]:{port}" if ":" in bare else f"http://{bare}:{port}"


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
    on_listening: Callable[[str], None] | None = None,
    retrainer: Retrainer | None = None,
) -> None:
    """Serve ``extractor`` to Label Studio as an ML backend until interrupted (uvicorn).

    Args:
        extractor: the extractor to serve.
        ontology: checks outputs and labeling configs.
        host: the address to listen on; beyond loopback an ``api_key`` is required.
        port: the TCP port (0: any free one, which ``on_listening`` is told).
        api_key: HTTP Basic auth password required on every route but ``/health``.
        log_level: uvicorn's: critical, error, warning, info, debug or trace.
        on_annotation: called for each annotation webhook.
        max_task_chars: longest ``data.text`` predicted.
        on_listening: called with the URL (:func:`listening_url`, the bound port) once the socket
            listens, before requests are served; nothing is called when serving is refused.
        retrainer: retrains the served model from annotation webhooks and swaps accepted
            models in (:class:`eventgold.mlbackend.retrain.Retrainer`; it takes the place of ``on_annotation``).

    Raises:
        ConfigError: what :func:`check_serve_options` refuses, or an address that cannot be bound (in use).
    """
    import uvicorn

    check_serve_options(host, port, api_key, log_level)
    _log_to_stderr(log_level)
    hook = retrainer.on_annotation if retrainer is not None else on_annotation
    app = create_app(extractor, ontology, api_key=api_key, max_task_chars=max_task_chars, on_annotation=hook)
    if retrainer is not None:
        retrainer.attach(app.state.backend)
    sock = _bind(host, port)
    bound = int(sock.getsockname()[1])
    config = uvicorn.Config(app, host=host.strip("[]"), port=bound, log_level=log_level)
    try:
        sock.listen(2048)  # uvicorn's backlog; listening from here on, so on_listening tells the truth
        if on_listening is not None:
            on_listening(listening_url(host, bound))
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()


def _log_to_stderr(level: str) -> None:
    """Show the backend's own log lines (failures, retraining rounds) beside uvicorn's, in its format."""
    from uvicorn.logging import DefaultFormatter

    logger = logging.getLogger("eventgold.mlbackend")
    logger.setLevel(logging.DEBUG if level == "trace" else level.upper())
    if not any(getattr(h, "eventgold", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(DefaultFormatter("%(levelprefix)s %(message)s"))
        handler.eventgold = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
