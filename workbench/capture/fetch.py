"""Every request a captured page makes, made here: checked, capped, and kept byte for byte.

The capture browser never touches the network itself: it hands each request to :func:`fetch`,
which refuses what is not http(s), refuses private, loopback and link-local addresses unless
the analyst allowed them (the address is checked on the connected socket, before a byte is sent,
so a name that resolves differently the second time gains nothing), stops a body past its size
cap or its time, and returns the body twice: as received (for the WARC) and decoded (for the
browser).
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
CHUNK = 1 << 16
CONNECT_TIMEOUT_S = 10.0
#: What the browser may ask the server to compress with: what :func:`_decode` undoes.
ACCEPT_ENCODING = "gzip, deflate"
#: Request headers that belong to one connection, set by the HTTP client itself.
_HOP_BY_HOP = frozenset({"host", "connection", "keep-alive", "content-length", "accept-encoding",
                         "transfer-encoding", "te", "upgrade", "proxy-connection"})
#: Response headers that describe the body as received, not as the browser is given it.
_NOT_TO_BROWSER = frozenset({"content-encoding", "content-length", "transfer-encoding",
                             "connection", "keep-alive"})
#: Types a browser shows as a page; a navigation to anything else is a download.
_SHOWN = ("text/", "image/", "application/xhtml+xml", "application/xml", "application/json",
          "application/javascript", "application/rss+xml", "application/atom+xml")


class FetchFailed(Exception):  # noqa: N818 (a reason recorded per request, not a programming error)
    """Why one request got no answer worth keeping."""


class Refused(FetchFailed):
    """A request the capture will not make (a scheme or address it does not go to)."""


@dataclass(frozen=True)
class Limits:
    """How far a capture goes: time for the whole page, bytes per resource and per page, the
    private networks it may reach (none by default) and redirects per request."""

    timeout_s: float = 60.0
    resource_bytes: int = 50_000_000
    page_bytes: int = 200_000_000
    allowed: tuple[Network, ...] = ()
    max_redirects: int = 10


@dataclass
class Fetched:
    """One exchange: the request as sent and the response as received."""

    method: str
    url: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    reason: str
    headers: list[tuple[str, str]]
    raw: bytes  # as received (content encoding kept; chunking undone)
    body: bytes  # decoded, for the browser
    peer: str | None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers if k.lower() == name.lower()), "")

    @property
    def mime(self) -> str:
        return self.header("Content-Type").split(";")[0].strip().lower()

    def browser_headers(self) -> dict[str, str]:
        """The response headers for the browser, which gets the body decoded (repeated headers
        joined as Playwright expects: Set-Cookie by new lines, others by commas)."""
        joined: dict[str, str] = {}
        for name, value in self.headers:
            key = name.lower()
            if key in _NOT_TO_BROWSER:
                continue
            glue = "\n" if key == "set-cookie" else ", "
            joined[key] = f"{joined[key]}{glue}{value}" if key in joined else value
        return joined


def parse_networks(values: list[str] | tuple[str, ...]) -> tuple[Network, ...]:
    """``--allow-private`` values (an address or a network: 127.0.0.1, 10.0.0.0/8) as networks."""
    try:
        return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values)
    except ValueError as exc:
        raise ValueError(f"not an address or network: {exc}") from None


def address_allowed(address: str, allowed: tuple[Network, ...]) -> bool:
    """Whether the capture may connect to ``address``: a public one, or one the analyst allowed."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if any(ip in net for net in allowed if net.version == ip.version):
        return True
    return ip.is_global and not ip.is_multicast


