"""Each example's requirements.txt, against pyproject.toml's groups and uv.lock.

A reader downloads an example as a zip, runs ``python -m pip install -r
requirements.txt``, then the example's own tests. So its requirements.txt must
install every distribution that the example imports, that its settings name
for Django to load, and that its pytest.ini needs; and it must ask for what the
suite tested: for each package, the same lower and upper bounds as the
pyproject.toml groups that the example stands for (``django``,
``example-tests`` and the group named after the example, if there is one),
which the version uv.lock pins also satisfies.
"""

from __future__ import annotations

import ast
import configparser
import sys
import tomllib
from collections.abc import Iterator
from functools import cache
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from cookbook_harness.layout import EXAMPLES, ROOT, example_names, matrix

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCK = tomllib.loads((ROOT / "uv.lock").read_text())
# The groups every example stands for; each may also have a group of its own name.
COMMON_GROUPS = ("django", "example-tests")
# pytest.ini options that only a plugin understands, and the plugin's distribution.
PLUGIN_OPTIONS = {"DJANGO_SETTINGS_MODULE": "pytest-django"}

# A bound: a version and whether it is included; None where the range is open.
Bound = tuple[Version, bool] | None


def group_requirements(group: str) -> Iterator[Requirement]:
    """The requirements of a pyproject.toml dependency group, its included groups' too."""
    for entry in PYPROJECT["dependency-groups"][group]:
        if isinstance(entry, dict):
            yield from group_requirements(entry["include-group"])
        else:
            yield Requirement(entry)


def example_groups(example: str) -> list[str]:
    own = [example] if example in PYPROJECT["dependency-groups"] else []
    return [*COMMON_GROUPS, *own]


def requirements_txt(example: str) -> dict[NormalizedName, Requirement]:
    lines = (EXAMPLES / example / "requirements.txt").read_text().splitlines()
    found = [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]
    return {canonicalize_name(requirement.name): requirement for requirement in found}


def _next_prefix(version: Version) -> Version:
    """The first version after every ``version.*``: 6.1 -> 6.2."""
    *head, last = version.release
    return Version(".".join(map(str, [*head, last + 1])))


def bounds(specifiers: SpecifierSet) -> tuple[Bound, Bound]:
    """The lower and upper bound that ``specifiers`` put on a version, however spelt:
    ``==6.1.*`` and ``>=6.1,<6.2`` have the same ones."""
    lower: list[tuple[Version, bool]] = []
    upper: list[tuple[Version, bool]] = []
    for specifier in specifiers:
        operator, text = specifier.operator, specifier.version
        if operator == "==" and text.endswith(".*"):
            prefix = Version(text.removesuffix(".*"))
            lower.append((prefix, True))
            upper.append((_next_prefix(prefix), False))
        elif operator == "~=":
            version = Version(text)
            lower.append((version, True))
            upper.append((_next_prefix(Version(".".join(map(str, version.release[:-1])))), False))
        elif operator in {"==", "==="}:
            lower.append((Version(text), True))
            upper.append((Version(text), True))
        elif operator in {">=", ">"}:
            lower.append((Version(text), operator == ">="))
        elif operator in {"<=", "<"}:
            upper.append((Version(text), operator == "<="))
        else:
            raise ValueError(f"{specifier}: no bounds to compare for {operator!r}")
    # The tighter of two bounds at one version is the one that excludes it.
    tightest_lower = max(lower, key=lambda bound: (bound[0], not bound[1]), default=None)
    tightest_upper = min(upper, key=lambda bound: (bound[0], bound[1]), default=None)
    return tightest_lower, tightest_upper


@cache
def locked_versions() -> dict[tuple[str, NormalizedName], Version]:
    """The version uv.lock pins for each package a group names directly, by group."""
    by_name: dict[str, list[str]] = {}
    for package in LOCK["package"]:
        by_name.setdefault(package["name"], []).append(package.get("version", ""))
    root = next(p for p in LOCK["package"] if p["name"] == PYPROJECT["project"]["name"])
    pinned: dict[tuple[str, NormalizedName], Version] = {}
    for group, entries in root["dev-dependencies"].items():
        for entry in entries:
            # A package locked at several versions (one per resolution) names its version here.
            (version,) = [entry["version"]] if "version" in entry else by_name[entry["name"]]
            pinned[group, canonicalize_name(entry["name"])] = Version(version)
    return pinned


def test_each_matrix_django_is_locked_with_its_backend() -> None:
    """Every Django of the version matrix has a group that asks for it and for the
    django-cockroachdb of the same major.minor (the default's are the ``django`` and
    ``cockroachdb`` groups), and uv.lock pins both inside that major.minor."""
    cells = matrix()
    for django in cells["djangos"]:
        if django == cells["default"]["django"]:
            pair = {"django": "django", "django-cockroachdb": "cockroachdb"}
        else:
            pair = dict.fromkeys(("django", "django-cockroachdb"), f"django-{django}")
        series = SpecifierSet(f"=={django}.*")
        for package, group in pair.items():
            (declared,) = [r for r in group_requirements(group) if r.name == package]
            assert bounds(declared.specifier) == bounds(series), f"{group}: {declared}"
            locked = locked_versions()[canonicalize_name(group), canonicalize_name(package)]
            assert locked in series, f"uv.lock pins {package} {locked} for group {group}"


