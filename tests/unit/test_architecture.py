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


def test_one_entry_module_per_function_each_with_one_lambda_handler():
    """Issue 20: three handler.py files held two functions' entry points each. Every function's Terraform
    handler is `<package>.<entry module>.lambda_handler`; each entry module is one function's, and the
    entry modules do not import each other (what two functions share lives in the service's wiring)."""
    import re

    handlers = re.findall(
        r'handler\s*=\s*"([^"]+)"', "".join(p.read_text() for p in Path("terraform").rglob("*.tf"))
    )
    assert len(handlers) >= 10
    entries = set()
    for handler in handlers:
        package, module, function = handler.split(".")
        assert function == "lambda_handler", handler
        service = next(s for s in SERVICES if _package(s) == package)
        path = service / package / f"{module}.py"
        assert module.endswith("handler") and path.exists(), handler
        entries.add((package, module))
    assert len(entries) == len(handlers)  # one function per entry module
    for package, module in entries:
        path = next(s for s in SERVICES if _package(s) == package) / package / f"{module}.py"
        tree = ast.parse(path.read_text())
        handlers_here = [
            n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.endswith("handler")
        ]
        assert handlers_here == ["lambda_handler"], (path, handlers_here)
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module} | {
            f"{package}.{alias.name}"
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and n.module == package
            for alias in n.names
        }
        assert (
            not {f"{package}.{other}" for p, other in entries if p == package and other != module} & imported
        )


def test_every_entry_module_loads_its_functions_settings_when_the_container_starts():
    """Issue 20: a missing variable failed the first call that needed it. Each entry module calls its
    settings loader (`<service>/settings.py`) at module level, so the cold start fails, naming it."""
    import re

    handlers = re.findall(
        r'handler\s*=\s*"([^"]+)"', "".join(p.read_text() for p in Path("terraform").rglob("*.tf"))
    )
    for handler in handlers:
        package, module, _ = handler.split(".")
        service = next(s for s in SERVICES if _package(s) == package)
        tree = ast.parse((service / package / f"{module}.py").read_text())
        loaders = {
            alias.asname or alias.name
            for n in tree.body
            if isinstance(n, ast.ImportFrom) and n.module == f"{package}.settings"
            for alias in n.names
        }
        calls = [n.value for n in tree.body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)]
        called = {c.func.id for c in calls if isinstance(c.func, ast.Name)}
        assert loaders & called, (handler, "no module-level call of its settings loader")


IO_CALLS = {
    "put_item",
    "update_item",
    "delete_item",
    "get_item",
    "query",
    "scan",
    "batch_write_item",
    "batch_get_item",
    "transact_write_items",
    "invoke",
    "send_message",
    "put_records",
    "get_many",
    "plan_batch",
    "write_to",
}


def test_no_constructor_does_io():
    """Issue 20: the consumer's BatchContext wrote to DynamoDB in its constructor. A constructor builds an
    object; reading and writing happen in its methods (`prepare`, `load`...)."""
    offenders = []
    for path in [*Path("libs").rglob("*.py"), *Path("services").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name == "__init__":
                calls = {
                    c.func.attr
                    for c in ast.walk(node)
                    if isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute)
                }
                if calls & IO_CALLS:
                    offenders.append(f"{path}: {sorted(calls & IO_CALLS)}")
    assert not offenders, offenders


def test_every_entry_module_ends_by_settling_its_cold_start():
    """Issue 20's read-path tail: full garbage collections walked everything a cold start made (~150,000
    objects, 30 ms each, on whichever request set one off). Each entry module's last statement freezes it."""
    import re

    handlers = re.findall(
        r'handler\s*=\s*"([^"]+)"', "".join(p.read_text() for p in Path("terraform").rglob("*.tf"))
    )
    for handler in handlers:
        package, module, _ = handler.split(".")
        service = next(s for s in SERVICES if _package(s) == package)
        last = ast.parse((service / package / f"{module}.py").read_text()).body[-1]
        assert (
            isinstance(last, ast.Expr)
            and isinstance(last.value, ast.Call)
            and getattr(last.value.func, "id", None) == "settle_cold_start"
        ), (handler, "its last statement is not settle_cold_start()")
