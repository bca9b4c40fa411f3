# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The tools around the collection, offline: galaxy-importer, ansible-builder,
antsibull-changelog (all in requirements-dev.txt).

``make test`` runs these; ``make test-matrix`` leaves this file out (its
venvs hold ansible-core and the test requirements only).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
import shutil

import yaml

from ecosystem_helpers import BIN, REPO, galaxy, run, tool

FQCN = 'ispsystem.billmanager'


def _tool_env(extra=None):
    """The tools call ansible-doc, ansible-galaxy...: those of this environment, first on PATH."""
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get('PATH', ''))
    env.update(extra or {})
    return env


def _module_names():
    return sorted(os.path.splitext(name)[0] for name in os.listdir(os.path.join(REPO, 'plugins', 'modules'))
                  if name.endswith('.py') and not name.startswith('__'))


# --- galaxy-importer ---------------------------------------------------------------------

# Offline: no ansible-test (it wants a container engine), and no ansible-lint
# inside the importer (make lint runs it on the same files with the stricter
# production profile). ansible-doc and the changelog check stay on.
IMPORTER_CONFIG = '''[galaxy-importer]
run_ansible_test = False
run_ansible_lint = False
run_ansible_doc = True
check_changelog = True
run_flake8 = False
'''


def test_galaxy_importer_accepts_the_tarball(tarball, tmp_path):
    config = tmp_path / 'galaxy-importer.cfg'
    config.write_text(IMPORTER_CONFIG)
    out = run([tool('python'), '-m', 'galaxy_importer.main', '--output-path', str(tmp_path), tarball],
              env=_tool_env({'GALAXY_IMPORTER_CONFIG': str(config)}), cwd=str(tmp_path))
    assert 'Importer processing completed successfully' in out, out
    assert 'ERROR' not in out and 'WARNING' not in out, out
    with open(str(tmp_path / 'importer_result.json'), encoding='utf-8') as handle:
        result = json.load(handle)
    runtime = yaml.safe_load(open(os.path.join(REPO, 'meta', 'runtime.yml'), encoding='utf-8'))
    assert result['requires_ansible'] == runtime['requires_ansible']
    assert result['metadata']['version'] == galaxy()['version']
    contents = dict(((item['content_type'], item['name']), item) for item in result['contents'])
    for module in _module_names():
        assert ('module', module) in contents
    assert ('inventory', 'licenses') in contents
    assert ('role', 'licensed_server') in contents, sorted(contents)
    docs = dict((item['content_type'], item) for item in result['docs_blob']['contents']
                if item['content_name'] == 'licenses')
    assert docs['inventory']['doc_strings'], 'galaxy-importer read no documentation of the inventory plugin'
    for item in result['docs_blob']['contents']:
        if item['content_type'] == 'module':
            assert item['doc_strings'].get('doc', {}).get('short_description'), item['content_name']
    documentation = sorted(item['name'] for item in result['docs_blob']['documentation_files'])
    expected = sorted(name for name in os.listdir(os.path.join(REPO, 'docs')) if name.endswith('.md'))
    assert documentation == expected


# --- ansible-builder ---------------------------------------------------------------------


def _ee_definition():
    path = os.path.join(REPO, 'docs', 'execution-environment.md')
    with open(path, encoding='utf-8') as handle:
        blocks = re.findall(r'^```yaml\n(.*?)^```', handle.read(), re.MULTILINE | re.DOTALL)
    definitions = [block for block in blocks if (yaml.safe_load(block) or {}).get('version') == 3]
    assert len(definitions) == 1, 'docs/execution-environment.md should hold one execution-environment.yml'
    return definitions[0]


def test_ansible_builder_renders_the_documented_definition(tmp_path):
    definition = tmp_path / 'execution-environment.yml'
    definition.write_text(_ee_definition())
    context = tmp_path / 'context'
    out = run([tool('ansible-builder'), 'create', '-f', str(definition), '-c', str(context),
               '--output-filename', 'Containerfile'], env=_tool_env(), cwd=str(tmp_path))
    assert 'Complete!' in out, out
    for name in ('Containerfile', '_build/requirements.yml', '_build/scripts/introspect.py',
                 '_build/scripts/assemble', '_build/scripts/install-from-bindep'):
        assert (context / name).is_file(), name
    containerfile = (context / 'Containerfile').read_text()
    assert 'ansible-galaxy collection install' in containerfile
    assert 'introspect.py introspect' in containerfile
    requirements = yaml.safe_load((context / '_build' / 'requirements.yml').read_text())
    assert [item['name'] for item in requirements['collections']] == [FQCN]


