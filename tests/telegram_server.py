"""A Telegram data centre on 127.0.0.1 for the live Telegram tests: MTProto 2.0 over TCP.

It speaks the real wire format, built from Telethon's own TL classes (``telethon.tl.functions`` /
``types``, their ``_bytes()``, ``BinaryReader``) and crypto (``telethon.crypto``: AES IGE,
``AuthKey``), so the unmodified Telethon client cannot tell it from a data centre. Each part
follows a page of the MTProto documentation:

- Transport: https://core.telegram.org/mtproto/mtproto-transports#full -- every packet is
  ``length:int32 seqno:int32 payload crc32:uint32`` (the length counts all four; the CRC covers
  the first three); each side numbers its own packets from 0.
- Encryption: https://core.telegram.org/mtproto/description -- ``auth_key_id msg_key
  encrypted_data``; plaintext ``salt session_id msg_id seq_no length body padding`` (12 to 1024
  random bytes, to a multiple of 16); ``msg_key = SHA256(auth_key[88+x:120+x] + plaintext)[8:24]``
  and the AES-256-IGE key and IV from ``msg_key`` and ``auth_key`` with x = 0 from the client and
  x = 8 from the server (section "Defining AES Key and Initialization Vector").
- Message ids and sequence numbers: https://core.telegram.org/mtproto/description#message-identifier-msg-id
  -- server ids are the Unix time * 2^32, odd (1 mod 4 for responses); ``seq_no`` is twice the
  number of content-related messages sent before, plus one if this one is content-related.
- Service messages: https://core.telegram.org/mtproto/service_messages and
  https://core.telegram.org/mtproto/service_messages_about_messages -- ``new_session_created``
  on a session's first message, ``bad_server_salt`` (error 48) when the client's salt is not the
  server's, ``msg_container`` (both ways), ``msgs_ack``, ``rpc_result``, ``rpc_error``,
  ``gzip_packed`` (both ways: results over 512 bytes are packed), ``ping`` and
  ``ping_delay_disconnect`` answered by ``pong``.
- Errors: https://core.telegram.org/api/errors -- ``rpc_error`` with 420 ``FLOOD_WAIT_X``, 401
  ``AUTH_KEY_UNREGISTERED``, 400 ``USERNAME_NOT_OCCUPIED`` / ``USERNAME_INVALID`` /
  ``CHANNEL_PRIVATE``.
- Methods: https://core.telegram.org/method/invokeWithLayer, /method/initConnection (a
  ``Config`` for ``help.getConfig``), /method/users.getUsers, /method/updates.getState,
  /method/contacts.resolveUsername, /method/messages.getHistory with the paging of
  https://core.telegram.org/api/offsets (``offset_id``, ``add_offset``, ``limit``, ``max_id``,
  ``min_id``), and /method/upload.getFile as https://core.telegram.org/api/files says (an
  ``InputPhotoFileLocation`` or ``InputDocumentFileLocation``; ``offset`` and ``limit``
  divisible by 4 KB, 1 MB divisible by ``limit``, a part never crossing a 1 MB boundary; an
  ``upload.file`` with its ``storage.FileType``; ``FILE_REFERENCE_EXPIRED`` for a stale
  reference, ``LIMIT_INVALID`` / ``OFFSET_INVALID`` for bad parts).

No key exchange: the test writes the client's session file already holding the auth key this
server shares (https://core.telegram.org/mtproto/auth_key is skipped, not imitated).
"""

from __future__ import annotations

import contextlib
import gzip
import os
import re
import socket
import socketserver
import struct
import threading
import time
from datetime import UTC, datetime
from hashlib import sha256
from zlib import crc32

from telethon.crypto import AES, AuthKey
from telethon.extensions import BinaryReader
from telethon.sessions import SQLiteSession
from telethon.tl import functions, types
from telethon.tl.core import GzipPacked, MessageContainer
from telethon.tl.functions import (
    InitConnectionRequest,
    InvokeAfterMsgRequest,
    InvokeWithLayerRequest,
    InvokeWithoutUpdatesRequest,
)

