# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The controller fast path against the module path, through real ansible-playbook runs.

The collection's action plugins run a task in the worker process when its
connection is the local one (the fast path), and run the module through
AnsiballZ otherwise (the module path).  The test-only connection plugin
``billmanager_remote_test`` (tests/ansible_plugins/connection/) is ansible.builtin.local
under another transport name: to the action plugins its hosts are remote, so
the module path runs, while nothing leaves the machine.

The same playbook runs once per path, each against its own fresh sandbox set
up the same way, so license ids, dates and API calls line up; only license
keys are random.  License IPs (127.x) are data for the sandbox, never contacted.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
import socket
import sys

import pytest

from playbook_runner import CALLBACK_PLUGINS, CONNECTION_PLUGINS, REMOTE_CONNECTION, run_playbook
from sandbox_control import SandboxControl

REMOTE = REMOTE_CONNECTION
HERE = os.path.dirname(os.path.abspath(__file__))
# Test-only plugins of this folder: probes of the fast path's context, a become that stays the same user.
ACTION_PLUGINS = os.path.join(HERE, 'action_plugins')
BECOME_PLUGINS = os.path.join(HERE, 'become_plugins')
CONNECTIONS = {'fast': 'local', 'module': REMOTE}
PATHS = tuple(CONNECTIONS)
NS = 'ispsystem.billmanager.'
LITE = 55227  # ispmanager6_lite
SECRET = 'sandbox-secret'
MASKED = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
KEY = re.compile(r'^[0-9a-f]{32}$')
SEED_KEY = 'c0ffee' * 5 + '00'


class Run:
    """One ansible-playbook run and, with the results callback, every task's result."""

    def __init__(self, run, results):
        self.run = run
        self.rc = run.rc
        self.output = run.output
        self.doc = None
        if results:
            lines = [line for line in run.stdout.splitlines() if line.startswith('{"plays"')]
            assert lines, 'no result document:\n%s\n%s' % (run.stdout[-3000:], run.stderr[-3000:])
            self.doc = json.loads(lines[-1])

    def result(self, name, host='localhost'):
        for play in self.doc['plays']:
            for task in play['tasks']:
                if task['task']['name'] == name and host in task['hosts']:
                    return task['hosts'][host]
        raise AssertionError('no result of %r for %s:\n%s' % (name, host, self.output[-3000:]))

    def sections(self):
        """The default callback's output cut at each task banner: {task name: text}."""
        found = {}
        for chunk in re.split(r'^TASK \[', self.output, flags=re.M)[1:]:
            name = chunk.split(']', 1)[0]
            found[name] = chunk
        return found


def play(tmp_path, tasks, connection=None, sandbox=None, inventory=None, verbosity=0, results=True,
         env=None, hosts='localhost', forks=None, check=False, **play_keys):
    """Run one play of ``tasks``; ``connection`` is 'fast', 'module' or None (the inventory decides)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    environment = {'ANSIBLE_CONNECTION_PLUGINS': CONNECTION_PLUGINS,
                   'ANSIBLE_CALLBACK_PLUGINS': CALLBACK_PLUGINS}
    environment.update(env or {})
    args = []
    if connection is not None:
        args += ['-c', CONNECTIONS[connection]]
    if forks:
        args += ['-f', str(forks)]
    the_play = dict(name='controller action', hosts=hosts, gather_facts=False, tasks=tasks, **play_keys)
    run = run_playbook([the_play], tmp_path, sandbox=sandbox, inventory=inventory, verbosity=verbosity,
                       callback='task_results' if results else 'default', env=environment,
                       args=args, check=check)
    return Run(run, results)


def task(name, module, args, **keywords):
    entry = {'name': name, NS + module: dict(args), 'ignore_errors': True}
    entry.update(keywords)
    return entry


def new_sandbox(folder):
    """A fresh sandbox without processing delay: an order is active at the next read."""
    folder.mkdir(parents=True, exist_ok=True)
    return SandboxControl(folder / 'state.json', processing_seconds=0)


def seed(sandbox):
    """The same starting account on every sandbox: license 1, active, on 127.2.0.1."""
    sandbox.add_license(ip='127.2.0.1', licname='web1', pricelist=LITE, status=2, lickey=SEED_KEY,
                        autoprolong=1)


def closed_port():
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def normalized(result):
    """The result with the random parts (new license keys, the sandbox's port, how long the
    attempts took) replaced by markers."""
    text = re.sub(r'127\.0\.0\.1:\d+', '127.0.0.1:<port>', json.dumps(result))
    result = json.loads(re.sub(r' over [0-9.]+ s\b', ' over <t> s', text))

    def walk(node):
        if isinstance(node, dict):
            return dict((k, '<key>' if k == 'key' and isinstance(v, str) and KEY.match(v) and v != SEED_KEY
                         else walk(v)) for k, v in node.items())
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node
    return walk(result)


def requests_sent(sandbox):
    """The API requests the sandbox saw: (function, parameters), credentials masked by the sandbox."""
    return [(entry['func'], entry['params']) for entry in sandbox.log()]


def module_ran(section, module):
    """True when this task's -vvv output shows the module going through AnsiballZ."""
    return ('Using module file' in section and '/plugins/modules/%s.py' % module in section
            and 'AnsiballZ_%s.py' % module in section and 'EXEC' in section)