def test_bounds_compare_spellings_of_one_range() -> None:
    assert bounds(SpecifierSet("==6.1.*")) == bounds(SpecifierSet(">=6.1,<6.2"))
    assert bounds(SpecifierSet("~=3.10.0")) == bounds(SpecifierSet(">=3.10.0,<3.11"))
    assert bounds(SpecifierSet(">=3.2")) == ((Version("3.2"), True), None)
    assert bounds(SpecifierSet(">=6.1,<6.2")) != bounds(SpecifierSet(">=6.1"))
    assert bounds(SpecifierSet(">=6.1,<6.2")) != bounds(SpecifierSet(">=6.0,<6.2"))
    assert bounds(SpecifierSet(">6.1")) != bounds(SpecifierSet(">=6.1"))
    with pytest.raises(ValueError, match="no bounds"):
        bounds(SpecifierSet("!=6.1.1"))


@pytest.mark.parametrize("example", example_names())
def test_requirements_ask_for_what_the_groups_pin(example: str) -> None:
    """The same packages as the example's groups, with the same extras, markers and bounds,
    and uv.lock's version for each satisfies requirements.txt."""
    wanted = requirements_txt(example)
    groups = example_groups(example)
    expected = {
        canonicalize_name(requirement.name): (group, requirement)
        for group in groups
        for requirement in group_requirements(group)
    }
    assert sorted(wanted) == sorted(expected), f"{example}/requirements.txt against {groups}"
    for name, requirement in wanted.items():
        group, declared = expected[name]
        where = f"{example}/requirements.txt: {requirement} (group {group}: {declared})"
        assert requirement.extras == declared.extras, where
        assert str(requirement.marker) == str(declared.marker), where
        assert bounds(requirement.specifier) == bounds(declared.specifier), where
        locked = locked_versions()[canonicalize_name(group), name]
        assert requirement.specifier.contains(locked, prereleases=True), f"{where}: locked {locked}"


@cache
def module_distributions() -> dict[str, list[str]]:
    return metadata.packages_distributions()


def local_modules(folder: Path) -> set[str]:
    """The example's own top-level modules and packages (its pytest.ini: pythonpath = .)."""
    return {path.stem for path in folder.glob("*.py")} | {
        path.parent.name for path in folder.glob("*/__init__.py")
    }


def imported_modules(source: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(source.read_text(), str(source))):
        if isinstance(node, ast.Import):
            yield from (alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.partition(".")[0]


def settings_modules(source: Path) -> Iterator[str]:
    """Modules the settings name for Django to load (apps, ENGINE, BACKEND, ...)."""
    for node in ast.walk(ast.parse(source.read_text(), str(source))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            head = node.value.partition(".")[0]
            if head.isidentifier() and head in module_distributions():
                yield head


def needed_distributions(example: str) -> dict[NormalizedName, str]:
    """Each distribution the example needs, with the reason."""
    folder = EXAMPLES / example
    ours = local_modules(folder) | set(sys.stdlib_module_names) | {"__future__"}
    modules: dict[str, str] = {}
    for source in sorted(folder.rglob("*.py")):
        where = str(source.relative_to(folder))
        found = list(imported_modules(source))
        if source.name == "settings.py":
            found += settings_modules(source)
        for module in found:
            if module not in ours:
                modules.setdefault(module, where)
    needed: dict[NormalizedName, str] = {}
    for module, where in modules.items():
        distributions = module_distributions().get(module)
        assert distributions, f"{example}/{where} uses {module}, which no distribution provides"
        for distribution in distributions:
            needed.setdefault(canonicalize_name(distribution), f"{where} uses {module}")
    ini = configparser.ConfigParser()
    ini.read(folder / "pytest.ini")
    needed.setdefault(canonicalize_name("pytest"), "pytest.ini")
    for option, plugin in PLUGIN_OPTIONS.items():
        if ini.has_option("pytest", option):
            needed.setdefault(canonicalize_name(plugin), f"pytest.ini sets {option}")
    return needed


def installed_closure(requirements: list[Requirement]) -> set[NormalizedName]:
    """The distributions that installing ``requirements`` brings here, as this
    environment's metadata tells: each one's own requirements, with the extras asked for."""
    brought: set[NormalizedName] = set()
    expanded: set[tuple[NormalizedName, str]] = set()
    todo = [r for r in requirements if not r.marker or r.marker.evaluate({"extra": ""})]
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        brought.add(name)
        for extra in ["", *sorted(requirement.extras)]:
            if (name, extra) in expanded:
                continue
            expanded.add((name, extra))
            for text in metadata.requires(name) or []:
                dependency = Requirement(text)
                if not dependency.marker or dependency.marker.evaluate({"extra": extra}):
                    todo.append(dependency)
    return brought


@pytest.mark.parametrize("example", example_names())
def test_requirements_install_what_the_example_needs(example: str) -> None:
    """Installing requirements.txt brings every distribution the example imports, its
    settings load and its pytest.ini needs."""
    brought = installed_closure(list(requirements_txt(example).values()))
    missing = {
        name: why for name, why in needed_distributions(example).items() if name not in brought
    }
    assert not missing, f"examples/{example}/requirements.txt does not install {missing}"


def test_a_dropped_requirement_is_missed() -> None:
    """The check sees a missing test runner: without pytest-django, an example whose
    pytest.ini sets DJANGO_SETTINGS_MODULE cannot run its tests."""
    requirements = [r for r in requirements_txt("core").values() if r.name != "pytest-django"]
    assert canonicalize_name("pytest-django") in needed_distributions("core")
    assert canonicalize_name("pytest-django") not in installed_closure(requirements)
