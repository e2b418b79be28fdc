"""The questionnaire versions available to the toolkit, and the lock that keeps published ones immutable.

Files live at ``<root>/<id>/<version>.yaml``; ``<root>/published.lock`` holds their sha256 in the format of
``sha256sum`` (so ``cd questionnaires && sha256sum -c published.lock`` checks it too).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from assessment.errors import (
    PublishedFileChangedError,
    QuestionnaireError,
    UnknownQuestionnaireError,
)
from assessment.questionnaire.loader import validate_file
from assessment.questionnaire.model import Questionnaire

LOCK_NAME = "published.lock"


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def parse_key(key: str) -> tuple[str, str]:
    """Split ``id@version``; a malformed key raises `UnknownQuestionnaireError` with the expected form."""
    qid, sep, version = key.partition("@")
    if not sep or not qid or not version:
        raise UnknownQuestionnaireError(
            f"expected a questionnaire as ID@VERSION (e.g. work-management@1.0.0), found {key!r}"
        )
    return qid, version


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Entry:
    """One questionnaire file of the registry."""

    id: str
    version: str
    path: Path

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"


class Registry:
    """The questionnaire files under one root folder, loaded and validated on first use."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, Questionnaire] = {}

    @property
    def lock_path(self) -> Path:
        return self.root / LOCK_NAME

    def entries(self) -> list[Entry]:
        """Every ``<id>/<version>.yaml`` file, ordered by id and version."""
        found = []
        for path in self.root.glob("*/*.yaml"):
            if path.parent.name == "schema":
                continue
            try:
                _version_key(path.stem)
            except ValueError:
                continue
            found.append(Entry(path.parent.name, path.stem, path))
        return sorted(found, key=lambda e: (e.id, _version_key(e.version)))

    def keys(self) -> list[str]:
        return [e.key for e in self.entries()]

    def entry(self, key: str) -> Entry:
        qid, version = parse_key(key)
        path = self.root / qid / f"{version}.yaml"
        if not path.is_file():
            available = ", ".join(self.keys()) or "none"
            raise UnknownQuestionnaireError(
                f"unknown questionnaire {key!r}; available: {available}"
            )
        return Entry(qid, version, path)

    def get(self, key: str) -> Questionnaire:
        """The questionnaire ``id@version``, validated; raises if unknown or invalid."""
        if key not in self._cache:
            entry = self.entry(key)
            # Published files (their sha256 in the lock) parse faster; all are validated in full.
            report = validate_file(entry.path, trusted=self._published_digests())
            if report.questionnaire is None:
                raise QuestionnaireError(
                    f"{entry.path}: questionnaire {key} is invalid", report.problems
                )
            self._cache[key] = report.questionnaire
        return self._cache[key]

    def sha256(self, key: str) -> str:
        return file_sha256(self.entry(key).path)

    def latest(self, questionnaire_id: str) -> Questionnaire:
        versions = [e for e in self.entries() if e.id == questionnaire_id]
        if not versions:
            raise UnknownQuestionnaireError(f"no questionnaire with id {questionnaire_id!r}")
        return self.get(versions[-1].key)

    def previous_of(self, questionnaire: Questionnaire) -> Questionnaire | None:
        """The version a questionnaire's crosswalk starts from, when it is available."""
        if questionnaire.crosswalk is None:
            return None
        key = f"{questionnaire.id}@{questionnaire.crosswalk.previous}"
        if key not in self.keys():
            return None
        return self.get(key)

    # -- the lock -------------------------------------------------------------------------------

    def read_lock(self) -> dict[str, str]:
        """Relative path -> sha256 of every published file."""
        if not self.lock_path.is_file():
            return {}
        locked: dict[str, str] = {}
        for number, line in enumerate(self.lock_path.read_text("utf-8").splitlines(), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            digest, _, name = line.partition("  ")
            if len(digest) != 64 or not name:
                raise PublishedFileChangedError(
                    f"{self.lock_path}:{number}: expected '<sha256>  <id>/<version>.yaml', found {line!r}"
                )
            locked[name.strip()] = digest
        return locked

    def _published_digests(self) -> set[str]:
        """The sha256 of every published file; none when the lock is unreadable (`check_lock`
        and `publish` report that)."""
        try:
            return set(self.read_lock().values())
        except PublishedFileChangedError:
            return set()

    def is_published(self, key: str) -> bool:
        entry = self.entry(key)
        return entry.path.relative_to(self.root).as_posix() in self.read_lock()

    def check_lock(self) -> list[str]:
        """Messages for every published file that is missing or changed (empty when all is well)."""
        messages = []
        for name, digest in self.read_lock().items():
            path = self.root / name
            if not path.is_file():
                messages.append(f"{name}: published but missing")
            elif file_sha256(path) != digest:
                messages.append(
                    f"{name}: changed after publication (sha256 {file_sha256(path)}, published "
                    f"{digest}); published versions are immutable, write a new version instead"
                )
        return messages

    def publish(self, path: Path) -> str:
        """Add a valid file to the lock and return its sha256; refuse one already published."""
        path = path.resolve()
        try:
            name = path.relative_to(self.root.resolve()).as_posix()
        except ValueError:
            raise PublishedFileChangedError(
                f"{path}: only files inside {self.root} can be published"
            ) from None
        report = validate_file(path)
        if report.questionnaire is None:
            raise QuestionnaireError(
                f"{path}: cannot publish an invalid questionnaire", report.problems
            )
        locked = self.read_lock()
        digest = file_sha256(path)
        if name in locked:
            if locked[name] == digest:
                raise PublishedFileChangedError(f"{name} is already published")
            raise PublishedFileChangedError(
                f"{name} is published with another sha256; published versions are immutable"
            )
        with self.lock_path.open("a", encoding="utf-8") as handle:
            handle.write(f"{digest}  {name}\n")
        self._cache.clear()
        return digest


def default_root() -> Path:
    """``WMM_QUESTIONNAIRES_DIR`` or the ``questionnaires/`` folder of this checkout."""
    configured = os.environ.get("WMM_QUESTIONNAIRES_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "questionnaires"


@cache
def _registry_for(root: Path) -> Registry:
    return Registry(root)


def default_registry() -> Registry:
    """The registry of the configured questionnaires folder (shared, cached per folder)."""
    return _registry_for(default_root())
