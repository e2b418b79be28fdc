"""Every third-party module the code imports is declared in pyproject.toml, so a fresh machine that
installs only what is declared (`pip install -e ".[test]"`) can import everything.

Package code (assessment/, scoring/, app.py) may use `[project] dependencies`; tests may also use the
`test` extra; benchmarks may use any extra. An import inside a `try:` that catches ImportError is
optional and not counted.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

from support import ROOT

SCOPES = {
    "package": ("dependencies",),
    "tests": ("dependencies", "test"),
    "benchmarks": ("dependencies", "*"),
}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    return _normalise(re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0])


def _declared() -> dict[str, set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {"dependencies": {_requirement_name(r) for r in project["dependencies"]}}
    for extra, requirements in project.get("optional-dependencies", {}).items():
        declared[extra] = {_requirement_name(r) for r in requirements}
    return declared


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(
        isinstance(n, ast.Name) and n.id in {"ImportError", "ModuleNotFoundError", "Exception"}
        for n in names
    )


def _imports(tree: ast.AST) -> Iterator[tuple[str, int]]:
    """Top-level module names imported, with line numbers, outside optional try-blocks."""
    optional: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(_catches_import_error(h) for h in node.handlers):
            for inner in node.body:
                optional.update(id(n) for n in ast.walk(inner))
    for node in ast.walk(tree):
        if id(node) in optional:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0], node.lineno


def _local_names(folder: Path) -> set[str]:
    """Modules a folder's own files provide (test helpers, the project's packages)."""
    return {p.stem for p in folder.rglob("*.py")} | {
        p.name for p in folder.rglob("*") if p.is_dir()
    }


def _files() -> Iterator[tuple[str, Path]]:
    for scope, folders in {
        "package": ["assessment", "scoring"],
        "tests": ["tests"],
        "benchmarks": ["benchmarks"],
    }.items():
        for folder in folders:
            yield from ((scope, path) for path in sorted((ROOT / folder).rglob("*.py")))
    yield "package", ROOT / "app.py"


def undeclared_imports(files: list[tuple[str, Path]] | None = None) -> list[str]:
    declared = _declared()
    distributions = {
        module: {_normalise(d) for d in names}
        for module, names in importlib.metadata.packages_distributions().items()
    }
    local = (
        {"assessment", "scoring"} | _local_names(ROOT / "tests") | _local_names(ROOT / "benchmarks")
    )
    problems: list[str] = []
    for scope, path in files if files is not None else _files():
        allowed = set().union(
            *(
                set().union(*declared.values()) if extra == "*" else declared.get(extra, set())
                for extra in SCOPES[scope]
            )
        )
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for module, line in _imports(tree):
            if module in sys.stdlib_module_names or module in local or module == "__future__":
                continue
            providers = distributions.get(module)
            where = f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{line}"
            if not providers:
                problems.append(
                    f"{where}: imports {module}, which no installed distribution provides"
                )
            elif not providers & allowed:
                problems.append(
                    f"{where}: imports {module} ({', '.join(sorted(providers))}), not declared for "
                    f"{scope} ({' or '.join(SCOPES[scope])})"
                )
    return problems


def test_every_import_is_declared_in_pyproject() -> None:
    problems = undeclared_imports()
    assert not problems, "declare these in pyproject.toml:\n" + "\n".join(problems)


def test_the_check_finds_an_undeclared_import(tmp_path: Path) -> None:
    code = tmp_path / "module.py"
    code.write_text(
        "import numpy\nimport pingouin\ntry:\n    import optional_thing\nexcept ImportError:\n"
        "    pass\n",
        encoding="utf-8",
    )
    package = undeclared_imports([("package", code)])
    assert len(package) == 1 and "imports pingouin" in package[0] and "module.py:2" in package[0]
    assert undeclared_imports([("tests", code)]) == []  # the test extra declares pingouin
