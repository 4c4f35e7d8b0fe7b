"""Live Telegram collection with Telethon: a public channel's or group's messages.

Credentials are the analyst's own and never enter the case: the API id and hash
(``WORKBENCH_TELEGRAM_API_ID``, ``WORKBENCH_TELEGRAM_API_HASH``, from https://my.telegram.org) and
a Telethon session file (``WORKBENCH_TELEGRAM_SESSION``, by default
``~/.config/socmint-workbench/telegram.session``; a session inside the case folder is refused).
The session is made once, interactively, in a terminal::

    python -c "from workbench.collect.live.telegram import login; login()"

The collector never logs in: it reads the session file once, works from a copy in memory (the
file is never written, so several collectors can share it), and reads public chats only (a
private one is a clear error). A session Telegram no longer knows (AUTH_KEY_UNREGISTERED, 401)
is an error naming the file and how to log in again.

Pages. ``messages.getHistory`` answers newest first. Paging down asks for the messages older
than ``offset_id`` (the oldest id of the page before); paging up from the newest id seen ``N``
asks ``offset_id = N + 1, add_offset = -limit, min_id = N``: the ``limit`` messages just above
``N``, so a resumed run leaves no gap (https://core.telegram.org/api/offsets).

Raw evidence is the byte-exact TL body of each ``rpc_result`` (decrypted, un-gzipped): Telethon
is given a request whose ``read_result`` keeps the bytes it reads. Those bytes are the page, mapped
by the ``telegram_tl`` format. A page Telethon cannot read is kept and quarantined (the bytes to
the end of the MTProto message, as Telethon does not cut them at the object's end), and paging
goes on below it. A deleted message (``messageEmpty`` in a page) gives no item; the page keeps
its id. FLOOD_WAIT_X (420) is :class:`RateLimited` for X seconds: Telethon's own sleeping is
turned off (``flood_sleep_threshold=0``) so the run decides whether to wait.

Media: a collector made with ``media=True`` also downloads its channel's photos and documents
after each run (:mod:`workbench.collect.live.telegram_media`), through the same connection.

Telethon is asyncio; the workbench is not. The client lives on a private event loop in a worker
thread, so the collector works the same from a script, the command line and a running Jupyter
kernel (whose own loop is never touched).
"""

from __future__ import annotations

import contextlib
import os
import re
from datetime import UTC
from pathlib import Path

from workbench.collect.live import CollectError, Page, RateLimited, missing_library
from workbench.collect.live.telethon_io import (
    CLOSE_TIMEOUT_S,
    TIMEOUT_S,
    Loop,
    call,
    history_request,
    quietly_disconnect,
    said,
)

API_ID_ENV = "WORKBENCH_TELEGRAM_API_ID"
API_HASH_ENV = "WORKBENCH_TELEGRAM_API_HASH"
SESSION_ENV = "WORKBENCH_TELEGRAM_SESSION"
PAGE_SIZE = 100  # the most messages.getHistory returns at once
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
_LINK = re.compile(r"^(?:https?://)?(?:t\.me|telegram\.me)/(?:s/)?([^/?#]+)", re.I)
LOGIN_HINT = ('log in once in a terminal: python -c "from workbench.collect.live.telegram import '
              'login; login()"')


def session_path(session: str | os.PathLike | None = None) -> Path:
    """Where the Telethon session file is: ``session``, ``$WORKBENCH_TELEGRAM_SESSION``, or
    ``$XDG_CONFIG_HOME/socmint-workbench/telegram.session`` (``~/.config`` by default)."""
    given = session or os.environ.get(SESSION_ENV)
    if given:
        path = Path(given).expanduser()
    else:
        config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
        path = Path(config) / "socmint-workbench" / "telegram.session"
    # Telethon adds the suffix to a session name that lacks it; name the file it will open.
    return path if path.name.endswith(".session") else path.with_name(path.name + ".session")


def channel_name(value: str) -> str:
    """A chat's public username from ``name``, ``@name`` or a t.me link."""
    text = (value or "").strip()
    match = _LINK.match(text)
    name = match.group(1) if match else text.lstrip("@")
    if not _USERNAME.match(name):
        raise CollectError(f"telegram: {value!r} is not a public channel or group username",
                           hint="give its username (5 to 32 letters, digits or _) or its t.me link")
    return name


