"""User-provided text (campaign, unit, organisation and action-item names) shown literally by
Streamlit: the pages' name for `assessment.i18n.markdown.as_text`, the one escaper the survey's
pages use too.
"""

from __future__ import annotations

from assessment.i18n.markdown import as_text

__all__ = ["as_text"]