def module_did_not_run(section):
    return 'EXEC' not in section and 'AnsiballZ' not in section and 'Using module file' not in section


# --- the same scenario on both paths ----------------------------------------------------

ORDER = dict(ip='127.2.0.2', product='ispmanager6_lite')
SCENARIO = [
    task('no change', 'isp_license', dict(ip='127.2.0.1', product='ispmanager6_lite')),
    task('order in check mode', 'isp_license', ORDER, check_mode=True, diff=True),
    task('order', 'isp_license', ORDER, diff=True),
    task('order again', 'isp_license', ORDER),
    task('rename in diff mode', 'isp_license', dict(id=2, licname='web2'), diff=True),
    task('suspend in check mode', 'isp_license', dict(id=1, state='suspended'), check_mode=True, diff=True),
    task('suspend', 'isp_license', dict(id=1, state='suspended'), diff=True),
    task('bad ip', 'isp_license', dict(ip='127.2.0.300', product='ispmanager6_lite')),
    task('product and pricelist', 'isp_license', dict(ip='127.2.0.3', product='ispmanager6_lite', pricelist=LITE)),
    task('unknown option', 'isp_license', dict(ip='127.2.0.3', prodcut='ispmanager6_lite')),
    task('wrong type', 'isp_license', dict(ip='127.2.0.3', product='ispmanager6_lite', period='monthly')),
    task('bad password', 'isp_license', dict(ip='127.2.0.1', api_password='wrong-password')),
    task('info', 'isp_license_info', dict(details=True)),
    task('info by ip', 'isp_license_info', dict(ip='127.2.0.2')),
    task('info without certificate checks', 'isp_license_info', dict(id=1, validate_certs=False)),
    task('info bad status', 'isp_license_info', dict(status=['sleeping'])),
    task('check available', 'isp_license_check', dict(ip='127.2.0.3', product='ispmanager6_lite')),
    task('check taken', 'isp_license_check', dict(ip='127.2.0.2', product='ispmanager6_lite')),
    task('check bad password', 'isp_license_check', dict(ip='127.2.0.3', pricelist=LITE,
                                                         api_password='wrong-password')),
    task('delete', 'isp_license', dict(ip='127.2.0.2', state='absent'), diff=True),
]
NAMES = [entry['name'] for entry in SCENARIO]


@pytest.fixture(scope='module')
def both_paths(tmp_path_factory):
    """The scenario on each path, each against its own fresh sandbox: {path: (Run, requests, licenses)}."""
    outcomes = {}
    for path in PATHS:
        folder = tmp_path_factory.mktemp(path)
        with new_sandbox(folder / 'sandbox') as sandbox:
            seed(sandbox)
            run = play(folder / 'play', SCENARIO, connection=path, sandbox=sandbox)
            outcomes[path] = (run, requests_sent(sandbox), sandbox.licenses())
    return outcomes


