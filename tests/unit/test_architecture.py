"""The shape every service keeps: the layer knows no service, no service imports another, no file grows past
400 lines, and every service has the same floors (handler → logic → its own store)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

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


def test_the_sites_modules_import_no_cycle():
    """Reproduced (issue 20): cards.js and modal.js imported each other."""
    import re

    web = ROOT / "web" / "js"
    imports = {
        path: {
            (path.parent / target).resolve()
            for target in re.findall(r'^import .* from "(\.[^"]+)";', path.read_text(), re.MULTILINE)
        }
        for path in (p.resolve() for p in web.rglob("*.js"))
    }
    visiting: list[Path] = []

    def visit(module: Path, done: set[Path]) -> None:
        assert module not in visiting, f"import cycle: {[m.name for m in visiting + [module]]}"
        if module in done:
            return
        visiting.append(module)
        for imported in imports.get(module, ()):
            visit(imported, done)
        visiting.pop()
        done.add(module)

    done: set[Path] = set()
    for module in imports:
        visit(module, done)
    assert len(done) >= 15


def test_every_name_a_site_module_imports_is_exported_by_that_module():
    """No bundler checks the site's imports: a name moved to another module must be imported from there."""
    import re

    def exported(path: Path) -> set[str]:
        text = path.read_text()
        names = set(re.findall(r"^export (?:async )?(?:function|const|let|class) (\w+)", text, re.MULTILINE))
        for group in re.findall(r"^export \{([^}]*)\}", text, re.MULTILINE):
            names |= {n.split(" as ")[-1].strip() for n in group.split(",") if n.strip()}
        return names

    checked = 0
    for path in (ROOT / "web" / "js").rglob("*.js"):
        text = path.read_text()
        for names, target in re.findall(r'^import \{([^}]*)\} from "(\.[^"]+)";', text, re.MULTILINE):
            wanted = {n.split(" as ")[0].strip() for n in names.split(",") if n.strip()}
            missing = wanted - exported((path.parent / target).resolve())
            assert not missing, f"{path.name} imports {sorted(missing)} that {target} does not export"
            checked += 1
    assert checked >= 20
