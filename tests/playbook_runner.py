# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run real ``ansible-playbook`` processes against the sandbox.

Integration tests write a playbook, run it with the JSON callback and read
each task's result; nothing of Ansible is faked.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys

import yaml

from collection_path import REPO, collections_root

BIN = os.path.dirname(sys.executable)
# Test-only plugins: ``task_results`` (every task's result as one JSON
# document; plain ansible-core has no json callback, that one lives in
# ansible.posix) and ``billmanager_remote_test`` (the local connection under
# another name, so that the action plugins take the module path).
TEST_PLUGINS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ansible_plugins')
CALLBACK_PLUGINS = os.path.join(TEST_PLUGINS, 'callback')
CONNECTION_PLUGINS = os.path.join(TEST_PLUGINS, 'connection')
REMOTE_CONNECTION = 'billmanager_remote_test'


class PlaybookRun:
    """The outcome of one ``ansible-playbook`` run."""

    def __init__(self, args, returncode, stdout, stderr, callback):
        self.args = args
        self.rc = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.output = stdout + stderr
        self.doc = None
        if callback == 'task_results':
            documents = [line for line in stdout.splitlines() if line.startswith('{"plays"')]
            assert documents, 'no result document (rc %s):\n%s\n%s' % (
                returncode, stdout[-3000:], stderr[-3000:])
            self.doc = json.loads(documents[-1])

    def results(self, host='localhost'):
        """Every task's result for ``host``, in order, as (task name, result)."""
        found = []
        for play in self.doc['plays']:
            for task in play['tasks']:
                if host in task['hosts']:
                    found.append((task['task']['name'], task['hosts'][host]))
        return found

    def result(self, name, host='localhost'):
        """The result of the task called ``name`` for ``host``."""
        matches = [result for task, result in self.results(host) if task == name]
        assert matches, 'no task %r for %s in: %s' % (name, host, [t for t, _r in self.results(host)])
        return matches[-1]

    @property
    def stats(self):
        return self.doc['stats']

    def __repr__(self):
        return 'PlaybookRun(rc=%s)\n%s' % (self.rc, self.output[-4000:])


def ansible_env(sandbox=None, extra=None):
    """Environment for an Ansible process: this collection, quiet, no retry files."""
    env = dict(os.environ)
    env.update({
        'ANSIBLE_COLLECTIONS_PATH': collections_root(),
        'ANSIBLE_HOST_KEY_CHECKING': 'False',
        'ANSIBLE_RETRY_FILES_ENABLED': 'False',
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_LOCALHOST_WARNING': 'False',
        'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'False',
        # ansible-core 2.21 returns a task's `invocation` only when asked; the
        # tests read it (no_log masking) on every version.
        'ANSIBLE_INJECT_INVOCATION': 'True',
        'ANSIBLE_CALLBACK_PLUGINS': CALLBACK_PLUGINS,
        'ANSIBLE_CONNECTION_PLUGINS': CONNECTION_PLUGINS,
        'PATH': BIN + os.pathsep + env.get('PATH', ''),
    })
    if sandbox is not None:
        env.update({
            'BILLMANAGER_URL': sandbox.url,
            'BILLMANAGER_USERNAME': sandbox.username,
            'BILLMANAGER_PASSWORD': sandbox.password,
        })
    env.update(extra or {})
    return env


def run_playbook(playbook, tmp_path, sandbox=None, check=False, diff=False, verbosity=0,
                 extra_vars=None, inventory=None, callback='task_results', env=None, args=(), timeout=600):
    """Run ``playbook`` (a list of plays, or a path) and return a PlaybookRun.

    With ``sandbox`` the connection comes from the BILLMANAGER_* variables,
    as an AWX credential would set them.
    """
    if not isinstance(playbook, str):
        path = tmp_path / 'playbook.yml'
        path.write_text(yaml.safe_dump(playbook, sort_keys=False))
        playbook = str(path)
    command = [os.path.join(BIN, 'ansible-playbook'), playbook,
               '-i', inventory or 'localhost,', ]
    if inventory is None:
        command += ['-c', 'local', '-e', 'ansible_python_interpreter=%s' % sys.executable]
    if check:
        command.append('--check')
    if diff:
        command.append('--diff')
    if verbosity:
        command.append('-' + 'v' * verbosity)
    if extra_vars:
        command += ['-e', json.dumps(extra_vars)]
    command += list(args)
    environment = ansible_env(sandbox, env)
    environment['ANSIBLE_STDOUT_CALLBACK'] = callback
    process = subprocess.run(command, cwd=str(tmp_path), env=environment, timeout=timeout, check=False,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    return PlaybookRun(command, process.returncode, process.stdout, process.stderr, callback)


__all__ = ['CALLBACK_PLUGINS', 'CONNECTION_PLUGINS', 'REMOTE_CONNECTION', 'PlaybookRun', 'REPO',
           'ansible_env', 'run_playbook']


def localhost_play(name, *tasks):
    """A playbook of one play of ``tasks`` on localhost, without facts."""
    return [{'name': name, 'hosts': 'localhost', 'gather_facts': False, 'tasks': list(tasks)}]


def module_task(module, name, ignore_errors=False, **args):
    """A task ``name`` of ``module`` with ``args``."""
    task = {'name': name, module: args}
    if ignore_errors:
        task['ignore_errors'] = True
    return task
