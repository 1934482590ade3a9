import importlib
import logging
from collections import Counter

from mmengine.runner import Runner

from evit_dense.runtime import (APPLIED, FIXES, Fix, apply_fixes, data_checks,
                                exact_resume, installed_version, within)


def probe(calls, **kwargs):
    """A fix that records its application in ``calls``."""
    return Fix(name='probe', apply=lambda: calls.append('probe'), **kwargs)


def test_versions_compare_on_the_parts_named():
    assert within('2.13.0+cpu', '2.6', '2.13')
    assert within('2.13.5', '2.6', '2.13')
    assert within('0.10.7', '0.10', '0.10')
    assert within('1.26.4', '1', '1')
    assert not within('2.14.0', '2.6', '2.13')
    assert not within('2.5.1', '2.6', '2.13')
    assert not within('0.11.0', '0.10', '0.10')
    assert not within('2.0.1', '1', '1')


def test_fix_outside_its_versions_warns_in_one_line_and_applies(caplog):
    calls = []
    fix = probe(calls, written_for={'torch': ('1.0', '1.1'),
                                    'evit-dense-not-installed': ('1', '1')})
    with caplog.at_level(logging.DEBUG, logger='evit_dense.runtime'):
        assert apply_fixes([fix]) == ['probe']
    assert calls == ['probe']
    [record] = caplog.records
    assert record.levelno == logging.WARNING and record.exc_info is None
    message = record.getMessage()
    assert '\n' not in message
    assert (f'fix probe was written for torch 1.0 to 1.1, not '
            f'{installed_version("torch")}') in message


def test_fix_within_its_versions_applies_silently(caplog):
    calls = []
    torch_version = installed_version('torch')
    fix = probe(calls, written_for={'torch': (torch_version, torch_version)})
    with caplog.at_level(logging.DEBUG, logger='evit_dense.runtime'):
        assert apply_fixes([fix]) == ['probe']
    assert calls == ['probe'] and not caplog.records


def test_fix_that_upstream_made_unneeded_is_skipped(caplog):
    calls = []
    fixed = probe(calls, written_for={'torch': ('1.0', '1.1')},
                  upstream_fixed=lambda: True)
    with caplog.at_level(logging.DEBUG, logger='evit_dense.runtime'):
        assert apply_fixes([fixed]) == []
    assert calls == [] and not caplog.records
    still_needed = probe(calls, written_for={}, upstream_fixed=lambda: False)
    assert apply_fixes([still_needed]) == ['probe'] and calls == ['probe']


def test_installed_stack_is_the_one_written_for_and_needs_every_fix():
    for fix in FIXES:
        for distribution, (oldest, newest) in fix.written_for.items():
            version = installed_version(distribution)
            assert version is None or within(version, oldest, newest), (
                fix.name, distribution, version)
    assert APPLIED == [fix.name for fix in FIXES]


def resolve(qualified_name):
    parts = qualified_name.split('.')
    for end in range(len(parts), 0, -1):
        try:
            found = importlib.import_module('.'.join(parts[:end]))
        except ImportError:
            continue
        for name in parts[end:]:
            found = getattr(found, name)
        return found
    raise ImportError(qualified_name)


def wrappers(function):
    """The files of ``function`` and of those it wraps, outermost first."""
    files = [function.__code__.co_filename]
    while hasattr(function, '__wrapped__'):
        function = function.__wrapped__
        files.append(function.__code__.co_filename)
    return files


def test_every_attribute_a_fix_names_is_replaced_by_it():
    for fix in FIXES:
        module = importlib.import_module(f'evit_dense.runtime.{fix.name}')
        for name in fix.replaces:
            assert module.__file__ in wrappers(resolve(name)), (fix.name, name)


def test_build_dataloader_is_the_one_attribute_wrapped_twice_in_order():
    replaced = Counter(name for fix in FIXES for name in fix.replaces)
    assert [name for name, count in replaced.items() if count > 1] == [
        'mmengine.runner.Runner.build_dataloader']
    outer, inner, mmengine = wrappers(Runner.build_dataloader)
    assert outer == data_checks.__file__ and inner == exact_resume.__file__
    assert 'evit_dense' not in mmengine
