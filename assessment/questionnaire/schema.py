"""The JSON Schema of questionnaire files, generated from the pydantic model.

The committed copy (`questionnaires/schema/questionnaire.schema.json`) must equal `json_schema()`;
`wmm schema --write` regenerates it after a model change.
"""

from __future__ import annotations

import json
from typing import Any

from assessment.questionnaire.model import Questionnaire


def json_schema() -> dict[str, Any]:
    schema = Questionnaire.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "questionnaire.schema.json",
        **schema,
    }


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