def check_url(url: str, limits: Limits, known: dict | None = None) -> None:
    """Refuse, before any browser starts, a URL that is not http(s) or whose host resolves to an
    address the capture may not reach; a host that does not resolve fails here too. ``known``
    keeps each host's answer for a run (many links lead to few hosts)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:
        raise Refused(f"refused: not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise Refused(f"refused: not an http(s) URL ({scheme or 'no'} scheme)")
    if not host:
        raise Refused("refused: the URL names no host")
    known = {} if known is None else known
    if host not in known:
        try:
            known[host] = [i[4][0] for i in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)]
        except (socket.gaierror, UnicodeError, ValueError) as exc:
            known[host] = f"cannot resolve {host}: {exc}"
    if isinstance(known[host], str):
        raise FetchFailed(known[host])
    for address in known[host]:
        if not address_allowed(address, limits.allowed):
            raise Refused(_refusal(host, address))


def _refusal(host: str, address: str) -> str:
    return (f"refused: {host} is at {address}, a private, loopback or reserved address "
            "(allow it with --allow-private)")


class _Guarded:
    """A connection that checks the address it actually reached before sending anything."""

    allowed: tuple[Network, ...] = ()

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        peer = sock.getpeername()[0]
        if not address_allowed(peer, self.allowed):
            sock.close()
            raise Refused(_refusal(self.host, peer))
        self.peer = peer
        return sock

    def getresponse(self, *args, **kwargs):
        response = super().getresponse(*args, **kwargs)
        response.peer = getattr(self, "peer", None)  # for the WARC record
        return response


def session(limits: Limits) -> requests.Session:
    """An HTTP session for one capture: no proxy from the environment, no cookie jar of its own
    (the browser sends its cookies), every connection checked against ``limits.allowed``."""
    attrs = {"allowed": limits.allowed}
    plain = type("GuardedHTTPConnection", (_Guarded, HTTPConnection), attrs)
    secure = type("GuardedHTTPSConnection", (_Guarded, HTTPSConnection), attrs)
    pools = {"http": type("GuardedPool", (HTTPConnectionPool,), {"ConnectionCls": plain}),
             "https": type("GuardedSPool", (HTTPSConnectionPool,), {"ConnectionCls": secure})}
    s = requests.Session()
    s.trust_env = False
    s.cookies.set_policy(_NoCookies())
    adapter = HTTPAdapter(max_retries=0, pool_maxsize=16)
    adapter.poolmanager.pool_classes_by_scheme = pools
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    return s


class _NoCookies(DefaultCookiePolicy):
    def set_ok(self, cookie, request) -> bool:
        return False


def fetch(s: requests.Session, method: str, url: str, headers: dict[str, str], body: bytes,
          limits: Limits, deadline: float, *, navigation: bool = False) -> Fetched:
    """Make one request (no redirect followed) and read its answer within ``deadline`` (a
    :func:`time.monotonic` time) and ``limits.resource_bytes``. A navigation whose answer is a
    download (an attachment, or a type no browser shows) stops after the headers."""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise Refused(f"refused: not an http(s) URL ({urlsplit(url).scheme or 'no'} scheme)")
    sent = {k: v for k, v in headers.items() if k.lower() not in _HOP_BY_HOP and not k.startswith(":")}
    sent["Accept-Encoding"] = ACCEPT_ENCODING
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchFailed("timed out")
    try:
        response = s.request(method, url, headers=sent, data=body or None, stream=True,
                             allow_redirects=False,
                             timeout=(min(CONNECT_TIMEOUT_S, remaining), remaining))
    except requests.Timeout:
        raise FetchFailed("timed out") from None
    except requests.RequestException as exc:
        raise FetchFailed(f"cannot be fetched: {_why(exc)}") from None
    with response:
        got = list(response.raw.headers.items())
        fetched = Fetched(method, url, list(response.request.headers.items()), body or b"",
                          response.status_code, response.reason or "", got, b"", b"", _peer(response))
        if navigation and not 300 <= response.status_code < 400:
            _refuse_download(fetched)
        fetched.raw = _read(response, limits.resource_bytes, deadline)
    fetched.body = _decode(fetched.raw, fetched.header("Content-Encoding"), limits.resource_bytes)
    return fetched


def _why(exc: requests.RequestException) -> str:
    """What the socket or TLS said, without urllib3's wrappers around it."""
    text = str(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS failed" + (": certificate not trusted" if "CERTIFICATE_VERIFY" in text else "")
    errno = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", text)
    return errno[1].strip() if errno else type(exc).__name__


def _peer(response: requests.Response) -> str | None:
    return getattr(response.raw, "peer", None)


def _refuse_download(fetched: Fetched) -> None:
    disposition = fetched.header("Content-Disposition").strip().lower()
    if disposition.startswith("attachment"):
        raise FetchFailed(f"a download, not a page (Content-Disposition: {disposition[:80]})")
    mime = fetched.mime
    if mime and not mime.startswith(_SHOWN):
        raise FetchFailed(f"a download, not a page ({mime})")


def _read(response: requests.Response, cap: int, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > cap:
        raise FetchFailed(f"too large: {int(declared)} bytes, more than the cap of {cap}")
    blocks, size = [], 0
    try:
        while block := response.raw.read(CHUNK, decode_content=False):
            size += len(block)
            if size > cap:
                raise FetchFailed(f"too large: more than the cap of {cap} bytes")
            if time.monotonic() > deadline:
                raise FetchFailed("timed out while reading the body")
            blocks.append(block)
    except requests.RequestException as exc:
        raise FetchFailed(f"the body broke off: {type(exc).__name__}") from None
    except Exception as exc:  # urllib3's and the socket's errors alike
        if isinstance(exc, FetchFailed):
            raise
        raise FetchFailed(f"the body broke off: {type(exc).__name__}: {exc}") from None
    return b"".join(blocks)


def _decode(raw: bytes, encoding: str, cap: int) -> bytes:
    """Undo the content encoding (gzip, deflate), to at most ``cap`` bytes (a bomb stops there)."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise FetchFailed(f"unsupported content encoding: {encoding}")
    attempts = (16 + zlib.MAX_WBITS,) if "gzip" in encoding else (zlib.MAX_WBITS, -zlib.MAX_WBITS)
    for wbits in attempts:
        try:
            inflater = zlib.decompressobj(wbits)
            out = inflater.decompress(raw, cap + 1)
        except zlib.error:
            continue
        if len(out) > cap:
            raise FetchFailed(f"too large once decompressed: more than the cap of {cap} bytes")
        return out
    raise FetchFailed(f"the body is not valid {encoding}")
