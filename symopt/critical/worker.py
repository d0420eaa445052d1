"""A killable worker: run a generator in a forked child and keep what it yields by a deadline.

A call that never returns (SymPy's ``solve`` on a hard system) cannot be interrupted from a
thread, but a process can be killed.  :func:`run_killable` forks, lets the child run the
generator and send back each item as it is yielded, and kills the child when it finishes or
the deadline passes.  The caller always gets one of three typed outcomes, each holding the
items that arrived in time:

* :class:`Finished` -- the generator ran to its end;
* :class:`TimedOut` -- the deadline passed first (the child was killed);
* :class:`Failed` -- the generator raised (``error`` says what) or the child died.

Items travel pickled, so they must pickle (SymPy objects do); the outcomes themselves are
frozen dataclasses and pickle too.  This module knows nothing of the mathematics.

>>> import time
>>> def count():
...     yield from range(3)
>>> run_killable(count, deadline=time.monotonic() + 10)
Finished(items=(0, 1, 2))
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeAlias

__all__ = ["Failed", "Finished", "Outcome", "TimedOut", "run_killable"]


@dataclass(frozen=True)
class Finished:
    """The generator ran to its end; ``items`` is everything it yielded."""

    items: tuple[Any, ...] = ()


@dataclass(frozen=True)
class TimedOut:
    """The deadline passed first; ``items`` is what was yielded before it."""

    items: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Failed:
    """The generator raised, or the child died; ``error`` is ``"Type: message"``."""

    items: tuple[Any, ...]
    error: str


Outcome: TypeAlias = Finished | TimedOut | Failed


# -- what the child writes into the pipe -------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    value: Any


@dataclass(frozen=True)
class _Done:
    pass


@dataclass(frozen=True)
class _Raised:
    error: str


_HEADER = struct.Struct("<Q")  # the length of the pickled message that follows


def run_killable(generator: Callable[..., Iterator[Any]], *args: Any, deadline: float) -> Outcome:
    """Run ``generator(*args)`` in a forked child; collect its items until ``deadline``
    (a :func:`time.monotonic` time), then kill the child.

    Without ``os.fork`` (Windows) the generator runs in a daemon thread that is abandoned,
    not killed, at the deadline.
    """
    if deadline - time.monotonic() <= 0:
        return TimedOut()
    if not hasattr(os, "fork"):  # pragma: no cover - exercised on Windows only
        return _run_in_thread(generator, args, deadline)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(generator, args, write_end)
    os.close(write_end)
    try:
        return _collect(read_end, deadline)
    finally:
        os.close(read_end)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:  # pragma: no cover - already gone
            pass
        os.waitpid(pid, 0)


def _child(generator: Callable[..., Iterator[Any]], args: tuple, fd: int) -> None:
    status = 0
    try:
        with os.fdopen(fd, "wb", buffering=0) as out:

            def send(message: _Item | _Done | _Raised) -> None:
                data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
                out.write(_HEADER.pack(len(data)) + data)

            try:
                for item in generator(*args):
                    send(_Item(item))
                send(_Done())
            except BaseException as error:  # report everything, then leave
                send(_Raised(f"{type(error).__name__}: {error}"))
    except BaseException:
        status = 1
    finally:
        os._exit(status)  # skip the parent's atexit handlers and buffered output


def _collect(fd: int, deadline: float) -> Outcome:
    buffer, items = b"", []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return TimedOut(tuple(items))
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return TimedOut(tuple(items))
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return Failed(tuple(items), "the worker process died")
        buffer += chunk
        while len(buffer) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(buffer)
            if len(buffer) < _HEADER.size + size:
                break
            message = pickle.loads(buffer[_HEADER.size : _HEADER.size + size])
            buffer = buffer[_HEADER.size + size :]
            match message:
                case _Item(value):
                    items.append(value)
                case _Done():
                    return Finished(tuple(items))
                case _Raised(error):
                    return Failed(tuple(items), error)


def _run_in_thread(generator, args, deadline) -> Outcome:  # pragma: no cover - no fork
    items: list[Any] = []
    ended: list[Outcome] = []

    def work() -> None:
        try:
            for item in generator(*args):
                items.append(item)
            ended.append(Finished())
        except Exception as error:
            ended.append(Failed((), f"{type(error).__name__}: {error}"))

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(max(0.0, deadline - time.monotonic()))
    kept = tuple(items)
    if not ended:
        return TimedOut(kept)
    return Finished(kept) if isinstance(ended[0], Finished) else Failed(kept, ended[0].error)
