# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection as Galaxy ships it: build the tarball, install it into an
empty path, and use only that copy (ansible-playbook, ansible-doc).

Runs with the ansible-core of the test environment, so ``make test-matrix``
repeats it on the oldest and the newest ansible-core. The module-side run
uses ``BILLMANAGER_TEST_MODULE_PYTHON`` as the module's interpreter when set
(the matrix sets it to the oldest Python that ansible-core supports on
managed hosts, with requests installed), else the tests' own Python.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import fnmatch
import json
import os
import re
import subprocess
import sys
import tarfile
import time
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest
import yaml

from ecosystem_helpers import REPO, galaxy, only_installed_env, run, tool
from playbook_runner import REMOTE_CONNECTION, ansible_env, run_playbook

FQCN = 'ispsystem.billmanager'

# Must be in the tarball: what Galaxy, AWX and ansible-builder read.
REQUIRED = (
    'MANIFEST.json', 'FILES.json', 'README.md', 'LICENSE', 'meta/runtime.yml', 'meta/execution-environment.yml',
    'requirements.txt', 'bindep.txt', 'changelogs/changelog.yaml', 'CHANGELOG.rst',
    'extensions/awx/credential_type_billmanager.yml', 'plugins/doc_fragments/connection.py',
    'plugins/inventory/licenses.py', 'sandbox/billmanager_sandbox.py', 'sandbox/README.md',
)

# Never in the tarball: test output, virtualenvs, caches, sandbox state, other tarballs, and the lab
# around the collection (benchmarks, the demo, CI, development tools and their configuration).
FORBIDDEN = (
    'tests/output', 'tests/output/*', '.venv*', '*/.venv*', '*__pycache__*', '*.pyc', '*.pytest_cache*',
    '*.hypothesis*', '.ansible', '.ansible/*', '*/.ansible/*', '.cache*', '*.tar.gz', '.git', '.git/*',
    'sandbox/state*.json', '*.state.json', '*.port', 'collections/*', 'benchmarks/results*',
    'changelogs/.plugin-cache.yaml', 'benchmarks', 'benchmarks/*', 'demo', 'demo/*', '.ci', '.ci/*',
    'tools', 'tools/*', 'Makefile', 'requirements-dev.txt', 'noxfile.py', 'antsibull-nox.toml', 'galaxy-importer.cfg', '.nox', '.nox/*',
    '.ansible-lint', '.gitignore', '*.log',
)

# Shipped whole: every file git tracks under these folders is in the tarball.
SHIPPED_TREES = ('plugins', 'roles', 'playbooks', 'meta', 'docs', 'extensions', 'sandbox')


def _members(path):
    with tarfile.open(path) as archive:
        return sorted(member.name[2:] if member.name.startswith('./') else member.name
                      for member in archive.getmembers())


def _forbidden(names):
    return sorted(name for name in names if any(fnmatch.fnmatch(name, pattern) for pattern in FORBIDDEN))


def _module_names():
    return sorted(os.path.splitext(name)[0] for name in os.listdir(os.path.join(REPO, 'plugins', 'modules'))
                  if name.endswith('.py') and not name.startswith('__'))


def test_the_tarball_holds_the_collection_and_nothing_local(tarball):
    names = _members(tarball)
    missing = [name for name in REQUIRED if name not in names]
    assert missing == [], 'missing from %s: %s' % (os.path.basename(tarball), missing)
    for module in _module_names():
        assert 'plugins/modules/%s.py' % module in names
        assert 'plugins/action/%s.py' % module in names
    assert any(name.startswith('roles/licensed_server/') for name in names)
    assert any(name.startswith('docs/') and name.endswith('.md') for name in names)
    assert _forbidden(names) == []
    tracked = _tracked()
    for tree in SHIPPED_TREES:
        files = [path for path in tracked if path.startswith(tree + '/') and '__pycache__' not in path]
        assert files, 'git tracks nothing under %s/' % tree
        assert sorted(set(files) - set(names)) == [], 'tracked under %s/ but not in the tarball' % tree
    assert not any(name.startswith(('benchmarks/', 'demo/', 'tools/', '.ci/')) for name in names)
    with tarfile.open(tarball) as archive:
        manifest = json.load(archive.extractfile('MANIFEST.json'))
    info = galaxy()
    assert manifest['collection_info']['version'] == info['version']
    assert manifest['collection_info']['dependencies'] == {}


def _tracked():
    listing = subprocess.run(['git', '-c', 'safe.directory=' + REPO, 'ls-files', '-z'], cwd=REPO,
                             stdout=subprocess.PIPE, check=True).stdout
    return sorted(path for path in listing.decode('utf-8').split('\0') if path)