@pytest.mark.parametrize('name', NAMES)
def test_both_paths_return_the_same_result(both_paths, name):
    fast = both_paths['fast'][0].result(name)
    module = both_paths['module'][0].result(name)
    assert normalized(fast) == normalized(module)


def test_both_paths_send_the_same_requests(both_paths):
    fast, module = both_paths['fast'][1], both_paths['module'][1]
    assert [func for func, _params in fast] == [func for func, _params in module]
    assert fast == module
    assert [lic['status'] for lic in both_paths['fast'][2]] == [lic['status'] for lic in both_paths['module'][2]]


def test_the_scenario_did_what_it_says(both_paths):
    """Both paths agree; this checks that what they agree on is right."""
    for path in PATHS:
        run = both_paths[path][0]
        result = run.result
        assert result('no change')['changed'] is False and result('no change')['actions'] == []
        assert result('no change')['license']['key'] == SEED_KEY
        assert 'diff' not in result('no change')  # not in diff mode
        check = result('order in check mode')
        assert check['changed'] is True and check['actions'] == ['order'] and check['diff']['before'] == {}
        order = result('order')
        assert order['changed'] is True and order['actions'] == ['order']
        assert order['license']['id'] == 2 and KEY.match(order['license']['key'])
        # the diff masks the key; the result's license keeps it
        assert order['diff'] == {'before': {}, 'after': dict(order['license'], key='********')}
        assert order['license']['key'] not in str(order['diff'])
        assert result('order again')['changed'] is False
        rename = result('rename in diff mode')
        assert rename['actions'] == ['edit'] and rename['diff']['before']['licname'] == '127.2.0.2'
        assert rename['diff']['after']['licname'] == 'web2'
        assert result('suspend in check mode')['actions'] == ['suspend']
        assert result('suspend')['license']['status'] == 'suspended'
        for name in ('bad ip', 'product and pricelist', 'unknown option', 'wrong type', 'info bad status'):
            assert result(name)['failed'] is True and result(name)['msg'], (path, name, result(name))
            assert 'api_error' not in result(name)
        assert 'mutually exclusive' in result('product and pricelist')['msg']
        assert 'prodcut' in result('unknown option')['msg']
        for name in ('bad password', 'check bad password'):
            failed = result(name)
            assert failed['failed'] is True and failed['api_error']['kind'] == 'auth', failed
            assert failed['invocation']['module_args']['api_password'] == MASKED
        assert [lic['id'] for lic in result('info')['licenses']] == [1, 2]
        assert result('info')['licenses'][0]['key'] == SEED_KEY
        assert any('validate_certs' in warning for warning in result('info without certificate checks')['warnings'])
        assert result('check available')['available'] is True
        assert result('check taken')['available'] is False and result('check taken')['reason']
        assert result('delete')['actions'] == ['delete'] and result('delete')['diff']['after']['status'] == 'deleted'
        for name in NAMES:
            assert result(name)['invocation']['module_args'].get('api_password') == MASKED, (path, name)


# --- no_log ---------------------------------------------------------------------------------

def test_the_password_never_shows_at_vvvv(sandbox, tmp_path):
    """Passwords given as task arguments: masked in invocation, absent from all output."""
    wrong = 'Wrong-Secret-4711'
    connection = dict(api_url=sandbox.url, api_username=sandbox.username, api_password=SECRET)
    tasks = [
        task('ensure', 'isp_license', dict(connection, ip='127.2.0.9', product='ispmanager6_lite'), diff=True),
        task('info', 'isp_license_info', dict(connection, details=True)),
        task('check', 'isp_license_check', dict(connection, ip='127.2.0.8', product='ispmanager6_lite')),
        task('wrong password', 'isp_license', dict(connection, ip='127.2.0.9', api_password=wrong)),
        task('invalid', 'isp_license', dict(connection, ip='127.2.0.9', product='ispmanager6_lite',
                                            pricelist=LITE)),
        task('session login fails', 'isp_license_info', dict(connection, auth_method='session',
                                                             api_password=wrong)),
    ]
    for path in PATHS:
        run = play(tmp_path / path, tasks, connection=path, verbosity=4, results=False)
        assert run.rc == 0, run.output[-3000:]
        assert SECRET not in run.output and wrong not in run.output, path
        sections = run.sections()
        for name in ('ensure', 'info', 'check', 'wrong password', 'invalid', 'session login fails'):
            assert MASKED in sections[name], (path, name, sections[name][-2000:])
    # the sandbox saw the passwords (it masks them in its log): they were sent, only never shown
    assert any(entry['params'].get('authinfo') == 'reseller:********' for entry in sandbox.log())


