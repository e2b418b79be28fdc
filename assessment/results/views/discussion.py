"""The discussion view: the queue of statements to talk through (`assessment.results.discussion`)
and their answers as segments of diverging stacked bars.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from assessment.questionnaire import Questionnaire
from assessment.results.discussion import discussion_queue as discussion_queue


def likert_segments(
    queue: pd.DataFrame, questionnaire: Questionnaire, *, language: str | None = None
) -> pd.DataFrame:
    """The answer distribution of each statement as segments of a diverging stacked bar.

    Returns
    -------
    One row per statement × answer option: ``item``, ``rank``, ``option`` (label), ``value``,
    ``count``, ``share`` (of the statement's answers on the scale, in %), ``start`` and ``end``
    (the segment's ends in %, disagreeing answers left of 0).

    Notes
    -----
    With shares p_1..p_A of the options as chosen and the midpoint c = (L + H)/2, the bar starts at
    −(Σ_{v<c} p_v + ½·p_c) and the segments follow in scale order, so the neutral option (if any)
    straddles 0 and every bar has length 100. Don't know, not applicable and skipped answers are
    not on the scale and not drawn.
    """
    values = list(range(questionnaire.scale.minimum, questionnaire.scale.maximum + 1))
    labels = {o.value: questionnaire.text(o.label, language) for o in questionnaire.scale.options}
    columns = ["item", "rank", "option", "value", "count", "share", "start", "end"]
    if queue.empty:
        return pd.DataFrame(columns=columns)
    counts = queue[[f"count_{v}" for v in values]].to_numpy(dtype=np.float64)
    totals = counts.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(totals > 0, 100.0 * counts / totals, 0.0)
    v = np.asarray(values, dtype=np.float64)
    centre = (v[0] + v[-1]) / 2.0
    weight = np.where(v < centre, 1.0, np.where(v == centre, 0.5, 0.0))
    left = -(shares * weight).sum(axis=1, keepdims=True)
    ends = left + np.cumsum(shares, axis=1)
    starts = ends - shares
    n_items, n_values = counts.shape
    return pd.DataFrame(
        {
            "item": np.repeat(queue["item"].astype(str).to_numpy(), n_values),
            "rank": np.repeat(queue["rank"].to_numpy(dtype=np.int64), n_values),
            "option": [labels.get(value, str(value)) for value in values] * n_items,
            "value": np.tile(np.asarray(values, dtype=np.int64), n_items),
            "count": counts.ravel().astype(np.int64),
            "share": shares.ravel(),
            "start": starts.ravel(),
            "end": ends.ravel(),
        },
        columns=columns,
    )