def test_build_ignore_keeps_local_state_out(tmp_path):
    """Build a copy of the checkout strewn with what a working tree collects, and look inside.

    The real checkout may be clean (a fresh CI clone); this copy is not.
    """
    root = tmp_path / 'src'
    listing = subprocess.run(['git', '-c', 'safe.directory=' + REPO, 'ls-files', '-z', '--cached', '--others',
                              '--exclude-standard'], cwd=REPO, stdout=subprocess.PIPE, check=True).stdout
    for path in listing.decode('utf-8').split('\0'):
        source = os.path.join(REPO, path)
        if not path or not os.path.isfile(source):
            continue
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(source, 'rb') as src, open(str(target), 'wb') as dst:
            dst.write(src.read())
    junk = [
        'tests/output/bot/ansible-test-sanity.json', 'tests/output/.tmp/x', '.venv/bin/python',
        '.venv-matrix-2.17/pyvenv.cfg', '.pytest_cache/v/cache/lastfailed', '.hypothesis/examples/x',
        'tests/unit/plugins/module_utils/.hypothesis/constants/x', 'tests/unit/.pytest_cache/x',
        'plugins/module_utils/__pycache__/api.cpython-312.pyc', 'sandbox/state.json', 'sandbox/state-demo.json',
        'demo/web1.state.json', 'ispsystem-billmanager-0.0.1.tar.gz', '.ansible/tmp/x', 'roles/x/.ansible/y',
        'collections/ansible_collections/x', 'benchmarks/results/run.json', 'changelogs/.plugin-cache.yaml',
        '.nox/lint/bin/python', 'tests/output/junit/x.xml', 'matrix-2.16.log',
    ]
    for path in junk:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text('junk\n')
    out = tmp_path / 'out'
    out.mkdir()
    run([tool('ansible-galaxy'), 'collection', 'build', '--output-path', str(out), str(root)])
    names = _members(str(next(out.glob('*.tar.gz'))))
    assert [name for name in names if 'junk' in name or name in junk] == []
    leaked = [path for path in junk if path in names]
    assert leaked == [], 'galaxy.yml build_ignore lets these into the tarball: %s' % leaked
    assert _forbidden(names) == []


def _seed(sandbox):
    return sandbox.add_license(licname='web1.example.com', ip='203.0.113.10', pricelist=55227)


def test_the_installed_copy_alone_runs_isp_license_info(installed, sandbox, tmp_path):
    lic = _seed(sandbox)
    env = only_installed_env(installed)
    listing = run([tool('ansible-galaxy'), 'collection', 'list', FQCN, '--format', 'json'],
                  env=ansible_env(extra=env), cwd=str(tmp_path))
    paths = [path for path, found in json.loads(listing).items() if FQCN in found]
    assert paths == [str(installed / 'ansible_collections')], listing
    doc = json.loads(run([tool('ansible-doc'), '-t', 'module', FQCN + '.isp_license_info', '--json'],
                         env=ansible_env(extra=env), cwd=str(tmp_path)))
    assert doc[FQCN + '.isp_license_info']['doc']['filename'].startswith(str(installed)), doc

    play = [{'name': 'Read from the installed copy', 'hosts': 'localhost', 'gather_facts': False,
             'tasks': [{'name': 'Read', 'register': 'found',
                        'ispsystem.billmanager.isp_license_info': {'ip': '203.0.113.10', 'details': True}}]}]
    result = run_playbook(play, tmp_path, sandbox=sandbox, env=env)
    assert result.rc == 0, result
    licenses = result.result('Read')['licenses']
    assert [(item['id'], item['licname'], item['product'], item['status']) for item in licenses] == \
        [(lic['id'], 'web1.example.com', 'ispmanager6_lite', 'active')]
    assert licenses[0]['key'] == lic['lickey']