# --- environment ----------------------------------------------------------------------------

def test_credentials_from_the_environment(sandbox, tmp_path):
    """BILLMANAGER_* from the controller's environment, a task's and a block's ``environment``."""
    seed(sandbox)
    sandbox.set_config(users={'bob': {'password': 'bob-pw', 'balance': 10}})
    # the controller's environment holds a wrong password: the task environment must win
    controller_env = {'BILLMANAGER_URL': sandbox.url, 'BILLMANAGER_USERNAME': 'reseller',
                      'BILLMANAGER_PASSWORD': 'not-this-one'}
    right = {'BILLMANAGER_PASSWORD': SECRET}
    proxy = 'http://127.0.0.1:%d' % closed_port()
    tasks = [
        task('controller environment', 'isp_license_info', {}),
        task('task environment', 'isp_license_info', {}, environment=right),
        task('task environment of bob', 'isp_license_info', {},
             environment={'BILLMANAGER_USERNAME': 'bob', 'BILLMANAGER_PASSWORD': 'bob-pw'}),
        {'name': 'block', 'environment': '{{ billmanager_env }}', 'block': [
            task('block environment from a variable', 'isp_license', dict(ip='127.2.0.1',
                                                                          product='ispmanager6_lite')),
        ]},
        task('task environment with a proxy', 'isp_license_info', {},
             environment=dict(right, http_proxy=proxy, HTTP_PROXY=proxy, no_proxy='', NO_PROXY='')),
        task('task environment with a proxy and no_proxy', 'isp_license_info', {},
             environment=dict(right, http_proxy=proxy, HTTP_PROXY=proxy, no_proxy='127.0.0.1', NO_PROXY='127.0.0.1')),
        task('environment does not linger', 'isp_license_info', {}),
    ]
    env = dict(controller_env, http_proxy='', HTTP_PROXY='')
    runs = {}
    for path in PATHS:
        sandbox.clear_log()
        runs[path] = play(tmp_path / path, tasks, connection=path, env=env,
                          vars={'billmanager_env': right})
        users = [entry['user'] for entry in sandbox.log()]
        assert 'bob' in users and 'reseller' in users, (path, users)
    for path, run in runs.items():
        result = run.result
        assert result('controller environment')['api_error']['kind'] == 'auth', path
        assert [lic['id'] for lic in result('task environment')['licenses']] == [1], path
        assert result('task environment of bob')['licenses'] == [], path
        block = result('block environment from a variable')
        assert block.get('failed') is not True and block['changed'] is False, (path, block)
        proxied = result('task environment with a proxy')
        assert proxied['failed'] is True and proxied['api_error']['kind'] == 'connection', (path, proxied)
        bypassed = result('task environment with a proxy and no_proxy')
        assert bypassed.get('failed') is not True and len(bypassed['licenses']) == 1, (path, bypassed)
        assert result('environment does not linger')['api_error']['kind'] == 'auth', path
    for name in [entry['name'] for entry in tasks if 'name' in entry and entry['name'] != 'block'] + [
            'block environment from a variable']:
        assert normalized(runs['fast'].result(name)) == normalized(runs['module'].result(name)), name