def test_the_image_build_would_add_the_collection_requirements(installed, tmp_path):
    """introspect.py is the step of an image build that collects the collections' requirements:
    run it here on the copy installed from the tarball."""
    definition = tmp_path / 'execution-environment.yml'
    definition.write_text(_ee_definition())
    context = tmp_path / 'context'
    run([tool('ansible-builder'), 'create', '-f', str(definition), '-c', str(context)], env=_tool_env(),
        cwd=str(tmp_path))
    pip, bindep = tmp_path / 'requirements.txt', tmp_path / 'bindep.txt'
    out = run([tool('python'), str(context / '_build' / 'scripts' / 'introspect.py'), 'introspect',
               '--write-pip', str(pip), '--write-bindep', str(bindep), str(installed)], env=_tool_env())
    report = yaml.safe_load(out.split('---', 1)[1]) if '---' in out else yaml.safe_load(out)
    with open(os.path.join(REPO, 'requirements.txt'), encoding='utf-8') as handle:
        ours = [line.split('#')[0].strip() for line in handle if line.split('#')[0].strip()]
    assert ours, 'requirements.txt is empty'
    for requirement in ours:
        assert '%s  # from collection %s' % (requirement, FQCN) in report['python'], report
    assert report['system'] == [], 'bindep.txt lists system packages now: update this test and the docs'
    assert pip.read_text().startswith(ours[0])


# --- antsibull-changelog ---------------------------------------------------------------------


def test_a_release_lists_every_plugin_as_new(tmp_path):
    """The release step (``make changelog``, ``antsibull-changelog release``) on a copy: it works, and the
    changelog it writes names every module, plugin, role and playbook of a first release, found by
    antsibull-changelog itself. The committed CHANGELOG.rst is not compared: it is regenerated when
    releasing, so that two changes with their own fragments do not conflict in it."""
    dest = tmp_path / 'ansible_collections' / 'ispsystem' / 'billmanager'
    dest.mkdir(parents=True)
    for name in ('galaxy.yml', 'changelogs', 'meta', 'plugins', 'roles', 'playbooks'):
        source = os.path.join(REPO, name)
        if os.path.isdir(source):
            shutil.copytree(source, str(dest / name), ignore=shutil.ignore_patterns('__pycache__', '.plugin-cache.yaml'))
        elif os.path.isfile(source):
            shutil.copy(source, str(dest / name))
    run([tool('antsibull-changelog'), 'lint'], env=_tool_env(), cwd=str(dest))
    run([tool('antsibull-changelog'), 'release'], env=_tool_env(), cwd=str(dest))
    config = yaml.safe_load((dest / 'changelogs' / 'config.yaml').read_text())
    outputs = [entry['file'] for entry in config['output']]
    assert outputs == ['CHANGELOG.rst'], outputs
    written = (dest / 'CHANGELOG.rst').read_text()
    version = galaxy()['version']
    assert 'v%s' % version in written
    release = yaml.safe_load((dest / 'changelogs' / 'changelog.yaml').read_text())['releases'][str(version)]
    if len(yaml.safe_load(open(os.path.join(REPO, 'changelogs', 'changelog.yaml'), encoding='utf-8'))
           .get('releases') or {}) == 0:
        assert 'bugfixes' not in release.get('changes', {}), 'a first release fixes nothing users had'
        assert sorted(entry['name'] for entry in release.get('modules', [])) == _module_names()
        assert [entry['name'] for entry in release.get('plugins', {}).get('inventory', [])] == ['licenses']
        objects = release.get('objects', {})
        roles = sorted(os.listdir(os.path.join(REPO, 'roles')))
        assert sorted(entry['name'] for entry in objects.get('role', [])) == roles
        assert sorted(entry['name'] for entry in objects.get('playbook', [])) == sorted(
            os.path.splitext(name)[0] for name in os.listdir(os.path.join(REPO, 'playbooks')) if name.endswith('.yml'))
        for heading in ('New Modules', 'New Plugins', 'New Roles', 'New Playbooks'):
            assert heading in written, heading
    # The committed changelog is the same tool's output: the title and the format match.
    with open(os.path.join(REPO, 'CHANGELOG.rst'), encoding='utf-8') as handle:
        committed = handle.read()
    assert committed.split('\n', 3)[:3] == written.split('\n', 3)[:3]