HOST = "127.0.0.1"
DC_ID = 2
RPC_RESULT = 0xF35C6D01
VECTOR = 0x1CB5C415
MSGS_ACK = 0x62D6B459
PING = 0x7ABE77EC
PING_DELAY_DISCONNECT = 0xF3427B8C
CHANNEL_ID = 1234567890
CHANNEL_HASH = 987654321
SELF_ID = 4242
BASE_DATE = 1_700_000_000
GZIP_OVER = 512
_USERNAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]{3,31}$")


def message(n: int, *, channel: int = CHANNEL_ID, **extra) -> types.Message:
    """Channel post ``n`` (ids 1, 2, ...), an hour apart, with a hashtag, a mention and a link."""
    text = f"Water rising 🌊, post {n} #flood @someone https://example.org/{n}"
    wide = len(f"Water rising 🌊, post {n} ".encode("utf-16-le")) // 2  # offsets count UTF-16 units
    entities = [types.MessageEntityHashtag(wide, 6), types.MessageEntityMention(wide + 7, 8),
                types.MessageEntityUrl(wide + 16, len(f"https://example.org/{n}"))]
    fields = {"message": text, "entities": entities,
              "date": datetime.fromtimestamp(BASE_DATE + n * 3600, UTC), "post": True,
              "views": 100 + n, "forwards": n % 3}
    fields.update(extra)
    return types.Message(id=n, peer_id=types.PeerChannel(channel), **fields)


def channel(username: str = "floodwatch", *, ident: int = CHANNEL_ID,
            access_hash: int = CHANNEL_HASH, title: str = "Flood Watch") -> types.Channel:
    return types.Channel(id=ident, title=title, photo=types.ChatPhotoEmpty(),
                         date=datetime.fromtimestamp(BASE_DATE, UTC), broadcast=True,
                         access_hash=access_hash, username=username)


def config(port: int) -> types.Config:
    """The ``Config`` a data centre answers ``help.getConfig`` with: this server as DC 2."""
    now = int(time.time())
    return types.Config(
        date=datetime.fromtimestamp(now, UTC), expires=datetime.fromtimestamp(now + 3600, UTC),
        test_mode=False, this_dc=DC_ID,
        dc_options=[types.DcOption(id=DC_ID, ip_address=HOST, port=port)],
        dc_txt_domain_name="localhost", chat_size_max=200, megagroup_size_max=200000,
        forwarded_count_max=100, online_update_period_ms=210000, offline_blur_timeout_ms=5000,
        offline_idle_timeout_ms=30000, online_cloud_timeout_ms=300000,
        notify_cloud_delay_ms=30000, notify_default_delay_ms=1500, push_chat_period_ms=60000,
        push_chat_limit=2, edit_time_limit=172800, revoke_time_limit=2147483647,
        revoke_pm_time_limit=2147483647, rating_e_decay=2419200, stickers_recent_limit=200,
        channels_read_media_period=604800, call_receive_timeout_ms=20000,
        call_ring_timeout_ms=90000, call_connect_timeout_ms=30000, call_packet_timeout_ms=10000,
        me_url_prefix="https://t.me/", caption_length_max=1024, message_length_max=4096,
        webfile_dc_id=4)


class RpcFault(Exception):
    """An ``rpc_error`` to answer with."""

    def __init__(self, code: int, text: str):
        super().__init__(text)
        self.code, self.text = code, text


