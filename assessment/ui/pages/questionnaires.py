"""The Questionnaires page: browse each version by component and principle, compare two versions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from assessment.questionnaire import default_registry
from assessment.questionnaire.compare import compare_versions
from assessment.questionnaire.overview import structure
from assessment.ui.errors import guarded_page, page_errors

LANGUAGE_NAMES = {"en": "English", "de": "Deutsch"}


@guarded_page
def render() -> None:
    """Draw the Questionnaires page: browse one version, or compare two."""
    registry = default_registry()
    keys = registry.keys()
    st.title("Questionnaires")
    if not keys:
        st.warning(f"No questionnaire files found in {registry.root}.")
        return
    browse, compare = st.tabs(["Browse a version", "Compare two versions"])
    with browse:
        _browse(keys)
    with compare:
        _compare(keys)


def _browse(keys: list[str]) -> None:
    registry = default_registry()
    left, right = st.columns([3, 1])
    key = left.selectbox("Version", keys, index=len(keys) - 1, key="q_browse_version")
    q = registry.get(key)
    language = right.selectbox(
        "Language",
        q.languages,
        format_func=lambda c: LANGUAGE_NAMES.get(c, c),
        key="q_browse_language",
    )
    s = structure(q, language)
    st.subheader(s["title"])
    st.write(q.text(q.description, language))
    published = "published" if registry.is_published(key) else "draft (not yet published)"
    st.caption(
        f"{key} · {len(q.items)} statements · {len(q.outcomes)} outcome statements · "
        f"languages: {', '.join(q.languages)} · {published} · sha256 {registry.sha256(key)[:12]}…"
    )
    by_component, by_principle, levels = st.tabs(
        ["By component", "By principle", "Levels and scale"]
    )
    with by_component:
        for component in s["components"]:
            with st.expander(f"{component['name']} — {len(component['items'])} statements"):
                frame = pd.DataFrame(component["items"]).rename(
                    columns={"id": "Id", "text": "Statement", "reverse": "Reverse-keyed"}
                )
                st.dataframe(frame, hide_index=True, width="stretch")
    with by_principle:
        texts = {i.id: q.text(i.text, language) for i in q.items}
        for principle in s["principles"]:
            with st.expander(f"{principle['name']} — {len(principle['items'])} statements"):
                frame = pd.DataFrame(
                    {"Id": principle["items"], "Statement": [texts[i] for i in principle["items"]]}
                )
                st.dataframe(frame, hide_index=True, width="stretch")
    with levels:
        st.dataframe(
            pd.DataFrame(s["levels"]).rename(
                columns={"level": "Level", "name": "Name", "threshold": "From mean score"}
            ),
            hide_index=True,
        )
        st.write("Answer scale: " + " · ".join(s["scale"]))


def _compare(keys: list[str]) -> None:
    registry = default_registry()
    with_crosswalk = [k for k in keys if registry.get(k).crosswalk is not None]
    if not with_crosswalk:
        st.info(
            "No version has a crosswalk from an earlier one yet, so there is nothing to compare."
        )
        return
    key = st.selectbox(
        "Newer version", with_crosswalk, index=len(with_crosswalk) - 1, key="q_cmp_version"
    )
    new = registry.get(key)
    previous = registry.previous_of(new)
    if previous is None:
        st.error(
            f"{key} names {new.id}@{new.crosswalk.previous if new.crosswalk else '?'} as its predecessor, which is not available."
        )
        return
    language = st.selectbox(
        "Language",
        new.languages,
        format_func=lambda c: LANGUAGE_NAMES.get(c, c),
        key="q_cmp_language",
    )
    with page_errors() as outcome:
        comparison = compare_versions(new, previous, language=language)
    if outcome.failed:
        return
    summary = comparison.summary()
    cols = st.columns(4)
    cols[0].metric("Common statements", comparison.common)
    cols[1].metric("Reworded", summary["reworded"])
    cols[2].metric("New", summary["new"])
    cols[3].metric("Dropped", summary["dropped"])
    st.caption(
        f"Scores of {previous.key} and {new.key} are compared on the {comparison.common} common "
        "statements only (same or reworded)."
    )
    kinds = st.multiselect(
        "Show",
        ["same", "reworded", "new", "dropped", "split", "merged"],
        default=["reworded", "new", "dropped", "split", "merged"],
        key="q_cmp_kinds",
    )
    frame = comparison.changes[comparison.changes["change"].isin(kinds)].rename(
        columns={
            "id": "Id",
            "change": "Change",
            "previous": "Was",
            "component": "Component",
            "text_old": f"Text in {previous.version}",
            "text_new": f"Text in {new.version}",
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch")