def _credentials(api_id: int | str | None, api_hash: str | None) -> tuple[int, str]:
    api_id = api_id if api_id is not None else os.environ.get(API_ID_ENV)
    api_hash = api_hash if api_hash is not None else os.environ.get(API_HASH_ENV)
    if not api_id or not api_hash:
        raise CollectError("telegram: the API id and hash are not set",
                           hint=f"set {API_ID_ENV} and {API_HASH_ENV} to your application's values "
                           "from https://my.telegram.org (API development tools)")
    try:
        return int(api_id), str(api_hash)
    except ValueError:
        raise CollectError(f"telegram: {API_ID_ENV} must be a number",
                           hint="copy the api_id of your application from https://my.telegram.org"
                           ) from None


class TelegramCollector:
    """The messages of one public channel or group (a supergroup with a username)."""

    format = "telegram_tl"
    extension = "tl"  # what a kept page is: TL bytes, not JSON
    collector = "live:telegram"
    version = "1"
    source = "telegram"

    def __init__(self, channel: str, *, session: str | os.PathLike | None = None,
                 api_id: int | str | None = None, api_hash: str | None = None,
                 case_dir: str | os.PathLike | None = None, page_size: int = PAGE_SIZE,
                 media: bool = False, max_media_bytes: int = 50_000_000):
        self.channel = channel_name(channel)
        # media: collect_telegram also downloads the run's photos and documents (telegram_media)
        self.media, self.max_media_bytes = media, max_media_bytes
        self.query = f"channel:{self.channel.lower()}"
        self.page_size = max(1, min(page_size, PAGE_SIZE))
        self.session = session_path(session)
        if case_dir is not None:
            inside = Path(case_dir).expanduser().resolve()
            if self.session.resolve().is_relative_to(inside):
                raise CollectError(
                    f"telegram: the session file {self.session} is inside the case folder",
                    hint=f"a session is a secret and stays out of the case: move it, e.g. under "
                    f"~/.config/socmint-workbench/, and point {SESSION_ENV} at it")
        self._api_id, self._api_hash = _credentials(api_id, api_hash)
        self._loop: Loop | None = None
        self._client = None
        self._peer = None
        self._chat = None

    # --- the framework's side ------------------------------------------------------------------

    def fetch(self, *, older: str | None = None, newer: str | None = None) -> Page:
        """One page: the newest messages, those older than ``older``, or those just newer than
        ``newer`` (message ids)."""
        if self._loop is None:
            self._loop = Loop()
        try:
            # every step has its own time limit; this one guards against a stuck client
            return self._loop.run(self._fetch(older, newer), 4 * TIMEOUT_S)
        except TimeoutError:
            raise CollectError(f"telegram: no answer from Telegram in {4 * TIMEOUT_S}s",
                               hint="check the network; running the same command again resumes "
                               "where this run stopped") from None

    def on_loop(self, work, timeout: float = 4 * TIMEOUT_S):
        """Run ``work(client)`` (a coroutine function) on the private loop with the connected
        client, and return its result (the media download's way in)."""
        if self._loop is None:
            self._loop = Loop()

        async def connected():
            return await work(await self._connect())

        return self._loop.run(connected(), timeout)

    def chat_id(self) -> int:
        """The channel's id (resolving its username once)."""
        if self._chat is None:
            try:
                self.on_loop(self._resolve)
            except TimeoutError:
                raise CollectError(f"telegram: no answer from Telegram in {4 * TIMEOUT_S}s",
                                   hint="check the network and run again") from None
        return self._chat.id

    def close(self) -> None:
        """Disconnect and stop the private loop (a new fetch starts them again)."""
        if self._loop is None:
            return
        if self._client is not None:
            with contextlib.suppress(Exception):  # closing a connection already lost
                self._loop.run(self._client.disconnect(), CLOSE_TIMEOUT_S)
        self._loop.stop()
        self._loop, self._client, self._peer = None, None, None

    def __enter__(self) -> TelegramCollector:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- on the private loop -------------------------------------------------------------------

    async def _connect(self):
        if self._client is not None:
            return self._client
        if not self.session.is_file():
            raise CollectError(f"telegram: no session file at {self.session}", hint=LOGIN_HINT)
        try:
            from telethon import TelegramClient
            from telethon.sessions import SQLiteSession, StringSession
        except ImportError as error:
            raise missing_library("Telegram", "Telethon") from error

        # Read the session file once and work from a copy in memory: the analyst's file is never
        # written (nor locked against another collector or client using it).
        stored = SQLiteSession(str(self.session))
        try:
            if not stored.auth_key or not stored.server_address:
                raise self._logged_out("the session file holds no login")
            in_memory = StringSession(StringSession.save(stored))
        finally:
            stored.close()
        client = TelegramClient(in_memory, self._api_id, self._api_hash,
                                flood_sleep_threshold=0, connection_retries=1, retry_delay=0,
                                request_retries=1, timeout=TIMEOUT_S, catch_up=False)
        # receive_updates stays on: without it Telethon wraps each request in
        # invokeWithoutUpdates, whose reader is not the one keeping the page's bytes.
        from telethon.errors import AuthKeyNotFound

        try:
            await client.connect()
            authorized = await client.is_user_authorized()
        except AuthKeyNotFound:
            await quietly_disconnect(client)
            raise self._logged_out("Telegram does not know its authorization key") from None
        except (TimeoutError, OSError) as exc:
            await quietly_disconnect(client)
            raise CollectError(f"telegram: Telegram cannot be reached: {exc or type(exc).__name__}",
                               hint="check the network; running the same command again resumes "
                               "where this run stopped") from None
        if not authorized:
            await quietly_disconnect(client)
            raise self._logged_out("the session is not logged in")
        self._client = client
        return client

    def _logged_out(self, said: str) -> CollectError:
        return CollectError(f"telegram: Telegram refused the session {self.session} ({said})",
                            hint=f"the session was logged out or never logged in; {LOGIN_HINT}")

    async def _resolve(self, client):
        from telethon import types
        from telethon.tl.functions.contacts import ResolveUsernameRequest

        if self._peer is None:
            resolved = await call(client, ResolveUsernameRequest(self.channel))
            chat = next((c for c in resolved.chats if isinstance(resolved.peer, types.PeerChannel)
                         and c.id == resolved.peer.channel_id), None)
            if not isinstance(chat, types.Channel):
                raise CollectError(f"telegram: @{self.channel} is a user or a basic group, "
                                   "not a public channel or group",
                                   hint="collect a channel or a public (super)group by its username")
            self._chat = chat
            self._peer = types.InputPeerChannel(chat.id, chat.access_hash)
        return self._peer

    async def _fetch(self, older: str | None, newer: str | None) -> Page:
        from telethon import errors

        client = await self._connect()
        request = None
        try:
            peer = await self._resolve(client)
            if newer:
                where = {"offset_id": int(newer) + 1, "add_offset": -self.page_size,
                         "min_id": int(newer)}
            else:
                where = {"offset_id": int(older or 0), "add_offset": 0, "min_id": 0}
            request = history_request()(peer=peer, offset_date=None, limit=self.page_size,
                                         max_id=0, hash=0, **where)
            result = await call(client, request)
        except (errors.FloodWaitError, errors.FloodPremiumWaitError,
                errors.SlowModeWaitError) as exc:
            raise RateLimited(float(exc.seconds)) from None
        except (errors.UnauthorizedError, errors.AuthKeyError) as exc:
            raise self._logged_out(said(exc)) from None
        except (errors.UsernameNotOccupiedError, errors.UsernameInvalidError) as exc:
            raise CollectError(f"telegram: no public channel or group @{self.channel} "
                               f"({said(exc)})", hint="check the username") from None
        except (errors.ChannelPrivateError, errors.ChannelInvalidError,
                errors.ChannelPublicGroupNaError, errors.ChatAdminRequiredError) as exc:
            raise CollectError(f"telegram: @{self.channel} is private or not readable "
                               f"({said(exc)})", hint="only public channels and groups are "
                               "collected; a private chat can be exported with Telegram Desktop "
                               "and imported") from None
        except errors.RPCError as exc:
            raise CollectError(f"telegram: Telegram answered with an error: {said(exc)} "
                               f"({exc.code})", hint="try again later") from None
        except (TimeoutError, OSError) as exc:
            raise CollectError(f"telegram: Telegram cannot be reached: {exc or type(exc).__name__}",
                               hint="check the network; running the same command again resumes "
                               "where this run stopped") from None
        except Exception:
            if request is not None and request.unreadable is not None:
                return self._unreadable(request, older, newer)
            raise
        return self._page(request, result, newer)

    def _url(self, request) -> str:
        return (f"mtproto:messages.getHistory?peer={self.channel}&offset_id={request.offset_id}"
                f"&add_offset={request.add_offset}&limit={request.limit}&min_id={request.min_id}")

    def _page(self, request, result, newer: str | None) -> Page:
        messages = list(getattr(result, "messages", []))
        ids = [m.id for m in messages]
        dates = [m.date.astimezone(UTC) for m in messages if getattr(m, "date", None)]
        full = len(messages) >= self.page_size
        return Page(
            body=request.raw, url=self._url(request), count=len(messages),
            older=str(min(ids)) if ids and full and min(ids) > 1 else None,
            newer=str(max(ids)) if ids else None,
            oldest_at=min(dates).strftime("%Y-%m-%dT%H:%M:%SZ") if dates else None,
            newest_id=str(max(ids)) if ids else None,
            newest_at=max(dates).strftime("%Y-%m-%dT%H:%M:%SZ") if dates else None,
            ids=tuple(str(i) for i in sorted(ids, reverse=True)),
        )

    def _unreadable(self, request, older: str | None, newer: str | None) -> Page:
        """A page Telethon cannot read: kept (quarantined by the format), and paging goes on past
        the ids it can hold. Channel message ids count up one by one, so the ``limit`` messages
        below ``offset_id`` (or above ``min_id``) lie within ``limit`` ids of it, or further only
        where ids were deleted: skipping ``limit`` ids leaves nothing readable out."""
        body = request.unreadable
        if newer:
            past = str(int(newer) + self.page_size)
            return Page(body=body, url=self._url(request), count=1, newer=past, newest_id=past)
        below = int(older) - self.page_size if older else 0
        return Page(body=body, url=self._url(request), count=1,
                    older=str(below) if below > 1 else None)


