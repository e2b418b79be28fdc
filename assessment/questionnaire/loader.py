"""Reading a questionnaire file: YAML -> upgrade -> validate everything -> typed `Questionnaire`.

Every problem is collected (never only the first), each with a path such as ``items[12].principles[0]``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin

import yaml
from pydantic import TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from assessment.errors import (
    MissingField,
    NotUtf8,
    Problem,
    QuestionnaireError,
    UnknownField,
    UnreadableFile,
    UnsupportedSchema,
    WrongType,
    YamlSyntax,
)
from assessment.questionnaire.model import SCHEMA_VERSION, Questionnaire
from assessment.questionnaire.semantics import check_semantics

#: Upgrade functions by the schema_version they read; each returns the data one version newer.
#: Version 1 is the first published schema, so nothing is upgraded yet; a schema_version 2 file
#: format will register ``UPGRADES[1]`` here and old files keep loading unchanged.
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}

PreviousLookup = Callable[[str, str], Questionnaire | None]


@dataclass
class ValidationReport:
    """The outcome of validating one file: the questionnaire (when valid) and every problem."""

    source: str
    problems: list[Problem] = field(default_factory=list)
    questionnaire: Questionnaire | None = None
    sha256: str | None = None

    @property
    def valid(self) -> bool:
        return not self.problems and self.questionnaire is not None


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses duplicate keys instead of silently keeping the last one."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: dict[Any, yaml.Mark] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first at line {seen[key].line + 1})", mark
            )
        seen[key] = key_node.start_mark
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def _fast_loader() -> type[Any] | None:
    """libyaml's scanner and parser with the constructors of `_UniqueKeyLoader`; None when PyYAML
    was built without libyaml (its wheels have it)."""
    c_loader: type[Any] | None = getattr(yaml, "CSafeLoader", None)
    if c_loader is None:
        return None
    loader: type[Any] = type("_FastUniqueKeyLoader", (c_loader,), {})
    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    return loader


_FAST_LOADER = _fast_loader()


def parse_yaml(text: str, source: str, *, trusted: bool = False) -> tuple[Any, list[Problem]]:
    """Parse YAML text; a syntax error becomes one problem with its line and column.

    ``trusted`` text (a published file whose sha256 matches the lock, so the strict loader
    accepted these very bytes when it was published) is parsed by libyaml when PyYAML has it,
    about 7 times faster; the constructors, and so the data, are the same (a test compares them
    for every published file). Any other text, and trusted text libyaml refuses, goes through
    PyYAML's own loader, whose messages name the line and column.
    """
    if trusted and _FAST_LOADER is not None:
        try:
            return yaml.load(text, Loader=_FAST_LOADER), []
        except yaml.YAMLError:
            pass  # reported below, as the strict loader words it
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader), []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        what = exc.problem or "malformed YAML"
        if exc.context:
            what = f"{exc.context}: {what}"
        return None, [YamlSyntax(where, reason=what)]
    except yaml.YAMLError as exc:
        return None, [YamlSyntax("", reason=exc)]


def upgrade(data: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """Bring data of an older ``schema_version`` to the current one, one step at a time."""
    version = data.get("schema_version")
    if version is None:
        return data, [
            MissingField(
                "schema_version",
                hint=f": expected 'schema_version: {SCHEMA_VERSION}' at the top of the file",
            )
        ]
    if not isinstance(version, int) or isinstance(version, bool):
        return data, [
            WrongType(
                "schema_version",
                expected=f"a whole number such as {SCHEMA_VERSION}",
                found=repr(version),
            )
        ]
    if version > SCHEMA_VERSION:
        return data, [
            UnsupportedSchema(
                "schema_version",
                expected=f"at most {SCHEMA_VERSION}",
                found=version,
                fix="upgrade the toolkit",
            )
        ]
    while version < SCHEMA_VERSION:
        step = UPGRADES.get(version)
        if step is None:
            return data, [
                UnsupportedSchema(
                    "schema_version",
                    expected=SCHEMA_VERSION,
                    found=version,
                    fix="no upgrade from it is known; write the file for the current format",
                )
            ]
        data = step(data)
        version = data["schema_version"]
    return data, []


def _path(prefix: str, loc: Iterable[int | str]) -> str:
    out = prefix
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif (
            part.startswith("function-")
            or part in ("str", "int", "float", "bool")
            or part.endswith("[key]")
        ):
            continue
        else:
            out += f".{part}" if out else part
    return out


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _expected_found(err: Any) -> dict[str, str]:
    """Pydantic's "Input should be a valid integer" as expected/found fields of `WrongType`."""
    expected = str(err["msg"])
    for prefix in ("Input should be ", "String should "):
        if expected.startswith(prefix):
            expected = expected[len(prefix) :]
            if prefix == "String should ":
                expected = f"text that should {expected}"
    found = _describe(err["input"]) if "input" in err else "nothing"
    return {"expected": expected, "found": found}


