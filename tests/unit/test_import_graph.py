"""Issue 23: lib/ has no import circle, and every module's first docstring line states its job."""

import ast
import os

import ta_thousandeyes

PACKAGE_DIR = os.path.dirname(os.path.abspath(ta_thousandeyes.__file__))


def _modules():
    """{dotted name: parsed tree} of every module of the package."""
    found = {}
    for directory, _, files in os.walk(PACKAGE_DIR):
        for file_name in files:
            if not file_name.endswith(".py"):
                continue
            path = os.path.join(directory, file_name)
            relative = os.path.relpath(path, os.path.dirname(PACKAGE_DIR))[:-3]
            name = relative.replace(os.sep, ".")
            name = name[: -len(".__init__")] if name.endswith(".__init__") else name
            with open(path, encoding="utf-8") as handle:
                found[name] = (ast.parse(handle.read()), file_name == "__init__.py")
    return found


def _imports(name, tree, is_package, modules):
    """The package's modules that ``name`` imports, at any depth of its code."""
    package = name if is_package else name.rsplit(".", 1)[0]
    targets = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            parts = package.split(".")
            base = ".".join(parts[: len(parts) - node.level + 1])
            origin = base + ("." + node.module if node.module else "")
            for alias in node.names:
                child = origin + "." + alias.name
                targets.add(child if child in modules else origin)
        elif isinstance(node, ast.Import):
            targets.update(a.name for a in node.names if a.name.startswith("ta_thousandeyes"))
    return {target for target in targets if target in modules and target != name}


def test_no_import_circle():
    modules = _modules()
    graph = {name: _imports(name, tree, pkg, modules) for name, (tree, pkg) in modules.items()}
    visiting, done, circles = [], set(), []

    def visit(name):
        visiting.append(name)
        for target in sorted(graph[name]):
            if target in visiting:
                circles.append(visiting[visiting.index(target) :] + [target])
            elif target not in done:
                visit(target)
        visiting.pop()
        done.add(name)

    for name in sorted(graph):
        if name not in done:
            visit(name)
    assert circles == []


def test_every_module_states_its_job():
    missing = [
        name
        for name, (tree, _) in _modules().items()
        if not (ast.get_docstring(tree) or "").strip().splitlines()
    ]
    assert missing == []