def test_module_defaults_of_the_action_group(sandbox, tmp_path):
    """``module_defaults`` for group/ispsystem.billmanager.billmanager reach both paths, masked alike."""
    seed(sandbox)
    env = {'BILLMANAGER_URL': sandbox.url, 'BILLMANAGER_USERNAME': 'reseller', 'BILLMANAGER_PASSWORD': 'not-this-one'}
    defaults = {'group/ispsystem.billmanager.billmanager': {'api_password': SECRET}}
    tasks = [task('info', 'isp_license_info', {}), task('ensure', 'isp_license', dict(id=1))]
    runs = dict((path, play(tmp_path / path, tasks, connection=path, env=env, module_defaults=defaults))
                for path in PATHS)
    for name in ('info', 'ensure'):
        fast, module = runs['fast'].result(name), runs['module'].result(name)
        assert fast.get('failed') is not True, fast
        assert fast['invocation']['module_args']['api_password'] == MASKED
        assert normalized(fast) == normalized(module), name


# --- which path runs where --------------------------------------------------------------------

def inventory_file(tmp_path, lines):
    path = tmp_path / 'hosts.ini'
    path.write_text('\n'.join(lines) + '\n')
    return str(path)


def test_delegation_picks_the_path_of_the_connection(sandbox, tmp_path):
    """delegate_to a non-local host runs the module there; delegate_to localhost runs in the worker.

    localhost's interpreter does not exist: a module started for it would
    fail, so a task that succeeds there started no Python process.
    """
    seed(sandbox)
    inventory = inventory_file(tmp_path, [
        'localhost ansible_connection=local ansible_python_interpreter=/nonexistent/python3',
        'remote1 ansible_connection=%s ansible_python_interpreter=%s' % (REMOTE, sys.executable),
    ])
    args = dict(ip='127.2.0.1', product='ispmanager6_lite')
    plays = [
        {'name': 'on the controller', 'hosts': 'localhost', 'gather_facts': False, 'tasks': [
            {'name': 'local task', NS + 'isp_license': args},
            {'name': 'delegated to remote1', NS + 'isp_license': args, 'delegate_to': 'remote1'},
        ]},
        {'name': 'on remote1', 'hosts': 'remote1', 'gather_facts': False, 'tasks': [
            {'name': 'remote task', NS + 'isp_license_info': {'id': 1}},
            {'name': 'delegated to localhost', NS + 'isp_license_info': {'id': 1}, 'delegate_to': 'localhost'},
            {'name': 'check delegated to localhost', NS + 'isp_license_check': dict(args, ip='127.2.0.7'),
             'delegate_to': 'localhost'},
        ]},
    ]
    (tmp_path / 'playbook.yml').write_text(json.dumps(plays))
    run = Run(run_playbook(str(tmp_path / 'playbook.yml'), tmp_path, sandbox=sandbox, inventory=inventory,
                           verbosity=3, callback='default',
                           env={'ANSIBLE_CONNECTION_PLUGINS': CONNECTION_PLUGINS}), results=False)
    assert run.rc == 0, run.output[-4000:]
    sections = run.sections()
    assert module_did_not_run(sections['local task']), sections['local task']
    assert module_ran(sections['delegated to remote1'], 'isp_license'), sections['delegated to remote1']
    assert '<remote1> EXEC' in sections['delegated to remote1']
    assert module_ran(sections['remote task'], 'isp_license_info'), sections['remote task']
    assert module_did_not_run(sections['delegated to localhost']), sections['delegated to localhost']
    assert module_did_not_run(sections['check delegated to localhost'])
    assert re.search(r'ok: \[localhost\]', sections['local task'])
    assert re.search(r'ok: \[remote1 -> localhost\]', sections['delegated to localhost'])
    assert re.search(r'ok: \[localhost -> remote1\]', sections['delegated to remote1'])


def test_the_module_path_needs_the_interpreter(sandbox, tmp_path):
    """The proof above has teeth: the same task on the module path fails without an interpreter."""
    inventory = inventory_file(tmp_path, [
        'fast ansible_connection=local ansible_python_interpreter=/nonexistent/python3',
        'module ansible_connection=%s ansible_python_interpreter=/nonexistent/python3' % REMOTE,
    ])
    run = play(tmp_path, [task('info', 'isp_license_info', {})], sandbox=sandbox, inventory=inventory,
               hosts='all', verbosity=3)
    assert run.result('info', host='fast').get('failed') is not True
    module = run.result('info', host='module')
    assert module['failed'] is True and 'nonexistent' in json.dumps(module), module


