"""The Questionnaires page: browse each version by component and principle, compare two versions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from assessment import i18n
from assessment.i18n import format_number
from assessment.questionnaire import default_registry
from assessment.questionnaire.compare import compare_versions
from assessment.questionnaire.overview import structure
from assessment.ui.errors import guarded_page, page_errors
from assessment.ui.language import t, ui_language

#: The kinds of change between two versions, in the order the filter offers them.
CHANGES = ("same", "reworded", "new", "dropped", "split", "merged")


def _language_name(code: str) -> str:
    return i18n.language_names().get(code, code)


def _content_language(languages: list[str]) -> int:
    """The statements' language shown first: the page's language when the file has it."""
    language = ui_language()
    return languages.index(language) if language in languages else 0


@guarded_page
def render() -> None:
    """Draw the Questionnaires page: browse one version, or compare two."""
    registry = default_registry()
    keys = registry.keys()
    st.title(t("questionnaires.title"))
    if not keys:
        st.warning(t("common.no_questionnaires", folder=registry.root))
        return
    browse, compare = st.tabs([t("questionnaires.tab_browse"), t("questionnaires.tab_compare")])
    with browse:
        _browse(keys)
    with compare:
        _compare(keys)


def _browse(keys: list[str]) -> None:
    registry = default_registry()
    left, right = st.columns([3, 1])
    key = left.selectbox(
        t("questionnaires.version"), keys, index=len(keys) - 1, key="q_browse_version"
    )
    q = registry.get(key)
    language = right.selectbox(
        t("questionnaires.language"),
        q.languages,
        index=_content_language(q.languages),
        format_func=_language_name,
        key="q_browse_language",
    )
    shown = ui_language()
    s = structure(q, language)
    st.subheader(s["title"])
    st.write(q.text(q.description, language))
    published = t(
        "questionnaires.published" if registry.is_published(key) else "questionnaires.draft"
    )
    st.caption(
        t(
            "questionnaires.facts",
            key=key,
            items=len(q.items),
            outcomes=len(q.outcomes),
            languages=", ".join(q.languages),
            published=published,
            sha256=registry.sha256(key)[:12],
        )
    )
    by_component, by_principle, levels = st.tabs(
        [
            t("questionnaires.tab_components"),
            t("questionnaires.tab_principles"),
            t("questionnaires.tab_levels"),
        ]
    )
    id_column, statement_column = (
        t("questionnaires.column.id"),
        t("questionnaires.column.statement"),
    )
    with by_component:
        for component in s["components"]:
            count = len(component["items"])
            with st.expander(t("questionnaires.group", name=component["name"], count=count)):
                frame = pd.DataFrame(component["items"]).rename(
                    columns={
                        "id": id_column,
                        "text": statement_column,
                        "reverse": t("questionnaires.column.reverse"),
                    }
                )
                st.dataframe(frame, hide_index=True, width="stretch")
    with by_principle:
        texts = {i.id: q.text(i.text, language) for i in q.items}
        for principle in s["principles"]:
            count = len(principle["items"])
            with st.expander(t("questionnaires.group", name=principle["name"], count=count)):
                frame = pd.DataFrame(
                    {
                        id_column: principle["items"],
                        statement_column: [texts[i] for i in principle["items"]],
                    }
                )
                st.dataframe(frame, hide_index=True, width="stretch")
    with levels:
        level_rows = pd.DataFrame(s["levels"])
        level_rows["threshold"] = [format_number(v, shown) for v in level_rows["threshold"]]
        st.dataframe(
            level_rows.rename(
                columns={
                    "level": t("questionnaires.column.level"),
                    "name": t("questionnaires.column.name"),
                    "threshold": t("questionnaires.column.threshold"),
                }
            ),
            hide_index=True,
        )
        st.write(t("questionnaires.scale", labels=" · ".join(s["scale"])))


def _compare(keys: list[str]) -> None:
    registry = default_registry()
    with_crosswalk = [k for k in keys if registry.get(k).crosswalk is not None]
    if not with_crosswalk:
        st.info(t("questionnaires.no_crosswalk"))
        return
    key = st.selectbox(
        t("questionnaires.newer"),
        with_crosswalk,
        index=len(with_crosswalk) - 1,
        key="q_cmp_version",
    )
    new = registry.get(key)
    previous = registry.previous_of(new)
    if previous is None:
        predecessor = f"{new.id}@{new.crosswalk.previous if new.crosswalk else '?'}"
        st.error(t("questionnaires.no_predecessor", key=key, predecessor=predecessor))
        return
    language = st.selectbox(
        t("questionnaires.language"),
        new.languages,
        index=_content_language(new.languages),
        format_func=_language_name,
        key="q_cmp_language",
    )
    with page_errors() as outcome:
        comparison = compare_versions(new, previous, language=language)
    if outcome.failed:
        return
    summary = comparison.summary()
    cols = st.columns(4)
    cols[0].metric(t("questionnaires.common"), comparison.common)
    cols[1].metric(t("questionnaires.metric.reworded"), summary["reworded"])
    cols[2].metric(t("questionnaires.metric.new"), summary["new"])
    cols[3].metric(t("questionnaires.metric.dropped"), summary["dropped"])
    st.caption(
        t(
            "questionnaires.compared_on",
            previous=previous.key,
            new=new.key,
            common=comparison.common,
        )
    )
    kinds = st.multiselect(
        t("questionnaires.show"),
        list(CHANGES),
        default=[c for c in CHANGES if c != "same"],
        format_func=lambda c: t(f"questionnaires.change.{c}"),
        key="q_cmp_kinds",
    )
    frame = comparison.changes[comparison.changes["change"].isin(kinds)].copy()
    frame["change"] = [t(f"questionnaires.change.{c}") for c in frame["change"]]
    frame = frame.rename(
        columns={
            "id": t("questionnaires.column.id"),
            "change": t("questionnaires.column.change"),
            "previous": t("questionnaires.column.previous"),
            "component": t("questionnaires.column.component"),
            "text_old": t("questionnaires.column.text_in", version=previous.version),
            "text_new": t("questionnaires.column.text_in", version=new.version),
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch")
