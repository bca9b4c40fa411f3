# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Rules for the collection as a whole, read from its files (no Ansible run).

A new module is five things (CONTRIBUTING.md): the module, its tests, its
entry in the action group, its action plugin and its ``version_added`` (how
antsibull-changelog finds it). The tests here fail when one of them is
missing, so a module cannot land half-wired. They also keep the version in galaxy.yml only, the controller's
Python requirements in step with what the plugins import, and the
``requires_ansible`` claim in step with what README and the role say.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ast
import glob
import os
import re
import subprocess
import sys

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTION = 'ispsystem.billmanager'
ACTION_GROUP = 'billmanager'
CONNECTION_FRAGMENT = 'ispsystem.billmanager.connection'

# Plugin folders whose files are not plugins a user calls by name.
NOT_USER_PLUGINS = ('module_utils', 'doc_fragments', 'plugin_utils')


def _path(*parts):
    return os.path.join(REPO, *parts)


def _yaml(*parts):
    with open(_path(*parts), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def _names(folder, pattern='*.py'):
    return sorted(os.path.splitext(os.path.basename(path))[0]
                  for path in glob.glob(_path(folder, pattern))
                  if not os.path.basename(path).startswith('__'))


def _module_names():
    return _names(os.path.join('plugins', 'modules'))


def _string_constant(path, name):
    """The value of the module-level string constant ``name`` in a Python file (not imported)."""
    with open(path, encoding='utf-8') as handle:
        tree = ast.parse(handle.read(), path)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, 'id', None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    return None


def _module_doc(name):
    text = _string_constant(_path('plugins', 'modules', name + '.py'), 'DOCUMENTATION')
    assert text, 'plugins/modules/%s.py has no DOCUMENTATION' % name
    doc = yaml.safe_load(text)
    # Attributes from the collection's own doc fragments, merged one level deep as ansible-doc does.
    for fragment in doc.get('extends_documentation_fragment') or []:
        path = _path('plugins', 'doc_fragments', _short(fragment) + '.py')
        if fragment.startswith(COLLECTION + '.') and os.path.exists(path):
            with open(path) as handle:
                shared = yaml.safe_load(re.search(r"DOCUMENTATION = r'''(.*?)'''", handle.read(), re.S).group(1))
            for key, value in (shared.get('attributes') or {}).items():
                doc.setdefault('attributes', {}).setdefault(key, {}).update(value)
    return doc


def _short(name):
    return name[len(COLLECTION) + 1:] if name.startswith(COLLECTION + '.') else name


def test_there_are_modules():
    assert _module_names(), 'no modules found under plugins/modules: wrong REPO %s?' % REPO


# --- action group, action plugins, doc fragment ---------------------------------


def test_every_module_is_in_the_action_group_and_nothing_else():
    runtime = _yaml('meta', 'runtime.yml')
    group = runtime.get('action_groups', {}).get(ACTION_GROUP)
    assert group is not None, 'meta/runtime.yml has no action group %r' % ACTION_GROUP
    entries = [_short(entry) for entry in group if isinstance(entry, str)]
    assert len(entries) == len(set(entries)), 'duplicate entries in the action group: %s' % entries
    modules = _module_names()
    assert sorted(set(modules) - set(entries)) == [], \
        'modules missing from action_groups.%s in meta/runtime.yml' % ACTION_GROUP
    assert sorted(set(entries) - set(modules)) == [], \
        'action_groups.%s in meta/runtime.yml names modules that do not exist (a typo?)' % ACTION_GROUP


@pytest.mark.parametrize('module', _module_names())
def test_every_module_has_its_action_plugin(module):
    path = _path('plugins', 'action', module + '.py')
    assert os.path.isfile(path), (
        'plugins/action/%s.py is missing: every module has an action plugin that runs it in the '
        "controller's process (see CONTRIBUTING.md)" % module)
    with open(path, encoding='utf-8') as handle:
        tree = ast.parse(handle.read(), path)
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    assert 'ActionModule' in classes, 'plugins/action/%s.py defines no ActionModule' % module
    assigned = {}
    for node in classes['ActionModule'].body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned[target.id] = node.value
    assert 'OPERATION' in assigned, 'plugins/action/%s.py: ActionModule does not set OPERATION' % module
    assert ast.unparse(assigned['OPERATION']) == '_' + module, \
        'plugins/action/%s.py runs another module: OPERATION = %s' % (module, ast.unparse(assigned['OPERATION']))


@pytest.mark.parametrize('module', _module_names())
def test_every_module_extends_the_connection_fragment(module):
    doc = _module_doc(module)
    fragments = doc.get('extends_documentation_fragment') or []
    if isinstance(fragments, str):
        fragments = [fragments]
    assert CONNECTION_FRAGMENT in fragments, \
        'plugins/modules/%s.py does not extend the doc fragment %s' % (module, CONNECTION_FRAGMENT)
    assert doc.get('module') == module
    membership = doc.get('attributes', {}).get('action_group', {}).get('membership', [])
    assert '%s.%s' % (COLLECTION, ACTION_GROUP) in membership, \
        'plugins/modules/%s.py: attributes.action_group.membership does not name %s.%s' % (
            module, COLLECTION, ACTION_GROUP)


@pytest.mark.parametrize('module', _module_names())
def test_every_module_takes_the_shared_connection_options(module):
    """The fragment documents the connection options; options.py must give them to the module too."""
    from ansible_collections.ispsystem.billmanager.plugins.module_utils._connection import connection_argument_spec
    import importlib

    operation = importlib.import_module('ansible_collections.ispsystem.billmanager.plugins.module_utils._%s' % module)
    spec = operation.argument_spec()['argument_spec']
    for option, definition in connection_argument_spec().items():
        assert spec.get(option) == definition, \
            '%s: the connection option %s differs from options.connection_argument_spec()' % (module, option)


@pytest.mark.parametrize('module', _module_names())
def test_every_module_has_integration_tests(module):
    path = _path('tests', 'integration', 'plugins', 'modules', 'test_%s.py' % module)
    assert os.path.isfile(path), (
        'tests/integration/plugins/modules/test_%s.py is missing: every module is tested against the '
        'sandbox, four ways (see CONTRIBUTING.md)' % module)
    with open(path, encoding='utf-8') as handle:
        assert '%s.%s' % (COLLECTION, module) in handle.read(), \
            'tests/integration/plugins/modules/test_%s.py never names %s.%s' % (module, COLLECTION, module)


# --- changelog --------------------------------------------------------------------


def _plugin_objects():
    """(type, name, file) of every plugin, role and playbook a user calls by name."""
    modules = set(_module_names())
    found = []
    for folder in sorted(glob.glob(_path('plugins', '*'))):
        kind = os.path.basename(folder)
        if kind in NOT_USER_PLUGINS or not os.path.isdir(folder):
            continue
        for name in _names(os.path.join('plugins', kind)):
            if kind == 'action' and name in modules:
                continue  # the module's own action plugin: the module's mention covers it
            found.append((kind.rstrip('s') if kind == 'modules' else kind, name, 'plugins/%s/%s.py' % (kind, name)))
    for role in sorted(glob.glob(_path('roles', '*'))):
        if os.path.isdir(role):
            found.append(('role', os.path.basename(role), 'roles/%s' % os.path.basename(role)))
    for playbook in _names('playbooks', '*.yml') + _names('playbooks', '*.yaml'):
        found.append(('playbook', playbook, 'playbooks/%s' % playbook))
    return found


def _fragments():
    for path in sorted(glob.glob(_path('changelogs', 'fragments', '*.yml')) +
                       glob.glob(_path('changelogs', 'fragments', '*.yaml'))):
        with open(path, encoding='utf-8') as handle:
            yield os.path.relpath(path, REPO), yaml.safe_load(handle) or {}


def _released_objects():
    """(type, name) that changelog.yaml lists as new in a release."""
    released = set()
    for release in (_yaml('changelogs', 'changelog.yaml').get('releases') or {}).values():
        for entry in release.get('modules') or []:
            released.add(('module', entry['name']))
        for kind, entries in (release.get('plugins') or {}).items():
            released.update((kind, entry['name']) for entry in entries)
        for kind, entries in (release.get('objects') or {}).items():
            released.update((kind, entry['name']) for entry in entries)
    return released


def _announced_objects():
    """(type, name) that a fragment adds by hand (``add object.playbook``: ansible-doc cannot find those)."""
    announced = set()
    for _path_, fragment in _fragments():
        for section, entries in fragment.items():
            if section.startswith(('add object.', 'add plugin.')):
                announced.update((section.split('.', 1)[1], entry['name']) for entry in entries or [])
    return announced


def _version_added(kind, name, path):
    """version_added of a plugin (its DOCUMENTATION) or a role (its main entry point), else None."""
    if kind == 'role':
        specs = _path(path, 'meta', 'argument_specs.yml')
        if not os.path.isfile(specs):
            return None
        with open(specs, encoding='utf-8') as handle:
            main = ((yaml.safe_load(handle) or {}).get('argument_specs') or {}).get('main') or {}
        return main.get('version_added')
    text = _string_constant(_path(path), 'DOCUMENTATION')
    return (yaml.safe_load(text) or {}).get('version_added') if text else None


@pytest.mark.parametrize('kind,name,path', _plugin_objects())
def test_every_plugin_is_found_by_antsibull_changelog(kind, name, path):
    """antsibull-changelog lists a new plugin, module or role by its version_added (no fragment needed);
    a playbook, which ansible-doc cannot see, needs an ``add object.playbook`` entry in a fragment."""
    if (kind, name) in _released_objects():
        return
    if kind == 'playbook':
        assert (kind, name) in _announced_objects(), (
            '%s is in no changelog: add it under "add object.playbook:" in a changelogs/fragments/ file '
            '(see CONTRIBUTING.md)' % path)
        return
    version_added = _version_added(kind, name, path)
    assert version_added, (
        '%s (%s) has no version_added: antsibull-changelog finds new plugins and roles by it '
        '(see CONTRIBUTING.md)' % (path, kind))
    assert re.match(r'^\d+\.\d+\.\d+$', str(version_added)), '%s: version_added %r' % (path, version_added)


def test_a_first_release_lists_no_bug_fixes():
    """Nobody had the behaviour a fix would change before the first release."""
    if _yaml('changelogs', 'changelog.yaml').get('releases'):
        pytest.skip('released already: bug fixes are real from now on')
    fixes = [path for path, fragment in _fragments() if fragment.get('bugfixes')]
    assert fixes == [], 'not released yet, so nothing to fix for users: drop the bugfixes of %s' % fixes


def test_the_changelog_config_names_the_tracked_changelog():
    config = _yaml('changelogs', 'config.yaml')
    outputs = [entry['file'] for entry in config.get('output') or []]
    assert outputs, 'changelogs/config.yaml names no output file'
    tracked = _repo_files()
    for name in outputs:
        assert name in tracked, 'changelogs/config.yaml writes %s, which the repository does not hold' % name


# --- one version, one requirements list, one ansible-core claim ------------------------


def _repo_files():
    """The files git would ship: tracked, plus untracked ones that are not ignored."""
    try:
        output = subprocess.run(
            ['git', '-c', 'safe.directory=' + REPO, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip('git is needed to list the repository files')
    return sorted(path for path in output.decode('utf-8').split('\0') if path and os.path.isfile(_path(path)))


# Generated from changelogs/ (the version is in them by design) or the version itself.
VERSION_FILES = ('galaxy.yml', 'CHANGELOG.rst', 'CHANGELOG.md', 'changelogs/changelog.yaml')


def test_the_version_lives_in_galaxy_yml_only():
    version = str(_yaml('galaxy.yml')['version'])
    pattern = re.compile(r'(?<![\w.])%s(?![\w])' % re.escape(version))
    offenders = []
    for path in _repo_files():
        if path in VERSION_FILES or path.startswith('changelogs/fragments/'):
            continue
        try:
            with open(_path(path), encoding='utf-8') as handle:
                lines = handle.read().splitlines()
        except (UnicodeDecodeError, OSError):
            continue
        for number, line in enumerate(lines, 1):
            # version_added is when a plugin or option appeared, not the current version.
            if pattern.search(line) and not re.match(r'^\s*version_added:', line):
                offenders.append('%s:%d: %s' % (path, number, line.strip()))
    assert offenders == [], 'the version %s is hard-coded outside galaxy.yml:\n%s' % (version, '\n'.join(offenders))


# Import name -> distribution name, where they differ.
DISTRIBUTIONS = {'yaml': 'PyYAML', 'dateutil': 'python-dateutil'}
# Provided by ansible-core on every controller (its own dependencies).
ANSIBLE_CORE_BRINGS = {'ansible', 'ansible_collections', 'jinja2', 'yaml', 'cryptography', 'packaging',
                       'resolvelib'}


def _third_party_imports():
    stdlib = set(getattr(sys, 'stdlib_module_names', ())) | set(sys.builtin_module_names)
    if not stdlib:  # pragma: no cover - Python < 3.10
        pytest.skip('needs sys.stdlib_module_names (Python 3.10+)')
    found = {}
    for path in sorted(glob.glob(_path('plugins', '**', '*.py'), recursive=True)):
        with open(path, encoding='utf-8') as handle:
            tree = ast.parse(handle.read(), path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split('.')[0]
                if top not in stdlib and top not in ANSIBLE_CORE_BRINGS and top != '__future__':
                    found.setdefault(DISTRIBUTIONS.get(top, top).lower(), []).append(os.path.relpath(path, REPO))
    return found


def _requirements(path):
    names = {}
    with open(_path(path), encoding='utf-8') as handle:
        for line in handle:
            line = line.split('#', 1)[0].strip()
            if not line or line.startswith('-'):
                continue
            match = re.match(r'^([A-Za-z0-9][A-Za-z0-9._-]*)', line)
            names[match.group(1).lower().replace('_', '-')] = line
    return names


def test_requirements_txt_lists_exactly_what_the_plugins_import():
    imported = _third_party_imports()
    required = _requirements('requirements.txt')
    assert sorted(set(imported) - set(required)) == [], \
        'plugins import packages that requirements.txt does not list: %s' % {
            name: imported[name] for name in set(imported) - set(required)}
    assert sorted(set(required) - set(imported)) == [], \
        'requirements.txt lists packages that no plugin imports: %s' % sorted(set(required) - set(imported))


def test_execution_environment_metadata_points_at_the_requirement_files():
    ee = _yaml('meta', 'execution-environment.yml')
    assert ee.get('version') == 3
    dependencies = ee['dependencies']
    # ansible-builder's introspect takes these relative to the collection root.
    assert dependencies.get('python') == 'requirements.txt'
    assert dependencies.get('system') == 'bindep.txt'
    for name in dependencies.values():
        assert not os.path.isabs(name) and os.path.isfile(_path(name)), name


def _min_ansible():
    claim = _yaml('meta', 'runtime.yml')['requires_ansible']
    match = re.match(r'^\s*>=\s*(\d+)\.(\d+)(?:\.(\d+))?\s*(?:,|$)', claim)
    assert match, 'requires_ansible %r does not start with a >= X.Y.Z bound' % claim
    return int(match.group(1)), int(match.group(2))


def test_the_ansible_core_claim_is_said_the_same_everywhere():
    major, minor = _min_ansible()
    with open(_path('README.md'), encoding='utf-8') as handle:
        readme = handle.read()
    assert 'ansible-core %d.%d or newer' % (major, minor) in readme, \
        'README.md does not say "ansible-core %d.%d or newer" as meta/runtime.yml claims' % (major, minor)
    for meta in glob.glob(_path('roles', '*', 'meta', 'main.yml')):
        with open(meta, encoding='utf-8') as handle:
            info = (yaml.safe_load(handle) or {}).get('galaxy_info', {})
        if 'min_ansible_version' in info:
            assert str(info['min_ansible_version']) in ('%d.%d' % (major, minor), '%d.%d.0' % (major, minor)), \
                '%s: min_ansible_version %s, meta/runtime.yml: %d.%d' % (
                    os.path.relpath(meta, REPO), info['min_ansible_version'], major, minor)