def test_async_runs_the_module(sandbox, tmp_path):
    """``async`` needs a process that outlives the task (async_wrapper): the module path, even locally."""
    seed(sandbox)
    tasks = [task('async info', 'isp_license_info', {'id': 1}, **{'async': 60, 'poll': 1}),
             task('sync info', 'isp_license_info', {'id': 1})]
    run = play(tmp_path, tasks, connection='fast', sandbox=sandbox, verbosity=3)
    async_info, sync_info = run.result('async info'), run.result('sync info')
    assert 'async_wrapper' in run.output, run.output[-3000:]
    assert async_info.get('failed') is not True, async_info
    assert async_info['finished'] == 1 and async_info['ansible_job_id']
    assert async_info['licenses'] == sync_info['licenses'] and len(sync_info['licenses']) == 1


def test_become_runs_the_module(sandbox, tmp_path):
    """``become`` would run the module as another user: the module path, even locally."""
    seed(sandbox)
    tasks = [task('become info', 'isp_license_info', {'id': 1}, become=True,
                  become_method='billmanager_become_test'),
             task('plain info', 'isp_license_info', {'id': 1})]
    run = play(tmp_path, tasks, connection='fast', sandbox=sandbox, verbosity=3, results=False,
               # the become user is the one running the tests: ansible would skip become without this
               env={'ANSIBLE_BECOME_PLUGINS': BECOME_PLUGINS, 'ANSIBLE_BECOME_ALLOW_SAME_USER': 'True'})
    assert run.rc == 0, run.output[-3000:]
    sections = run.sections()
    become, plain = sections['become info'], sections['plain info']
    assert module_ran(become, 'isp_license_info') and 'BECOME-SUCCESS-' in become, become[-3000:]
    assert 'running the module (become)' in become
    assert module_did_not_run(plain), plain[-3000:]
    for section in (become, plain):
        assert 'ok: [localhost]' in section and '"licname": "web1"' in section, section[-3000:]


def test_a_controller_python_without_requests_runs_the_module(sandbox, tmp_path):
    """Without requests on the controller's Python the module runs (on ansible_python_interpreter).

    A ``requests`` that fails to import, first on PYTHONPATH, stands for a
    controller Python without it; the task environment empties PYTHONPATH
    for the module's interpreter only.  The task without that environment
    proves the stand-in works: its module cannot import requests either.
    """
    seed(sandbox)
    blocked = tmp_path / 'without-requests'
    (blocked / 'requests').mkdir(parents=True)
    (blocked / 'requests' / '__init__.py').write_text("raise ImportError('requests is hidden by the test')\n")
    tasks = [task('module with requests', 'isp_license_info', {'id': 1}, environment={'PYTHONPATH': ''}),
             task('module without requests', 'isp_license_info', {'id': 1})]
    run = play(tmp_path / 'play', tasks, connection='fast', sandbox=sandbox, verbosity=3, results=False,
               env={'PYTHONPATH': str(blocked)})
    assert run.rc == 0, run.output[-3000:]
    sections = run.sections()
    works, fails = sections['module with requests'], sections['module without requests']
    for section in (works, fails):
        assert module_ran(section, 'isp_license_info'), section[-3000:]
        assert "running the module (the controller's Python cannot import requests)" in section
    assert 'ok: [localhost]' in works and '"licname": "web1"' in works, works[-3000:]
    assert 'fatal: [localhost]' in fails and 'requests' in fails and '"licname": "web1"' not in fails, fails[-3000:]


def test_an_argument_spec_the_facade_cannot_serve_runs_the_module(tmp_path):
    """Aliases (their warnings are private to the validator): the module path, here a missing module."""
    tasks = [{'name': 'alias', 'billmanager_alias_probe': {'msg': 'hello'}, 'ignore_errors': True}]
    run = play(tmp_path, tasks, connection='fast', verbosity=3, results=False,
               env={'ANSIBLE_ACTION_PLUGINS': ACTION_PLUGINS})
    section = run.sections()['alias']
    assert 'running the module (an option with aliases or a deprecation)' in section, section[-3000:]
    assert 'fatal: [localhost]' in section and 'billmanager_alias_probe' in section