def telegram_collectors(case, channels: list[str] | None = None, *, media: bool = False,
                        max_media_bytes: int = 50_000_000) -> list[TelegramCollector]:
    """One collector per channel given, or, where the plan names telegram among its platforms,
    per Telegram username or t.me link among its accounts (other platforms' handles are left
    out); a session inside the case folder is refused. ``media``: each also downloads its
    channel's photos and documents, up to ``max_media_bytes`` a file."""
    names = list(channels or [])
    if not names and "telegram" in [p.lower() for p in case.plan.platforms]:
        for account in case.plan.accounts:
            try:
                names.append(channel_name(account))
            except CollectError:
                continue  # another platform's handle (user@instance, u/name ...)
    if not names:
        raise CollectError("telegram: name a channel or group to collect",
                           hint="pass --channel NAME (or a t.me link), or add its username to the "
                           "plan's accounts with telegram among its platforms")
    return [TelegramCollector(name, case_dir=case.path, media=media,
                              max_media_bytes=max_media_bytes) for name in names]


def collect_telegram(case, collector: TelegramCollector, **run):
    """Collect with one Telegram collector and disconnect it afterwards (``run``: limit,
    max_wait, progress, as :func:`workbench.collect.live.collect`). A collector made with
    ``media=True`` then downloads its channel's photos and documents not yet stored (see
    :mod:`workbench.collect.live.telegram_media`); what that did is the result's ``media``."""
    from workbench.collect.live import DEFAULT_MAX_WAIT_S, collect

    try:
        result = collect(case, collector, **run)
        if collector.media:
            from workbench.collect.live.telegram_media import download_telegram_media

            result.media = download_telegram_media(
                case, collector, max_bytes=collector.max_media_bytes,
                max_wait=run.get("max_wait", DEFAULT_MAX_WAIT_S), progress=run.get("progress", True))
        return result
    finally:
        collector.close()


def login(session: str | os.PathLike | None = None, *, api_id: int | str | None = None,
          api_hash: str | None = None) -> Path:
    """Log in once with your own Telegram account, interactively (phone, code, 2FA password are
    asked on the terminal), and save the session file (readable by you only) where the collector
    looks for it. Returns its path. Run it in a terminal, not in a notebook."""
    from telethon import TelegramClient

    path = session_path(session)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    api_id, api_hash = _credentials(api_id, api_hash)
    loop = Loop()
    try:
        async def start() -> None:
            client = TelegramClient(str(path), api_id, api_hash)
            await client.start()  # prompts for the phone number, the code and any password
            await client.disconnect()

        loop.run(start())
    finally:
        loop.stop()
    path.chmod(0o600)
    return path