def test_the_installed_copy_runs_as_a_module_on_the_module_side_python(installed, sandbox, tmp_path):
    """The module path (AnsiballZ): the installed module and module_utils on the managed host's Python."""
    python = os.environ.get('BILLMANAGER_TEST_MODULE_PYTHON') or sys.executable
    version = subprocess.run([python, '-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'],
                             stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout.strip()
    inventory = tmp_path / 'hosts'
    inventory.write_text('managed ansible_connection=%s ansible_python_interpreter=%s\n' % (REMOTE_CONNECTION, python))
    lic = _seed(sandbox)
    play = [{'name': 'Module side', 'hosts': 'managed', 'gather_facts': False, 'tasks': [
        {'name': 'Python', 'ansible.builtin.setup': {'gather_subset': ['!all', 'min']}},
        {'name': 'Read', 'ispsystem.billmanager.isp_license_info': {'ip': '203.0.113.10'}},
        {'name': 'Check',
         'ispsystem.billmanager.isp_license_check': {'ip': '203.0.113.11', 'product': 'ispmanager6_lite'}},
    ]}]
    result = run_playbook(play, tmp_path, sandbox=sandbox, inventory=str(inventory),
                          env=only_installed_env(installed))
    assert result.rc == 0, result
    assert result.result('Python', 'managed')['ansible_facts']['ansible_python_version'] == version
    assert [item['id'] for item in result.result('Read', 'managed')['licenses']] == [lic['id']]
    assert result.result('Check', 'managed')['available'] is True
    assert 'soft' in sandbox.calls() and 'soft.checkip' in sandbox.calls()


def test_ansible_doc_renders_every_plugin_and_the_role_from_the_installed_copy(installed, tmp_path):
    env = ansible_env(extra=only_installed_env(installed))
    listed = json.loads(run([tool('ansible-doc'), '-t', 'module', '--list', FQCN, '--json'], env=env,
                            cwd=str(tmp_path)))
    assert sorted(listed) == ['%s.%s' % (FQCN, name) for name in _module_names()]
    for module in _module_names():
        text = run([tool('ansible-doc'), '-t', 'module', '%s.%s' % (FQCN, module)], env=env, cwd=str(tmp_path))
        for heading in ('OPTIONS', 'EXAMPLES', 'RETURN VALUES', 'api_password', 'BILLMANAGER_PASSWORD'):
            assert heading in text, '%s: no %s in ansible-doc' % (module, heading)
    text = run([tool('ansible-doc'), '-t', 'inventory', FQCN + '.licenses'], env=env, cwd=str(tmp_path))
    assert 'EXAMPLES' in text and 'BILLMANAGER_URL' in text
    roles = sorted(os.listdir(os.path.join(REPO, 'roles')))
    assert roles
    for role in roles:
        text = run([tool('ansible-doc'), '-t', 'role', '%s.%s' % (FQCN, role)], env=env, cwd=str(tmp_path))
        assert re.search(r'ENTRY POINT:\s*\*?main\b', text), text[:2000]


def test_the_installed_playbooks_parse_by_their_fqcn(installed, tmp_path):
    """ansible-doc has no playbook type: the playbooks document themselves in their header comment."""
    env = ansible_env(extra=only_installed_env(installed))
    playbooks = sorted(os.path.splitext(name)[0] for name in os.listdir(os.path.join(REPO, 'playbooks'))
                       if name.endswith(('.yml', '.yaml')))
    assert playbooks
    for playbook in playbooks:
        run([tool('ansible-playbook'), '--syntax-check', '-i', 'localhost,', '%s.%s' % (FQCN, playbook)],
            env=env, cwd=str(tmp_path))
        with open(os.path.join(REPO, 'playbooks', playbook + '.yml'), encoding='utf-8') as handle:
            header = handle.read().split('\n- ', 1)[0]
        assert 'ansible-playbook' in header and 'BILLMANAGER_' in header, \
            'playbooks/%s.yml: its header comment should show how to run it and where the connection comes from' \
            % playbook
        assert yaml.safe_load(open(os.path.join(REPO, 'playbooks', playbook + '.yml'), encoding='utf-8'))


def test_the_installed_copy_verifies_offline(installed, tmp_path):
    env = ansible_env(extra=only_installed_env(installed))
    out = run([tool('ansible-galaxy'), 'collection', 'verify', '--offline', FQCN], env=env, cwd=str(tmp_path))
    assert 'Successfully verified' in out or 'verified' in out.lower(), out


@pytest.mark.parametrize('relative', ['extensions/awx/credential_type_billmanager.yml',
                                      'meta/execution-environment.yml', 'requirements.txt', 'bindep.txt'])
def test_the_installed_copy_carries_the_awx_and_ee_files(installed, relative):
    path = installed / 'ansible_collections' / 'ispsystem' / 'billmanager' / relative
    with open(str(path), encoding='utf-8') as copy, open(os.path.join(REPO, relative), encoding='utf-8') as src:
        assert copy.read() == src.read()


def test_the_sandbox_starts_from_the_installed_copy(installed, tmp_path):
    """docs/guide.md: a user starts the sandbox from the installed collection and calls its API."""
    server = installed / 'ansible_collections' / 'ispsystem' / 'billmanager' / 'sandbox' / 'billmanager_sandbox.py'
    assert server.is_file()
    port_file = tmp_path / 'port'
    with open(str(tmp_path / 'sandbox.out'), 'wb') as output:
        process = subprocess.Popen([sys.executable, str(server), '--host', '127.0.0.1', '--port', '0',
                                    '--port-file', str(port_file), '--state', str(tmp_path / 'state.json')],
                                   cwd=str(tmp_path), stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while not (port_file.is_file() and port_file.read_text().strip()):
            assert process.poll() is None, (tmp_path / 'sandbox.out').read_text()
            assert time.monotonic() < deadline, 'the sandbox did not start in 30 s'
            time.sleep(0.05)
        url = 'http://127.0.0.1:%s/billmgr' % port_file.read_text().strip()
        body = urlencode({'func': 'soft', 'out': 'json', 'authinfo': 'reseller:sandbox-secret'}).encode('ascii')
        with urlopen(Request(url, data=body), timeout=30) as answer:
            reply = json.loads(answer.read().decode('utf-8'))
        assert 'doc' in reply and 'error' not in reply['doc'], reply
    finally:
        process.terminate()
        process.wait(timeout=30)