# --- what the fast path gives the operations ------------------------------------------------

def probe_run(tmp_path, verbosity):
    """Two probe tasks on three local hosts with forks 3: {(task, host): result}, the run."""
    tmp_path.mkdir(parents=True)
    inventory = inventory_file(tmp_path, ['[probes]'] + [
        'probe%d ansible_connection=local ansible_python_interpreter=%s' % (n, sys.executable) for n in (1, 2, 3)])
    args = dict(api_url='http://127.0.0.1:%d' % closed_port(), api_username='u', api_password=SECRET)
    tasks = [{'name': 'probe', 'billmanager_context_probe': dict(args, message='probing {{ inventory_hostname }}')},
             {'name': 'probe again', 'billmanager_context_probe': args}]
    run = play(tmp_path, tasks, inventory=inventory, hosts='probes', forks=3, verbosity=verbosity,
               env={'ANSIBLE_ACTION_PLUGINS': ACTION_PLUGINS})
    assert run.rc == 0, run.output[-3000:]
    results = dict(((name, host), run.result(name, host=host))
                   for name in ('probe', 'probe again') for host in ('probe1', 'probe2', 'probe3'))
    return results, run


def test_the_run_id_names_one_playbook_run(tmp_path):
    """One id for every task and fork of a run, another for the next run."""
    first, _run = probe_run(tmp_path / 'first', 0)
    second, _run = probe_run(tmp_path / 'second', 0)
    ids = [set(result['run_id'] for result in results.values()) for results in (first, second)]
    assert all(len(found) == 1 for found in ids), ids
    assert ids[0] != ids[1] and all(isinstance(run_id, str) and run_id for (run_id,) in ids), ids
    assert all(result.get('failed') is not True for result in first.values())


def test_progress_shows_at_verbose_only(tmp_path):
    _results, quiet = probe_run(tmp_path / 'quiet', 0)
    _results, verbose = probe_run(tmp_path / 'verbose', 1)
    for host in ('probe1', 'probe2', 'probe3'):
        line = '<%s> probing %s' % (host, host)
        assert line in verbose.output, verbose.output[-3000:]
        assert line not in quiet.output and 'probing %s' % host in quiet.output  # in the result's invocation


# --- a fleet ------------------------------------------------------------------------------------

def test_a_fleet_orders_exactly_one_license_per_new_host(sandbox, tmp_path):
    """40 hosts, forks 10, the task delegated to localhost: 40 orders, 40 new licenses; again: none."""
    count = 40
    inventory = inventory_file(tmp_path, ['[fleet]'] + [
        'srv%03d ansible_connection=%s ansible_python_interpreter=/nonexistent/python3 license_ip=127.3.0.%d'
        % (number, REMOTE, number) for number in range(1, count + 1)])
    tasks = [{'name': 'license', NS + 'isp_license': {'ip': '{{ license_ip }}', 'product': 'ispmanager6_lite'},
              'delegate_to': 'localhost'}]
    for attempt in ('first', 'second'):
        sandbox.clear_log()
        run = play(tmp_path / attempt, tasks, sandbox=sandbox, inventory=inventory, hosts='fleet', forks=10)
        stats = run.doc['stats']
        assert len(stats) == count and all(s['failures'] == 0 and s['unreachable'] == 0 for s in stats.values())
        orders = sandbox.calls('soft.order.param')
        changed = sum(s['changed'] for s in stats.values())
        if attempt == 'first':
            assert len(orders) == count == changed
        else:
            assert orders == [] and changed == 0
    licenses = sandbox.licenses()
    assert sorted(lic['ip'] for lic in licenses) == sorted('127.3.0.%d' % n for n in range(1, count + 1))
    assert all(lic['status'] == 2 and lic['lickey'] for lic in licenses)
