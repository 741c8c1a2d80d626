"""Keep secrets out of everything the tool shows: URLs with ``user:password@``, tokens, passwords.

One rule for URLs, used wherever a URL is shown (status lines, errors,
``--json`` output, reprs): everything between ``scheme://`` and the last
``@`` is the userinfo and becomes ``***``, so ``http://admin:s3cret@host:8080/``
is shown as ``http://***@host:8080/``. The rule is deliberately greedy: a
password typed raw with ``/``, ``?``, ``#`` or ``@`` in it (which a strict URL
parser would split elsewhere) is hidden too, at the price of also hiding the
head of a URL whose path holds an ``@`` (Label Studio server URLs have none).

This module imports nothing heavy: the CLI uses it on every error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

MASK = "***"

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
# In free text: a scheme, then the userinfo of its authority (no blank, "/", "?" or "#").
_URL_WITH_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*://)[^\s/?#]*@")


def _split(url: str) -> tuple[str, str | None, str]:
    """``(scheme://, userinfo or None, rest after the userinfo's @)``."""
    match = _SCHEME.match(url)
    prefix = match.group(0) if match else ""
    body = url[len(prefix) :]
    userinfo, at, rest = body.rpartition("@")
    if not at:
        return prefix, None, body
    return prefix, userinfo, rest


def redact_url(url: str) -> str:
    """The URL with any userinfo (``user:password@``) replaced by ``***@``.

    A URL without userinfo comes back unchanged; so does the empty string.
    """
    prefix, userinfo, rest = _split(url)
    if userinfo is None:
        return url
    return f"{prefix}{MASK}@{rest}"


def strip_userinfo(url: str) -> str:
    """The URL without its userinfo: ``http://a:b@host/`` -> ``http://host/``.

    Label Studio authenticates with the API token; credentials in the URL would
    make the HTTP client send basic auth instead of the token (and send the
    password to the server), so they are dropped before any request.
    """
    prefix, userinfo, rest = _split(url)
    return url if userinfo is None else f"{prefix}{rest}"


def url_secrets(url: str) -> list[str]:
    """The secret parts of a URL's userinfo: all of it and the password, raw and percent-decoded.

    The user name alone is left out (it is masked with the rest in any URL):
    scrubbing a short name such as ``a`` from free text would garble it.
    """
    _, userinfo, _ = _split(url)
    if not userinfo:
        return []
    password = userinfo.partition(":")[2]
    parts = [userinfo, password]
    parts += [unquote(p) for p in parts]
    return [p for p in dict.fromkeys(parts) if p]


def redact_text(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every one of ``secrets`` replaced by ``***`` and every URL's userinfo masked.

    Longer secrets are replaced first, so a secret that contains another is
    masked whole. Empty or missing secrets are ignored. In free text a URL's
    userinfo ends at the last ``@`` before the first blank, ``/``, ``?`` or ``#``
    (so ``https://medium.com/@author`` stays as it is); name the secrets (e.g.
    :func:`url_secrets`) to also cover a password typed raw with such characters.
    """
    out = text
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        out = out.replace(secret, MASK)
    return _URL_WITH_USERINFO.sub(lambda m: f"{m.group(1)}{MASK}@", out)


def one_line(text: str, limit: int = 300) -> str:
    """Collapse blanks and newlines to single spaces and cut the text at ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
