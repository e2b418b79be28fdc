"""Questionnaires: the typed model, the file loader with full validation, and the registry of versions.

`load_questionnaire(path)` and `Registry.get("id@version")` are the entry points.
"""

from assessment.questionnaire.loader import load_questionnaire, validate_file
from assessment.questionnaire.model import Questionnaire
from assessment.questionnaire.registry import Registry, default_registry

__all__ = ["Questionnaire", "Registry", "default_registry", "load_questionnaire", "validate_file"]
