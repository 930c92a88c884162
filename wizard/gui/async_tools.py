"""Run blocking core work off the GUI thread and bring its events back in batches.

docker, paramiko, ONNX and PIL calls block; they run in a thread pool (style rule 6). Their typed
events are collected by the worker into a deque and drained by a coroutine on the GUI thread every
``interval`` seconds, so a tool printing thousands of lines per second costs the GUI one batch per
tick instead of one cross-thread call per line. We keep our own asyncio Task so Cancel can reach it.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import logging
import threading
import time
from typing import Any, Callable, Iterable, Iterator

log = logging.getLogger(__name__)

# A few workers: a conversion, a thumbnail batch and a check can run at the same time.
EXECUTOR = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="wizard-work")


async def run_blocking(fn: Callable[..., Any], *args: Any) -> Any:
    """Await a blocking call made in the worker pool."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(EXECUTOR, lambda: fn(*args))


class EventPump:
    """Iterate a blocking event iterator in a worker thread; hand events to the GUI in batches."""

    def __init__(
        self,
        make_events: Callable[[], Iterable[Any]],
        on_batch: Callable[[list[Any]], None],
        *,
        cancel: Callable[[], None] | None = None,
        interval: float = 0.05,
        max_batch: int = 5000,
    ):
        self._make_events = make_events
        self._on_batch = on_batch
        self._cancel = cancel
        self._interval = interval
        self._max_batch = max_batch
        self._queue: collections.deque[Any] = collections.deque()
        self._stop = threading.Event()
        self.error: BaseException | None = None

    def _work(self) -> None:
        iterator: Iterator[Any] = iter(self._make_events())
        try:
            for event in iterator:
                self._queue.append(event)  # deque.append is thread-safe
                if self._stop.is_set():
                    break
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()  # run the generator's cleanup (finally blocks) in this thread

    def _drain(self) -> None:
        # Bounded per tick so a huge backlog is spread over ticks instead of one long stall.
        batch = []
        queue = self._queue
        while queue and len(batch) < self._max_batch:
            batch.append(queue.popleft())
        if batch:
            self._on_batch(batch)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        finished: asyncio.Future = loop.create_future()

        def settle(error: BaseException | None) -> None:
            if not finished.done():
                finished.set_result(error)

        def target() -> None:
            try:
                self._work()
            except BaseException as exc:  # noqa: BLE001 - handed to the GUI side
                loop.call_soon_threadsafe(settle, exc)
            else:
                loop.call_soon_threadsafe(settle, None)

        # A daemon thread, not the pool: a job left running when the window closes (it can be
        # re-attached later) must not keep the process alive waiting for its log stream.
        threading.Thread(target=target, name="wizard-events", daemon=True).start()
        try:
            while not finished.done():
                await asyncio.wait({finished}, timeout=self._interval)
                self._drain()
            while self._queue:
                self._drain()
                await asyncio.sleep(0)
            error = finished.result()
            if error is not None:
                self.error = error
                raise error
        except asyncio.CancelledError:
            # Our Task was cancelled (the Cancel button): stop the work for real, then wait for the
            # worker to unwind so no container or remote process is left behind.
            self._stop.set()
            if self._cancel is not None:
                await loop.run_in_executor(EXECUTOR, self._cancel)
            # Short waits rather than one 120 s timeout: qasync keeps a Qt timer per timeout
            # until it fires, even after the wait ended.
            deadline = time.monotonic() + 120
            while not finished.done() and time.monotonic() < deadline:
                await asyncio.wait({finished}, timeout=0.1)
            self._drain_all_quietly()
            raise

    def _drain_all_quietly(self) -> None:
        try:
            while self._queue:
                self._drain()
        except Exception:  # noqa: BLE001
            log.exception("while draining events after cancel")


async def ask(box) -> int:
    """Show a QMessageBox without a nested event loop (exec() inside a qasync task breaks the
    loop's task bookkeeping); returns the StandardButton the user clicked (NoButton if closed)."""
    loop = asyncio.get_running_loop()
    answer: asyncio.Future = loop.create_future()

    def finished(_result: int) -> None:
        if not answer.done():
            clicked = box.clickedButton()
            answer.set_result(int(box.standardButton(clicked)) if clicked is not None else 0)

    box.finished.connect(finished)
    box.open()
    value = await answer
    from PySide6.QtWidgets import QMessageBox

    return QMessageBox.StandardButton(value)


async def settled(task: "asyncio.Task | None") -> None:
    """Wait until ``task`` has ended, a cancel included (a page's wait after its Cancel)."""
    if task is not None:
        try:
            await task
        except asyncio.CancelledError:
            pass
