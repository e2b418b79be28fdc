"""Write-behind for the survey's answers: each answer a respondent gives is handed to one writer
thread per process, which saves every answer given in the last moment in one transaction.

Why: a room of phones gives about one answer per respondent every few seconds — 500 respondents
about 170 a second. One write transaction per answer costs the server's one Python process more
than the answer's own page update; one transaction per batch (at most every `INTERVAL` seconds)
costs a fraction of that, and the respondent never waits for the database.

The promise holds: an answer reaches the database within about `INTERVAL` seconds of being given,
whether or not the respondent presses Next or closes the tab; a resume in this process first waits
for the answers still queued (`flush`), and the process writes what is queued before it exits.
An answer that cannot be saved (the campaign closed, the response already sent) is dropped here:
the page change that follows saves the whole page and shows the reason. A busy database is tried
again, up to `RETRIES` times.

References: the write-behind pattern (Fowler, *Patterns of Enterprise Application Architecture*,
"Unit of Work"); `assessment.survey.responding.save_given_answers` does the batch.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import time
from dataclasses import dataclass, field

from assessment.campaigns.store import Store
from assessment.errors import DatabaseUnavailableError
from assessment.survey.responding import GivenAnswer, save_given_answers

#: Seconds an answer may wait for the answers given just after it, before its batch is written.
INTERVAL = 0.2
#: How often a batch is tried again while the database is busy (then the page change saves it).
RETRIES = 5
#: The most answers written in one transaction.
BATCH = 500

_log = logging.getLogger(__name__)


@dataclass
class _Flush:
    """A marker in the queue: set once everything queued before it was written (or given up)."""

    done: threading.Event = field(default_factory=threading.Event)


class AnswerWriter:
    """One queue and one daemon thread that write the answers given, in batches, in order."""

    def __init__(self, interval: float = INTERVAL) -> None:
        self.interval = interval
        self._queue: queue.SimpleQueue[tuple[Store, GivenAnswer] | _Flush] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def give(self, db: Store, answer: GivenAnswer) -> None:
        """Queue ``answer`` to be saved to ``db`` within about `interval` seconds."""
        self._start()
        self._queue.put((db, answer))

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every answer queued so far is written; False if that took over ``timeout``."""
        if self._thread is None:
            return True
        marker = _Flush()
        self._queue.put(marker)
        return marker.done.wait(timeout)

    def _start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="wmm-answer-writer", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if not isinstance(first, _Flush):
                time.sleep(self.interval)  # let the answers given meanwhile join this batch
            items = [first]
            while len(items) < BATCH:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._write(items)

    def _write(self, items: list[tuple[Store, GivenAnswer] | _Flush]) -> None:
        """Write the answers among ``items`` (per database, in their order); release the markers
        once the answers before them are written."""
        pending: list[tuple[Store, GivenAnswer]] = []
        for item in items:
            if isinstance(item, _Flush):
                self._save(pending)
                pending = []
                item.done.set()
            else:
                pending.append(item)
        self._save(pending)

    def _save(self, pending: list[tuple[Store, GivenAnswer]]) -> None:
        by_db: dict[int, tuple[Store, list[GivenAnswer]]] = {}
        for db, answer in pending:
            by_db.setdefault(id(db), (db, []))[1].append(answer)
        for db, answers in by_db.values():
            for attempt in range(RETRIES + 1):
                try:
                    refused = save_given_answers(db, answers)
                except DatabaseUnavailableError:
                    if attempt == RETRIES:
                        _log.warning(
                            "database busy: %d answers left to the page's save", len(answers)
                        )
                    else:
                        time.sleep(self.interval * (attempt + 1))
                        continue
                except Exception:  # never let the writer thread die: the page's save remains
                    _log.exception("could not save %d answers", len(answers))
                else:
                    if refused:
                        _log.info("%d answers refused (left to the page's save)", len(refused))
                break


#: The process's writer.
WRITER = AnswerWriter()
atexit.register(WRITER.flush)


def give_answer(db: Store, answer: GivenAnswer) -> None:
    """Save ``answer`` behind the scenes, within about `INTERVAL` seconds (`AnswerWriter.give`)."""
    WRITER.give(db, answer)


def flush_answers(timeout: float = 10.0) -> bool:
    """Wait until every answer given in this process so far is saved (`AnswerWriter.flush`)."""
    return WRITER.flush(timeout)
