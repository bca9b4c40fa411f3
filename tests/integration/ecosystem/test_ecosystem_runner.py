# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A provisioning job run the way AWX runs it: ansible-runner transmit | worker | process.

AWX (with receptor, on an execution node) does not call ansible-playbook: it
writes a private data directory (the project, the inventory, ``env/envvars``
with the credentials' environment, ``env/extravars``, the credentials' files),
streams it with ``ansible-runner transmit`` to ``ansible-runner worker`` on
the execution node, and turns the worker's event stream back into job events
and artifacts with ``ansible-runner process``. AWX then keeps every job
event. This test does the same against the sandbox, with the injectors of
``extensions/awx/credential_type_billmanager.yml`` rendered as AWX renders
them (``env`` and ``file`` injectors, whatever the file holds at run time),
the playbook ``ispsystem.billmanager.provision`` on local stand-in hosts
(``ansible_connection: local``, a panel root each under tmp_path, a
loopback license IP each), and checks every job event and every artifact
file: the play succeeded, the second job changed nothing, and neither the
password nor any license key appears anywhere.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import json
import os
import stat
import subprocess
import sys
import tempfile

import pytest
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

from collection_path import collections_root
from ecosystem_helpers import REPO

BIN = os.path.dirname(sys.executable)
RUNNER = os.path.join(BIN, 'ansible-runner')
CREDENTIAL_TYPE = os.path.join(REPO, 'extensions', 'awx', 'credential_type_billmanager.yml')

pytestmark = pytest.mark.skipif(not os.path.exists(RUNNER),
                                reason='ansible-runner is not installed (requirements-dev.txt)')


class _Namespace:
    pass


def render_injectors(inputs, files_dir, files_path):
    """AWX's injection of a credential with ``inputs``, generically over the credential type.

    A field the credential leaves unset is missing from the namespace (a
    boolean one is false); each ``file`` template is written (0600) under
    ``files_dir`` and named in ``tower.filename`` by the path it will have
    where the job runs (``files_path``); then the ``env`` and ``extra_vars``
    templates are rendered. Returns (env, extra_vars).
    """
    with open(CREDENTIAL_TYPE, encoding='utf-8') as handle:
        ctype = yaml.safe_load(handle)
    namespace = {}
    for field in ctype['inputs']['fields']:
        value = inputs.get(field['id'])
        if field.get('type', 'string') == 'boolean':
            namespace[field['id']] = bool(value)
        elif value not in (None, ''):
            namespace[field['id']] = value
    tower = _Namespace()
    namespace['tower'] = tower
    jinja = ImmutableSandboxedEnvironment()
    injectors = ctype.get('injectors', {})
    for label, template in sorted(injectors.get('file', {}).items()):
        handle, path = tempfile.mkstemp(dir=files_dir, prefix='tmp')
        with os.fdopen(handle, 'w') as out:
            out.write(jinja.from_string(template).render(**namespace))
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        where = os.path.join(files_path, os.path.basename(path))
        if '.' not in label:
            tower.filename = where
        else:
            if not isinstance(getattr(tower, 'filename', None), _Namespace):
                tower.filename = _Namespace()
            setattr(tower.filename, label.split('.', 1)[1], where)
    env = dict((name, jinja.from_string(template).render(**namespace))
               for name, template in injectors.get('env', {}).items())
    extra_vars = dict((name, jinja.from_string(template).render(**namespace))
                      for name, template in injectors.get('extra_vars', {}).items())
    return env, extra_vars


def hosts(tmp_path, sandbox):
    """The inventory of stand-in servers: this machine, one loopback license IP and panel root each."""
    found = {}
    for name, ip in (('web1', '127.0.0.151'), ('web2', '127.0.0.152')):
        root = tmp_path / 'servers' / name
        root.mkdir(parents=True)
        found[name] = {'licensed_server_license_ip': ip, 'licensed_server_panel_root': str(root / 'mgr5')}
    group_vars = {
        'ansible_connection': 'local',
        'ansible_python_interpreter': sys.executable,
        'licensed_server_install_packages': False,
        'licensed_server_installer_url': sandbox.base + '/mirror/install.sh',
        'licensed_server_panel_environment': {
            'LICCTL_SOURCE_IP': '{{ licensed_server_license_ip }}',
            'LICCTL_PYTHON': sys.executable,
        },
    }
    return {'licensed_servers': {'hosts': found, 'vars': group_vars}}


