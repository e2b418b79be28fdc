"""The facilitator's Dashboard page: one campaign's results for a workshop on a projector.

The page is thin: `page` chooses the campaign and the group, draws the header and live mode and
routes to the tabs, one module per tab (`overview`, `units`, `targets`, `discussion`, `actions`,
`waves`, `roles`, `benchmark`, `reliability`, `downloads`); `panels` holds what several tabs draw.
Each tab reads `assessment.results.dashboard` for its view model and `assessment.outputs.charts` for
its chart.
"""

from __future__ import annotations

from assessment.ui.pages.dashboard.page import (
    CAMPAIGN_KEY,
    LIVE_SECONDS,
    QUEUE_LENGTH,
    TABS,
    render,
)

__all__ = ["CAMPAIGN_KEY", "LIVE_SECONDS", "QUEUE_LENGTH", "TABS", "render"]
