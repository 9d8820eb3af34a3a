"""No import runs from a lower app to a higher one. The layers, lowest first:

    wellschools  <-  partnership  <-  wellcheck  <-  accreditation
                                  <-  events (the platform and partnership only)
    network (the platform, partnership, wellcheck and events; nothing imports it)

Read from the source (every import statement, also those inside functions), so a change
that breaks the direction fails here before anyone has to find the cycle."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = (
    "wellschools",
    "partnership",
    "wellcheck",
    "events",
    "accreditation",
    "network",
    "staffsurvey",
    "insight",
)
MAY_IMPORT = {
    "wellschools": {"wellschools"},
    "partnership": {"wellschools", "partnership"},
    "wellcheck": {"wellschools", "partnership", "wellcheck"},
    "events": {"wellschools", "partnership", "events"},
    "accreditation": {"wellschools", "partnership", "wellcheck", "accreditation"},
    "network": {"wellschools", "partnership", "wellcheck", "events", "network"},
    "staffsurvey": {"wellschools", "partnership", "wellcheck", "staffsurvey"},
    # Reads every app, owns no workflow; nothing imports it.
    "insight": {
        "wellschools",
        "partnership",
        "wellcheck",
        "events",
        "accreditation",
        "network",
        "staffsurvey",
        "insight",
    },
}


def imported_apps(path: Path) -> set[tuple[str, int]]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in APPS:
                found.add((top, node.lineno))
    return found


@pytest.mark.parametrize("app", APPS)
def test_no_app_imports_a_higher_one(app):
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {target}"
        for path in sorted((ROOT / app).rglob("*.py"))
        for target, line in sorted(imported_apps(path))
        if target not in MAY_IMPORT[app]
    ]
    assert wrong == []


def test_the_check_sees_imports_inside_functions(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text("def f():\n    from accreditation.models import Award\n    import events\n")
    assert imported_apps(source) == {("accreditation", 2), ("events", 3)}
