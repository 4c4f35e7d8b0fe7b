"""Telethon as the Telegram collector uses it: a private asyncio loop in a thread (the workbench is
synchronous, a Jupyter kernel has a loop of its own), a messages.getHistory request that keeps the
exact bytes of its result, requests that fail rather than wait on a lost connection, and
Telegram's own names of RPC errors."""

from __future__ import annotations

import asyncio
import contextlib
import threading

TIMEOUT_S = 30
CLOSE_TIMEOUT_S = 10


class Loop:
    """A private asyncio loop in a daemon thread; ``run`` waits for a coroutine's result."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="workbench-telegram",
                                       daemon=True)
        self.thread.start()

    def run(self, coro, timeout: float | None = None):
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except BaseException:
            future.cancel()
            raise

    def stop(self) -> None:
        if self.loop.is_running():
            with contextlib.suppress(Exception):
                self.run(cancel_tasks(), CLOSE_TIMEOUT_S)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)
        if not self.loop.is_running():
            self.loop.close()


def history_request():
    """A messages.getHistory request that keeps the exact bytes of its result as it reads them."""
    from telethon.tl.functions.messages import GetHistoryRequest

    class KeepingHistoryRequest(GetHistoryRequest):
        raw: bytes | None = None
        unreadable: bytes | None = None

        def read_result(self, reader):
            start = reader.tell_position()
            try:
                result = reader.tgread_object()
            except Exception:
                reader.set_position(start)
                self.unreadable = reader.read()
                raise
            self.raw = reader.get_bytes()[start:reader.tell_position()]
            return result

    return KeepingHistoryRequest


async def call(client, request):
    """Send a request (see :func:`within`)."""
    return await within(client, client(request), TIMEOUT_S)


async def within(client, step, timeout: float):
    """Await ``step`` (a request, a chunk of a download); fail (ConnectionError) when the
    connection is lost for good meanwhile, or (TimeoutError) when no answer comes in ``timeout``.

    Telethon leaves a request queued during a reconnection that then fails waiting forever;
    watching its ``disconnected`` future (and a time limit) ends the wait.
    """
    call = asyncio.ensure_future(step)
    gone = asyncio.ensure_future(client.disconnected)
    try:
        done, _ = await asyncio.wait({call, gone}, timeout=timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
    if call in done:
        return call.result()
    call.cancel()
    if gone in done:
        raise ConnectionError("the connection to Telegram was lost")
    raise TimeoutError(f"no answer from Telegram in {timeout}s")


def said(exc: Exception) -> str:
    """Telegram's own name of an RPC error (USERNAME_NOT_OCCUPIED ...), as the API docs list it."""
    from telethon.errors.rpcerrorlist import rpc_errors_dict

    name = next((key for key, cls in rpc_errors_dict.items() if type(exc) is cls), None)
    return name or getattr(exc, "message", None) or type(exc).__name__


async def cancel_tasks() -> None:
    """End what Telethon left running on the loop (its update and keep-alive tasks)."""
    tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def quietly_disconnect(client) -> None:
    with contextlib.suppress(Exception):  # the connection is being given up anyway
        await client.disconnect()


__all__ = ["Loop", "call", "cancel_tasks", "history_request", "quietly_disconnect", "said", "within"]