def run_job(tmp_path, sandbox, name, inventory):
    """One job: a fresh private data dir, streamed through transmit | worker | process."""
    controller = tmp_path / name / 'controller'   # AWX's private data dir on the control node
    node = tmp_path / name / 'node'               # the execution node's
    for path in (controller / 'env', controller / 'inventory', controller / 'project'):
        path.mkdir(parents=True)
    node.mkdir(parents=True)
    env, extra_vars = render_injectors(
        {'api_url': sandbox.url, 'username': sandbox.username, 'password': sandbox.password},
        str(controller / 'env'), str(node / 'env'))
    env.update({
        'ANSIBLE_COLLECTIONS_PATH': collections_root(),
        'ANSIBLE_RETRY_FILES_ENABLED': 'False',
        'ANSIBLE_LOCALHOST_WARNING': 'False',
        'ANSIBLE_NOCOLOR': '1',
    })
    (controller / 'env' / 'envvars').write_text(yaml.safe_dump(env))
    extra_vars.update({'provision_group': 'licensed_servers', 'licensed_server_product': 'ispmanager6_pro'})
    (controller / 'env' / 'extravars').write_text(yaml.safe_dump(extra_vars))
    (controller / 'inventory' / 'hosts.yml').write_text(yaml.safe_dump(inventory))
    # A project as a user keeps it: a playbook that runs the collection's.
    (controller / 'project' / 'provision.yml').write_text(
        '---\n- name: Provision\n  ansible.builtin.import_playbook: ispsystem.billmanager.provision\n')

    path_env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get('PATH', ''))
    for variable in list(path_env):
        if variable.startswith('BILLMANAGER_'):
            del path_env[variable]  # only the credential's environment reaches the job
    transmit = subprocess.Popen([RUNNER, 'transmit', str(controller), '-p', 'provision.yml'],
                                stdout=subprocess.PIPE, env=path_env)
    worker = subprocess.Popen([RUNNER, 'worker', '--private-data-dir', str(node)], stdin=transmit.stdout,
                              stdout=subprocess.PIPE, env=path_env)
    transmit.stdout.close()
    process = subprocess.run([RUNNER, 'process', str(controller)], stdin=worker.stdout, env=path_env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600,
                             universal_newlines=True, check=False)
    worker.stdout.close()
    assert worker.wait(timeout=60) == 0 and transmit.wait(timeout=60) == 0, process.stdout[-4000:]
    # `process` writes the artifacts where AWX reads them: <private data dir>/artifacts.
    artifacts = str(controller / 'artifacts')
    assert os.path.isdir(os.path.join(artifacts, 'job_events')), process.stdout[-4000:]
    events = []
    for path in sorted(glob.glob(os.path.join(artifacts, 'job_events', '*.json'))):
        with open(path, encoding='utf-8') as handle:
            events.append(json.load(handle))
    # The credential's files reached the execution node where the environment names them.
    injected = [name for name in os.listdir(str(controller / 'env')) if name.startswith('tmp')]
    for name in injected:
        assert (node / 'env' / name).read_text() == (controller / 'env' / name).read_text(), name
    return {'rc': process.returncode, 'stdout': process.stdout, 'artifacts': artifacts, 'events': events,
            'controller': controller, 'node': node}


def _files(*roots):
    for root in roots:
        for folder, _dirs, names in os.walk(str(root)):
            for name in names:
                yield os.path.join(folder, name)


def _stats(job):
    stats = [event for event in job['events'] if event.get('event') == 'playbook_on_stats']
    assert len(stats) == 1, [event.get('event') for event in job['events']]
    return stats[0]['event_data']


def test_provision_as_awx_runs_it_leaks_neither_password_nor_key(sandbox, tmp_path):
    inventory = hosts(tmp_path, sandbox)

    first = run_job(tmp_path, sandbox, 'job1', inventory)
    assert first['rc'] == 0, first['stdout'][-4000:]
    with open(os.path.join(first['artifacts'], 'rc'), encoding='utf-8') as handle:
        assert handle.read().strip() == '0'
    with open(os.path.join(first['artifacts'], 'status'), encoding='utf-8') as handle:
        assert handle.read().strip() == 'successful'
    stats = _stats(first)
    assert not stats.get('failures') and not stats.get('dark'), stats
    assert sorted(stats.get('changed', {})) == ['web1', 'web2'], stats
    licenses = sandbox.licenses()
    assert sorted(lic['licname'] for lic in licenses) == ['web1', 'web2']
    assert all(lic['status'] == 2 and lic['lickey'] for lic in licenses)

    second = run_job(tmp_path, sandbox, 'job2', inventory)
    assert second['rc'] == 0, second['stdout'][-4000:]
    stats = _stats(second)
    assert not stats.get('failures') and not stats.get('dark'), stats
    assert not any(stats.get('changed', {}).values()), stats  # the second job changed nothing
    assert sorted(stats.get('ok', {})) == ['web1', 'web2'], stats

    keys = [lic['lickey'] for lic in sandbox.licenses() if lic['lickey']]
    assert len(keys) == 2
    # AWX keeps the job events and the artifacts (stdout, the event files, the
    # command, ...): the key must be in none of them.
    for job in (first, second):
        assert len(job['events']) > 20
        for path in _files(job['artifacts'], job['node'] / 'artifacts'):
            with open(path, encoding='utf-8', errors='replace') as handle:
                text = handle.read()
            for key in keys:
                assert key not in text, 'a license key in %s' % path
        for event in job['events']:
            text = json.dumps(event)
            for key in keys:
                assert key not in text, event.get('event')

    # The password: none of the job's events or artifacts may show it. (The
    # private data dir's env/ holds it by design: AWX's input, not its record.)
    for job in (first, second):
        for event in job['events']:
            assert sandbox.password not in json.dumps(event), event.get('event')
    leaks = []
    for job in (first, second):
        for path in _files(job['artifacts'], job['node'] / 'artifacts'):
            with open(path, encoding='utf-8', errors='replace') as handle:
                if sandbox.password in handle.read():
                    leaks.append(os.path.relpath(path, str(tmp_path)))
    # ansible-runner records the job's environment in artifacts/command: a
    # password injected as an environment variable would be there. The
    # credential type injects it as a file (BILLMANAGER_PASSWORD_FILE).
    assert leaks == [], 'the password is in %s' % leaks
