"""Summaries of questionnaires for people: the registry listing and the structure of one version."""

from __future__ import annotations

from typing import Any

from assessment.errors import UnknownLanguageError
from assessment.questionnaire.model import Questionnaire
from assessment.questionnaire.registry import Registry


def overview_rows(registry: Registry) -> list[dict[str, Any]]:
    """One row per available version: id, version, title, items, languages, sha256, published."""
    locked = registry.read_lock()
    rows = []
    for entry in registry.entries():
        q = registry.get(entry.key)
        name = entry.path.relative_to(registry.root).as_posix()
        rows.append(
            {
                "id": q.id,
                "version": q.version,
                "title": q.text(q.title),
                "items": len(q.items),
                "outcomes": len(q.outcomes),
                "languages": list(q.languages),
                "sha256": registry.sha256(entry.key),
                "published": name in locked,
            }
        )
    return rows


def structure(q: Questionnaire, language: str | None = None) -> dict[str, Any]:
    """Statements per component and per principle, with counts (for `wmm show` and the app)."""
    lang = language or q.default_language
    return {
        "key": q.key,
        "title": q.text(q.title, lang),
        "languages": list(q.languages),
        "scale": [f"{o.value} = {q.text(o.label, lang)}" for o in q.scale.options]
        + [f"{s.code} = {q.text(s.label, lang)}" for s in q.scale.special],
        "levels": [
            {"level": lv.level, "name": q.text(lv.name, lang), "threshold": lv.threshold}
            for lv in q.levels
        ],
        "components": [
            {
                "id": c.id,
                "name": q.text(c.name, lang),
                "items": [
                    {"id": i.id, "text": q.text(i.text, lang), "reverse": i.reverse}
                    for i in q.items_of_component(c.id)
                ],
            }
            for c in q.components
        ],
        "principles": [
            {
                "id": p.id,
                "name": q.text(p.name, lang),
                "items": [i.id for i in q.items_of_principle(p.id)],
            }
            for p in q.principles
        ],
        "outcomes": [{"id": o.id, "text": q.text(o.text, lang)} for o in q.outcomes],
        "indices": [
            {"id": ix.id, "components": list(ix.components), "items": list(ix.items)}
            for ix in q.scoring.indices
        ],
    }


def describe(q: Questionnaire, language: str | None = None) -> str:
    """A plain-text view of `structure` for the terminal."""
    lang = language or q.default_language
    if lang not in q.languages:
        raise UnknownLanguageError(
            f"language {lang!r} is not in {q.key}; expected one of {list(q.languages)}"
        )
    s = structure(q, lang)
    lines = [
        f"{s['title']} ({s['key']})",
        f"languages: {', '.join(s['languages'])}; {len(q.items)} statements, "
        f"{len(q.outcomes)} outcome statements",
        "scale: " + "; ".join(s["scale"]),
        "levels: "
        + "; ".join(f"{lv['level']} {lv['name']} (from {lv['threshold']:g})" for lv in s["levels"]),
        "",
        "Components",
    ]
    for c in s["components"]:
        lines.append(f"  {c['name']} [{c['id']}]: {len(c['items'])} statements")
        for item in c["items"]:
            mark = " (reverse-keyed)" if item["reverse"] else ""
            lines.append(f"    {item['id']:<7} {item['text']}{mark}")
    lines += ["", "Principles"]
    for p in s["principles"]:
        lines.append(
            f"  {p['name']} [{p['id']}]: {len(p['items'])} statements: {', '.join(p['items'])}"
        )
    if s["outcomes"]:
        lines += ["", "Outcome statements (not scored)"]
        lines += [f"    {o['id']:<7} {o['text']}" for o in s["outcomes"]]
    if s["indices"]:
        lines += ["", "Indices"]
        for ix in s["indices"]:
            parts = ix["components"] + ix["items"]
            lines.append(f"  {ix['id']}: {', '.join(parts)}")
    return "\n".join(lines)
