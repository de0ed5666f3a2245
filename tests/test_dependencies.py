"""Every package Roundtable runs on is pinned to one exact version (requirements/constraints.txt,
which `make` installs with `pip install -c`), and the virtualenv has exactly those versions."""

from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

CONSTRAINTS = Path(__file__).resolve().parent.parent / "requirements" / "constraints.txt"


def pins():
    result = {}
    for line in CONSTRAINTS.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, exact, version = line.partition("==")
        assert exact and version, f"{CONSTRAINTS.name}: {line!r} is not an exact pin"
        result[canonicalize_name(name)] = version
    return result


def requirement_closure(root="roundtable", extras=("test",)):
    """Returns {name: (installed version, [who asked for it with what specifier])}."""
    found, todo, seen = {}, [(root, frozenset(extras), None)], set()
    while todo:
        name, wanted_extras, asked_by = todo.pop()
        key = canonicalize_name(name)
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            found.setdefault(key, (None, []))[1].append(asked_by)
            continue
        found.setdefault(key, (dist.version, []))[1].append(asked_by)
        if (key, wanted_extras) in seen:
            continue
        seen.add((key, wanted_extras))
        for raw in dist.requires or []:
            requirement = Requirement(raw)
            if requirement.marker and not any(
                requirement.marker.evaluate({"extra": extra}) for extra in {"", *wanted_extras}
            ):
                continue
            todo.append((requirement.name, frozenset(requirement.extras), (key, requirement)))
    found.pop(canonicalize_name(root))
    return found


def test_every_dependency_is_pinned_and_installed_at_its_pin():
    pinned = pins()
    problems = []
    for name, (installed, askers) in sorted(requirement_closure().items()):
        if name not in pinned:
            problems.append(f"{name} is not pinned (run `make lock`)")
            continue
        if installed != pinned[name]:
            problems.append(f"{name} {installed} is installed, {pinned[name]} pinned (run make)")
        for asker, requirement in askers:
            if not requirement.specifier.contains(pinned[name], prereleases=True):
                problems.append(
                    f"{name}=={pinned[name]} does not satisfy {asker}'s {requirement}"
                    " (run `make lock`)"
                )
    assert not problems, "\n".join(problems)


def test_the_pins_name_nothing_roundtable_does_not_use():
    stale = set(pins()) - set(requirement_closure())
    assert not stale, f"pinned but not required (run `make lock`): {sorted(stale)}"
