"""The package's layers, read from the code: no import circle, the runtime
and tool helpers import no model family, no family imports another, and
tools pick a family only through the family table."""
import ast

import pytest

from tests.conftest import REPO_ROOT

PACKAGE = REPO_ROOT / 'evit_dense'
FAMILIES = ('evit_dense.models.efficientvit_msra',
            'evit_dense.models.efficientvit_mit')


def module_name(path):
    parts = path.relative_to(REPO_ROOT).with_suffix('').parts
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)


def is_module(name):
    path = REPO_ROOT.joinpath(*name.split('.'))
    return path.with_suffix('.py').exists() or (path / '__init__.py').exists()


def imported_modules(path, own_name):
    """The evit_dense modules a file imports, at any depth of its code."""
    is_package = path.name == '__init__.py'
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                anchor = own_name.split('.')
                anchor = anchor[:len(anchor) - node.level + is_package]
                base = '.'.join(anchor + ([base] if base else []))
            for alias in node.names:
                child = f'{base}.{alias.name}'
                found.add(child if is_module(child) else base)
    return {name for name in found if name.split('.')[0] == 'evit_dense'}


def import_graph(paths):
    return {module_name(p): imported_modules(p, module_name(p)) for p in paths}


PACKAGE_GRAPH = import_graph(sorted(PACKAGE.rglob('*.py')))


def test_the_package_imports_no_circle():
    visiting, done = [], set()

    def visit(name):
        if name in done:
            return
        assert name not in visiting, ' -> '.join(
            visiting[visiting.index(name):] + [name])
        visiting.append(name)
        for imported in PACKAGE_GRAPH.get(name, ()):
            # a package's __init__ is run before its modules: importing the
            # package from inside it is no circle
            if not name.startswith(imported + '.'):
                visit(imported)
        visiting.pop()
        done.add(name)

    for name in PACKAGE_GRAPH:
        visit(name)


@pytest.mark.parametrize('layer', ['evit_dense.runtime', 'evit_dense.utils',
                                   'evit_dense.datasets'])
def test_runtime_and_helpers_import_no_model(layer):
    offenders = {name: sorted(i for i in imports
                              if i.startswith('evit_dense.models'))
                 for name, imports in PACKAGE_GRAPH.items()
                 if name.startswith(layer)}
    assert not {k: v for k, v in offenders.items() if v}


def test_no_family_imports_another():
    for family in FAMILIES:
        others = [f for f in FAMILIES if f != family]
        for name, imports in PACKAGE_GRAPH.items():
            if name.startswith(family):
                assert not [i for i in imports
                            if i.startswith(tuple(others))], name


def test_tools_reach_families_only_through_the_table():
    """A tool that imports a family's module picks that family by hand."""
    tools = sorted((REPO_ROOT / 'tools').rglob('*.py'))
    users = sorted(PACKAGE.glob('benchmark/*.py'))
    for path in tools + users:
        imports = imported_modules(path, module_name(path))
        assert not [i for i in imports if i.startswith(FAMILIES)], path
