"""The heatmap view: unit × dimension cells, units ranked by their shrunken overall mean, hidden
cells without any statistic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from assessment.analysis.spec import OVERALL, dimension_names, dimension_order
from assessment.i18n import format_number, text
from assessment.i18n.notes import group_name
from assessment.outputs.exports import suppressed_rows
from assessment.questionnaire import Questionnaire
from scoring.suppression import TOTAL_LABEL


def heatmap(
    scores: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    group_column: str = "unit",
    dimension_types: Sequence[str] = ("component", "overall"),
    language: str | None = None,
) -> pd.DataFrame:
    """Unit × dimension cells for the heatmap; suppressed cells carry no statistic at all.

    Returns
    -------
    One row per group (not the organisation) × dimension: ``group``, ``dimension``, ``name``,
    ``n``, ``mean``, ``level``, ``level_name``, ``suppressed``, ``label`` (the mean with two
    decimals, or ``hidden`` for a suppressed cell), ``group_rank`` and ``dimension_rank`` (drawing
    order).

    Notes
    -----
    Groups are ordered by their empirical-Bayes overall mean, highest first (docs/formats.md "Scores": units are
    ranked on shrunken means, never on raw means of tiny groups); groups without a shown overall
    mean follow in name order. Mean and level of a suppressed cell are set missing here as well, so
    a chart can never colour it.
    """
    names = dimension_names(questionnaire, language)
    order = {d: i for i, d in enumerate(dimension_order(questionnaire))}
    frame = scores[
        (scores[group_column].astype(str) != TOTAL_LABEL)
        & scores["dimension_type"].astype(str).isin(list(dimension_types))
    ]
    suppressed = suppressed_rows(frame)
    cells = pd.DataFrame(
        {
            "group": frame[group_column].astype(str).to_numpy(),
            "dimension": frame["dimension"].astype(str).to_numpy(),
            "n": frame["n"].to_numpy(dtype=np.int64),
            "mean": np.where(suppressed, np.nan, frame["mean"].to_numpy(dtype=np.float64)),
            "level": pd.array(
                np.where(
                    suppressed, np.nan, frame["level"].to_numpy(dtype=np.float64, na_value=np.nan)
                ),
                dtype="Int64",
            ),
            "level_name": pd.array(
                np.where(suppressed, None, frame["level_name"].to_numpy(dtype=object)),
                dtype="str",
            ),
            "suppressed": suppressed,
        }
    )
    cells.insert(2, "name", cells["dimension"].map(lambda d: names.get(d, d)).astype(str))
    hidden_text = text("dashboard.hidden", language)
    cells["label"] = [
        hidden_text if hidden else format_number(mean, language)
        for hidden, mean in zip(cells["suppressed"], cells["mean"], strict=True)
    ]
    overall = scores[
        (scores[group_column].astype(str) != TOTAL_LABEL)
        & (scores["dimension"].astype(str) == OVERALL)
        & ~suppressed_rows(scores)
    ]
    shrunk = dict(
        zip(
            overall[group_column].astype(str),
            overall["eb_mean"].to_numpy(dtype=np.float64),
            strict=True,
        )
    )
    groups = sorted(
        pd.unique(cells["group"]),
        key=lambda g: (math.isnan(shrunk.get(g, math.nan)), -shrunk.get(g, 0.0), g),
    )
    rank = {g: i for i, g in enumerate(groups)}
    cells["group_rank"] = cells["group"].map(rank).astype(np.int64)
    cells["dimension_rank"] = (
        cells["dimension"].map(lambda d: order.get(d, len(order))).astype(np.int64)
    )
    # A pooled group reads in the page's language ("(andere Einheiten)"), a unit by its own name.
    cells["group"] = cells["group"].map(lambda g: group_name(g, language))
    return cells.sort_values(["group_rank", "dimension_rank"], kind="stable").reset_index(drop=True)


def heatmap_extremes(cells: pd.DataFrame, *, per_side: int) -> pd.DataFrame:
    """The heatmap cells of the ``per_side`` strongest and weakest shown units only.

    For organisations with more units than a screen can show: units ranked by their shrunken overall
    mean (`heatmap`); hidden units are left out here (the full heatmap marks them).
    """
    if per_side < 1:
        raise ValueError(f"per_side must be at least 1; got {per_side}")
    shown = cells[~cells["suppressed"].to_numpy(dtype=bool)]
    ranks = sorted(pd.unique(shown.loc[shown["dimension"] == OVERALL, "group_rank"]))
    if len(ranks) <= 2 * per_side:
        keep = set(ranks)
    else:
        keep = set(ranks[:per_side]) | set(ranks[-per_side:])
    return cells[cells["group_rank"].isin(keep)].reset_index(drop=True)
