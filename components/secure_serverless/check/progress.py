"""A progress indicator on stderr: a live line on a terminal, plain lines when forced (--progress)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

_IRREGULAR = {"policy": "policies", "is": "are", "was": "were"}


def plural(count: int, noun: str) -> str:
    """``1 resource``, ``2 resources``, ``0 policies``: a count with its noun in the right number."""
    if count == 1:
        return f"{count} {noun}"
    head, _, last = noun.rpartition(" ")
    many = _IRREGULAR.get(last, last + "s")
    return f"{count} {head + ' ' if head else ''}{many}"


class Progress:
    """Phases with an optional counter. Silent unless enabled; never writes to stdout."""

    def __init__(self, enabled: bool, stream: TextIO | None = None, interval: float = 0.1) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.live = enabled and self.stream.isatty()
        self.interval = interval
        self._phase = ""
        self._last = 0.0
        self._started = time.monotonic()
        self._last_fraction = -1.0
        self._width = 0

    @classmethod
    def auto(cls, forced: bool, stream: TextIO | None = None) -> Progress:
        out = stream or sys.stderr
        return cls(forced or out.isatty(), out)

    def _write_live(self, text: str) -> None:
        padded = text.ljust(self._width)
        self._width = len(text)
        self.stream.write("\r" + padded)
        self.stream.flush()

    def phase(self, name: str) -> None:
        if not self.enabled:
            return
        self._end_live_line()
        self._phase = name
        self._last_fraction = -1.0
        elapsed = time.monotonic() - self._started
        if self.live:
            self._write_live(f"[{elapsed:5.1f}s] {name}...")
        else:
            self.stream.write(f"[{elapsed:5.1f}s] {name}...\n")
            self.stream.flush()

    def update(self, done: int, total: int | None = None) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        final = total is not None and done >= total
        if self.live:
            if not final and now - self._last < self.interval:
                return
            self._last = now
            count = f"{done}/{total}" if total else str(done)
            self._write_live(f"[{now - self._started:5.1f}s] {self._phase}... {count}")
            return
        # Plain lines: at most one per 10 % step.
        if not total:
            return
        fraction = done / total
        if fraction - self._last_fraction >= 0.1 or final:
            self._last_fraction = fraction
            self.stream.write(f"[{now - self._started:5.1f}s] {self._phase}: {done}/{total}\n")
            self.stream.flush()

    def _end_live_line(self) -> None:
        if self.live and self._width:
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0

    def done(self, message: str = "done") -> None:
        if not self.enabled:
            return
        self._end_live_line()
        elapsed = time.monotonic() - self._started
        self.stream.write(f"[{elapsed:5.1f}s] {message}\n")
        self.stream.flush()
