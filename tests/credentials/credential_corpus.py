"""The labelled corpus of environment variables (tests/credentials/corpus.json) and its scoring.

Each entry: ``name``, ``value``, ``secret`` (the label), ``family`` (what kind of value it is) and an
optional ``note``. Secrets are fakes in the real formats (generated keys, random tokens), never real
credentials.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

CORPUS_PATH = Path(__file__).resolve().parent / "corpus.json"


@dataclass(frozen=True)
class Entry:
    name: str
    value: str
    secret: bool
    family: str
    note: str = ""


@dataclass(frozen=True)
class Score:
    true_positives: int
    false_negatives: tuple[Entry, ...]
    false_positives: tuple[Entry, ...]

    @property
    def recall(self) -> float:
        return self.true_positives / (self.true_positives + len(self.false_negatives))

    @property
    def precision(self) -> float:
        flagged = self.true_positives + len(self.false_positives)
        return self.true_positives / flagged if flagged else 1.0


def load() -> list[Entry]:
    return [Entry(**item) for item in json.loads(CORPUS_PATH.read_text(encoding="utf-8"))]


def score(entries: Iterable[Entry], flags: Callable[[str, str], bool]) -> Score:
    hits, missed, wrong = 0, [], []
    for entry in entries:
        flagged = flags(entry.name, entry.value)
        if entry.secret and flagged:
            hits += 1
        elif entry.secret:
            missed.append(entry)
        elif flagged:
            wrong.append(entry)
    return Score(hits, tuple(missed), tuple(wrong))