class TelegramServer:
    """The data centre's state: one auth key, channels, their histories, faults to inject.

    ``faults`` applies to ``messages.getHistory`` calls in order: None answers normally, an
    ``(code, "TEXT")`` pair answers with that ``rpc_error``, ``b"..."`` answers with those bytes as
    the result (a malformed page), a function is called first (e.g. slowly) and the page answered.
    """

    def __init__(self):
        self.auth_key = AuthKey(os.urandom(256))
        self.salt = struct.unpack("<q", os.urandom(8))[0]
        self.channels: dict[str, types.Channel] = {"floodwatch": channel()}
        self.history: dict[int, list] = {CHANNEL_ID: [message(n) for n in range(1, 13)]}
        self.users: list[types.User] = []  # senders the pages name (a group's members)
        self.private: set[int] = set()
        self.unregistered = False  # answer 401 AUTH_KEY_UNREGISTERED to everything but getConfig
        self.faults: list = []
        self.calls: list[str] = []  # every RPC, by TL name
        self.histories: list[functions.messages.GetHistoryRequest] = []
        self.pages: list[bytes] = []  # the result bytes of each messages.getHistory answered
        # files by ("photo" or "document", id): (access_hash, file_reference, bytes, storage type,
        # the photo size served, or "" for a document)
        self.files: dict[tuple[str, int], tuple[int, bytes, bytes, object, str]] = {}
        self.file_faults: list = []  # as faults (but bytes), for upload.getFile calls
        self.gets: list[functions.upload.GetFileRequest] = []
        self.connections = 0
        self.sockets: list = []
        self._server: socketserver.ThreadingTCPServer | None = None

    # --- running ---------------------------------------------------------------------------

    def start(self) -> TelegramServer:
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                outer.connections += 1
                outer.sockets.append(self.request)
                _Connection(outer, self.request).serve()

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer((HOST, 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def stop(self) -> None:
        """Stop listening, then drop every open connection (the network is gone)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def write_session(self, path: str, *, port: int | None = None) -> str:
        """A Telethon session file holding this server's auth key, DC 2 at 127.0.0.1:port."""
        session = SQLiteSession(str(path))
        session.set_dc(DC_ID, HOST, port or self.port)
        session.auth_key = AuthKey(self.auth_key.key)
        session.save()
        session.close()
        return session.filename

    def add(self, messages: list, channel_id: int = CHANNEL_ID) -> None:
        self.history[channel_id] = self.history[channel_id] + list(messages)

    # --- the API methods -------------------------------------------------------------------

    def answer(self, request, port: int) -> bytes:
        """The TL bytes of the result of one (unwrapped) request, or RpcFault."""
        name = type(request).__name__
        self.calls.append(name)
        if isinstance(request, functions.help.GetConfigRequest):
            return bytes(config(port))
        if self.unregistered:
            raise RpcFault(401, "AUTH_KEY_UNREGISTERED")
        if isinstance(request, functions.users.GetUsersRequest):
            me = types.User(id=SELF_ID, is_self=True, access_hash=1, first_name="Analyst")
            return _vector([me])
        if isinstance(request, functions.updates.GetStateRequest):
            return bytes(types.updates.State(pts=1, qts=0, date=datetime.now(UTC), seq=1,
                                             unread_count=0))
        if isinstance(request, functions.updates.GetDifferenceRequest):
            return bytes(types.updates.DifferenceEmpty(date=datetime.now(UTC), seq=1))
        if isinstance(request, functions.contacts.ResolveUsernameRequest):
            return self._resolve(request.username)
        if isinstance(request, functions.messages.GetHistoryRequest):
            return self._history(request)
        if isinstance(request, functions.upload.GetFileRequest):
            return self._get_file(request)
        raise RpcFault(400, "METHOD_NOT_IMPLEMENTED_IN_TEST_SERVER")

    def _resolve(self, username: str) -> bytes:
        if not _USERNAME.match(username or ""):
            raise RpcFault(400, "USERNAME_INVALID")
        found = self.channels.get(username.lower())
        if found is None:
            raise RpcFault(400, "USERNAME_NOT_OCCUPIED")
        return bytes(types.contacts.ResolvedPeer(peer=types.PeerChannel(found.id), chats=[found],
                                                 users=[]))

    def _history(self, request) -> bytes:
        self.histories.append(request)
        fault = self.faults.pop(0) if self.faults else None
        if callable(fault):  # something happens meanwhile (then the page is answered)
            fault()
            fault = None
        if isinstance(fault, tuple):
            raise RpcFault(*fault)
        if isinstance(fault, bytes):
            self.pages.append(fault)
            return fault
        peer = request.peer
        known = next((c for c in self.channels.values() if isinstance(peer, types.InputPeerChannel)
                      and c.id == peer.channel_id), None)
        if known is None or known.access_hash != peer.access_hash:
            raise RpcFault(400, "CHANNEL_INVALID")
        if known.id in self.private:
            raise RpcFault(400, "CHANNEL_PRIVATE")
        # https://core.telegram.org/api/offsets: newest first; min_id/max_id bound the ids; the
        # slice starts add_offset places from the first message older than offset_id.
        messages = sorted(self.history[known.id], key=lambda m: -m.id)
        if request.min_id:
            messages = [m for m in messages if m.id > request.min_id]
        if request.max_id:
            messages = [m for m in messages if m.id < request.max_id]
        start = 0
        if request.offset_id:
            start = next((i for i, m in enumerate(messages) if m.id < request.offset_id),
                         len(messages))
        start += request.add_offset
        end = start + request.limit
        page = messages[max(start, 0):max(end, 0)]
        users = [u for u in self.users if any(getattr(m, "from_id", None) == types.PeerUser(u.id)
                                              for m in page)]
        result = bytes(types.messages.ChannelMessages(
            pts=len(self.history[known.id]) + 1, count=len(self.history[known.id]),
            messages=page, topics=[], chats=[known], users=users))
        self.pages.append(result)
        return result


    def _get_file(self, request) -> bytes:
        self.gets.append(request)
        fault = self.file_faults.pop(0) if self.file_faults else None
        if callable(fault):  # something happens meanwhile (then the part is answered)
            fault()
        if isinstance(fault, tuple):
            raise RpcFault(*fault)
        where = request.location
        if isinstance(where, types.InputPhotoFileLocation):
            kind, size = "photo", where.thumb_size
        elif isinstance(where, types.InputDocumentFileLocation):
            kind, size = "document", where.thumb_size
        else:
            raise RpcFault(400, "LOCATION_INVALID")
        known = self.files.get((kind, where.id))
        if known is None or known[0] != where.access_hash or known[4] != size:
            raise RpcFault(400, "LOCATION_INVALID")
        access_hash, reference, data, storage, _ = known
        if where.file_reference != reference:
            raise RpcFault(400, "FILE_REFERENCE_EXPIRED")
        offset, limit = request.offset, request.limit
        if limit <= 0 or limit % 4096 or (1 << 20) % limit:
            raise RpcFault(400, "LIMIT_INVALID")
        if offset < 0 or offset % 4096 or offset >> 20 != (offset + limit - 1) >> 20:
            raise RpcFault(400, "OFFSET_INVALID")
        return bytes(types.upload.File(type=storage, mtime=BASE_DATE,
                                       bytes=data[offset:offset + limit]))


def _vector(objects: list) -> bytes:
    return struct.pack("<Ii", VECTOR, len(objects)) + b"".join(bytes(o) for o in objects)


class _Connection:
    """One TCP connection: the full transport, MTProto 2.0 encryption, one session."""

    def __init__(self, server: TelegramServer, sock):
        self.server, self.sock = server, sock
        self.port = sock.getsockname()[1]
        self.key = server.auth_key.key
        self.session_id: int | None = None
        self.out_packets = 0
        self.in_packets = 0
        self.content_sent = 0
        self.last_msg_id = 0

    # transport (mtproto-transports#full)

    def _read(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("client closed the connection")
            data += chunk
        return data

    def serve(self) -> None:
        try:
            while True:
                head = self._read(8)
                length, seq = struct.unpack("<ii", head)
                rest = self._read(length - 8)
                body, crc = rest[:-4], struct.unpack("<I", rest[-4:])[0]
                if crc != crc32(head + body) or seq != self.in_packets:
                    return  # a real server drops such a connection
                self.in_packets += 1
                self._received(body)
        except (ConnectionError, OSError):
            return

    def _send_packet(self, payload: bytes) -> None:
        head = struct.pack("<ii", len(payload) + 12, self.out_packets)
        self.out_packets += 1
        self.sock.sendall(head + payload + struct.pack("<I", crc32(head + payload)))

    # encryption (mtproto/description)

    def _aes(self, msg_key: bytes, x: int) -> tuple[bytes, bytes]:
        a = sha256(msg_key + self.key[x:x + 36]).digest()
        b = sha256(self.key[x + 40:x + 76] + msg_key).digest()
        return a[:8] + b[8:24] + a[24:32], b[:8] + a[8:24] + b[24:32]

    def _received(self, payload: bytes) -> None:
        key_id, msg_key = struct.unpack("<Q", payload[:8])[0], payload[8:24]
        if key_id != self.server.auth_key.key_id:
            self._send_packet(struct.pack("<i", -404))  # unknown auth key: the transport error
            return
        aes_key, aes_iv = self._aes(msg_key, 0)
        plain = AES.decrypt_ige(payload[24:], aes_key, aes_iv)
        if sha256(self.key[88:120] + plain).digest()[8:24] != msg_key:
            return  # security guidelines: drop a message whose msg_key does not match
        salt, session_id, msg_id, seq_no, length = struct.unpack("<qqqii", plain[:32])
        body = plain[32:32 + length]
        replies: list[tuple[bytes, bool]] = []
        if salt != self.server.salt:
            replies.append((bytes(types.BadServerSalt(msg_id, seq_no, 48, self.server.salt)),
                            False))
        else:
            if self.session_id != session_id:
                self.session_id = session_id
                replies.append((bytes(types.NewSessionCreated(
                    first_msg_id=msg_id, unique_id=struct.unpack("<q", os.urandom(8))[0],
                    server_salt=self.server.salt)), False))
            acks: list[int] = []
            self._message(msg_id, seq_no, body, replies, acks)
            if acks:
                replies.insert(0, (bytes(types.MsgsAck(acks)), False))
        self._send(replies, session_id)

    def _message(self, msg_id: int, seq_no: int, body: bytes, replies: list, acks: list) -> None:
        code = struct.unpack("<I", body[:4])[0]
        if code == MessageContainer.CONSTRUCTOR_ID:
            reader = BinaryReader(body[4:])
            for _ in range(reader.read_int()):
                inner_id, inner_seq, size = reader.read_long(), reader.read_int(), reader.read_int()
                self._message(inner_id, inner_seq, reader.read(size), replies, acks)
            return
        if code == GzipPacked.CONSTRUCTOR_ID:
            self._message(msg_id, seq_no, gzip.decompress(BinaryReader(body[4:]).tgread_bytes()),
                          replies, acks)
            return
        if code == MSGS_ACK:
            return
        if seq_no % 2:
            acks.append(msg_id)
        request = BinaryReader(body).tgread_object()
        if code in (PING, PING_DELAY_DISCONNECT):
            replies.append((bytes(types.Pong(msg_id, request.ping_id)), True))
            return
        while isinstance(request, InvokeWithLayerRequest | InitConnectionRequest
                         | InvokeWithoutUpdatesRequest | InvokeAfterMsgRequest):
            request = request.query
        try:
            result = self.server.answer(request, self.port)
        except RpcFault as fault:
            result = bytes(types.RpcError(fault.code, fault.text))
        if len(result) > GZIP_OVER:  # as Telegram does, large results travel gzip_packed
            result = bytes(GzipPacked(result))
        replies.append((struct.pack("<Iq", RPC_RESULT, msg_id) + result, True))

    def _send(self, replies: list[tuple[bytes, bool]], session_id: int) -> None:
        if not replies:
            return
        if len(replies) == 1:
            body, content = replies[0]
            msg_id, seq_no = self._ids(content)
        else:  # several at once travel in one msg_container
            parts = []
            for body, content in replies:
                inner_id, inner_seq = self._ids(content)
                parts.append(struct.pack("<qii", inner_id, inner_seq, len(body)) + body)
            body = struct.pack("<Ii", MessageContainer.CONSTRUCTOR_ID, len(parts)) + b"".join(parts)
            msg_id, seq_no = self._ids(False)
        plain = struct.pack("<qqqii", self.server.salt, session_id, msg_id, seq_no, len(body)) + body
        plain += os.urandom(-(len(plain) + 12) % 16 + 12)
        msg_key = sha256(self.key[96:128] + plain).digest()[8:24]
        aes_key, aes_iv = self._aes(msg_key, 8)
        self._send_packet(struct.pack("<Q", self.server.auth_key.key_id) + msg_key
                          + AES.encrypt_ige(plain, aes_key, aes_iv))

    def _ids(self, content_related: bool) -> tuple[int, int]:
        now = time.time()
        msg_id = (int(now) << 32) | ((int((now % 1) * 2**30) << 2) & 0xFFFFFFFC) | 1
        if msg_id <= self.last_msg_id:
            msg_id = self.last_msg_id + 4
        self.last_msg_id = msg_id
        seq_no = self.content_sent * 2 + (1 if content_related else 0)
        if content_related:
            self.content_sent += 1
        return msg_id, seq_no