def _problems_from(exc: ValidationError, prefix: str) -> list[Problem]:
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        path = _path(prefix, err["loc"])
        kind = err["type"]
        if kind == "missing":
            problems.append(MissingField(path, hint=""))
        elif kind == "extra_forbidden":
            problems.append(UnknownField(path))
        else:
            problems.append(WrongType(path, **_expected_found(err)))
    return problems


def _list_element_type(info: FieldInfo) -> Any | None:
    annotation = info.annotation
    if get_origin(annotation) is list:
        return get_args(annotation)[0]
    return None


def _validate_structure(data: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """Validate each top-level field on its own, keeping every valid list element.

    Keeping the valid parts lets the semantic checks still run when some part is malformed, so one
    report lists every problem of the file.
    """
    problems: list[Problem] = []
    parsed: dict[str, Any] = {}
    fields = Questionnaire.model_fields
    for key in data:
        if key not in fields:
            problems.append(UnknownField(str(key)))
    for name, info in fields.items():
        if name not in data:
            if info.is_required():
                problems.append(MissingField(name, hint=""))
            continue
        value = data[name]
        try:
            parsed[name] = _field_adapter(name).validate_python(value)
        except ValidationError as exc:
            problems.extend(_problems_from(exc, name))
            element = _list_element_type(info)
            if element is not None and isinstance(value, list):
                adapter = TypeAdapter(element)
                kept = []
                for item in value:
                    try:
                        kept.append(adapter.validate_python(item))
                    except ValidationError:
                        continue
                parsed[name] = kept
    return parsed, problems


_ADAPTERS: dict[str, TypeAdapter[Any]] = {}


def _field_adapter(name: str) -> TypeAdapter[Any]:
    """A validator for one top-level field, with the field's own constraints (e.g. min length)."""
    if name not in _ADAPTERS:
        info = Questionnaire.model_fields[name]
        # A field's annotation is known only at run time, so the annotated type is too.
        annotated: Any = Annotated[info.annotation, info]
        _ADAPTERS[name] = TypeAdapter(annotated)
    return _ADAPTERS[name]


def validate_data(
    data: Any,
    *,
    source: str = "<data>",
    file_path: Path | None = None,
    previous: PreviousLookup | None = None,
) -> ValidationReport:
    """Validate already-parsed data; the report carries the questionnaire when there is no problem."""
    report = ValidationReport(source=source)
    if not isinstance(data, dict):
        kind = "an empty file" if data is None else f"a {type(data).__name__}"
        report.problems.append(
            WrongType("", expected="a mapping of fields (id, version, items, ...)", found=kind)
        )
        return report
    data, problems = upgrade(data)
    report.problems.extend(problems)
    if problems:
        return report
    parsed, problems = _validate_structure(data)
    report.problems.extend(problems)
    if problems:
        partial = Questionnaire.model_construct(**parsed)
    else:
        partial = Questionnaire.model_validate(data)
    report.problems.extend(check_semantics(partial, file_path=file_path, previous=previous))
    if not report.problems:
        report.questionnaire = partial
    return report


def _sibling_lookup(path: Path, trusted: Collection[str]) -> PreviousLookup:
    """Find a previous version as a sibling file ``<version>.yaml`` of the same questionnaire."""

    def lookup(questionnaire_id: str, version: str) -> Questionnaire | None:
        candidate = path.parent / f"{version}.yaml"
        if not candidate.is_file() or candidate.resolve() == path.resolve():
            return None
        report = validate_file(candidate, check_previous=False, trusted=trusted)
        if report.questionnaire is None or report.questionnaire.id != questionnaire_id:
            return None
        return report.questionnaire

    return lookup


def validate_file(
    path: str | Path, *, check_previous: bool = True, trusted: Collection[str] = ()
) -> ValidationReport:
    """Read and validate one questionnaire file; never raises for bad content.

    ``trusted`` holds the sha256 digests of published files (the registry's lock): a file with
    one of them is parsed by the faster YAML parser (`parse_yaml`); it is validated in full all
    the same.
    """
    file_path = Path(path)
    source = str(path)
    try:
        raw = file_path.read_bytes()
    except OSError as exc:
        return ValidationReport(
            source=source,
            problems=[UnreadableFile("", reason=exc.strerror or exc)],
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return ValidationReport(
            source=source,
            problems=[NotUtf8("", found=f"a byte that is not UTF-8 (byte {exc.start})")],
        )
    digest = hashlib.sha256(raw).hexdigest()
    data, problems = parse_yaml(text, source, trusted=digest in trusted)
    if problems:
        return ValidationReport(source=source, problems=problems)
    report = validate_data(
        data,
        source=source,
        file_path=file_path,
        previous=_sibling_lookup(file_path, trusted) if check_previous else None,
    )
    report.sha256 = digest
    return report


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Load a valid questionnaire or raise `QuestionnaireError` listing every problem."""
    report = validate_file(path)
    if report.questionnaire is None:
        raise QuestionnaireError(
            f"{path}: {len(report.problems)} problem(s) in the questionnaire file", report.problems
        )
    return report.questionnaire
