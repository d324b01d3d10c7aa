"""The shape every service keeps: the layer knows no service, no service imports another, no file grows past
400 lines, and every service has the same floors (handler → logic → its own store)."""

import ast
from pathlib import Path

SERVICES = sorted(d for d in Path("services").iterdir() if d.is_dir())


def _package(service: Path) -> str:
    return "tvguide_" + service.name.replace("-", "_")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_layer_imports_no_service():
    packages = {_package(s) for s in SERVICES}
    for path in Path("libs/tvguide").rglob("*.py"):
        assert not _imports(path) & packages, path


def test_no_service_imports_another():
    packages = {_package(s) for s in SERVICES}
    for service in SERVICES:
        own = _package(service)
        for path in service.rglob("*.py"):
            assert not (_imports(path) & packages) - {own}, path


def test_no_file_outside_the_tests_is_over_400_lines():
    sources = [
        p
        for top in ("libs", "services", "tools", "web/js")
        for p in Path(top).rglob("*")
        if p.suffix in (".py", ".js")
    ]
    sources = [p for p in sources if "node_modules" not in p.parts]
    assert len(sources) > 30
    long = {str(p): n for p in sources if (n := len(p.read_text().splitlines())) > 400}
    assert not long, long


def test_every_service_has_a_handler_and_its_logic():
    for service in SERVICES:
        package = service / _package(service)
        assert (package / "handler.py").is_file() and (package / "logic.py").is_file(), service
