# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run isp_license tasks through ansible-playbook and slice the sandbox log per task.

``Play`` builds one playbook.  After every license task it adds a *mark*: a
``set_fact`` whose ``url`` lookup (on the controller, no module process)
reads the sandbox's request log and licenses.  The log entries between two
marks are the API calls of the task in between, so one playbook can run a
case four ways (check mode, the change, again, check mode again) and still
tell which task sent what.

Results come from the test-only ``task_results`` callback (tests/ansible_plugins).

On a local connection the collection's action plugin runs the license logic
inside the controller's process.  ``Play(..., module_path=True)`` runs the
play over ``billmanager_remote_test``, a local connection under another name,
so the action plugin hands the task to the real module, as for a remote host.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


from playbook_runner import CALLBACK_PLUGINS, CONNECTION_PLUGINS, REMOTE_CONNECTION, run_playbook

from ansible_collections.ispsystem.billmanager.plugins.module_utils._wire import is_write as is_write_call

MODULE = 'ispsystem.billmanager.isp_license'


def install_callback(tmp_path):
    """The folder of the ``task_results`` callback (kept for the tests that import it)."""
    return CALLBACK_PLUGINS


def install_plugins(tmp_path):
    """The environment that puts the test-only plugins on Ansible's paths."""
    return {'ANSIBLE_CALLBACK_PLUGINS': CALLBACK_PLUGINS, 'ANSIBLE_CONNECTION_PLUGINS': CONNECTION_PLUGINS}


def is_write(entry):
    """Whether a logged request changed something: the collection's own rule (functions that always
    do, and anything committed with sok=ok)."""
    return is_write_call(entry['func'], entry['params'])


def funcs(entries):
    return [entry['func'] for entry in entries]


def writes(entries):
    return [entry['func'] for entry in entries if is_write(entry)]


class Play:
    """One playbook of license tasks against one sandbox, each task followed by a mark."""

    def __init__(self, sandbox, tmp_path, module_path=False):
        self.sandbox = sandbox
        self.tmp_path = tmp_path
        self.module_path = module_path
        self.tasks = []
        self.names = []
        self.run_ = None
        self.marks = {}
        self._mark('start')

    def _mark(self, name):
        base = self.sandbox.base + '/sandbox/'
        self.tasks.append({
            'name': 'mark %s' % name,
            'ansible.builtin.set_fact': {
                'mark': {
                    'log': "{{ lookup('ansible.builtin.url', '%slog', split_lines=false) | from_json }}" % base,
                    'licenses': ("{{ lookup('ansible.builtin.url', '%slicenses', split_lines=false) "
                                 "| from_json }}" % base),
                },
            },
        })

    def task(self, name, check=False, diff=True, ignore_errors=True, register=None, module=MODULE, **args):
        """Add a task (default: the license module) and the mark after it."""
        task = {'name': name, module: args, 'diff': diff, 'ignore_errors': ignore_errors}
        if check:
            task['check_mode'] = True
        if register:
            task['register'] = register
        self.tasks.append(task)
        self.names.append(name)
        self._mark(name)
        return self

    def four_ways(self, **args):
        """The case four ways: check mode, the change, the same again, check mode again."""
        self.task('check', check=True, **args)
        self.task('change', **args)
        self.task('again', **args)
        self.task('check again', check=True, **args)
        return self

    def run(self, **kwargs):
        env = dict(kwargs.pop('env', None) or {})
        env.update(install_plugins(self.tmp_path))
        play = {'name': 'isp_license', 'hosts': 'localhost', 'gather_facts': False, 'tasks': self.tasks}
        if self.module_path:
            play['connection'] = REMOTE_CONNECTION
        self.run_ = run_playbook([play], self.tmp_path, sandbox=self.sandbox, callback='task_results',
                                 env=env, **kwargs)
        previous = self._mark_result('start')
        for name in self.names:
            current = self._mark_result(name)
            seen = set(entry['seq'] for entry in previous['log']['requests'])
            self.marks[name] = dict(
                calls=[entry for entry in current['log']['requests'] if entry['seq'] not in seen],
                licenses=current['licenses']['licenses'],
                before=previous['licenses']['licenses'])
            previous = current
        return self

    def _mark_result(self, name):
        result = self.run_.result('mark %s' % name)
        assert not result.get('failed'), result
        return result['ansible_facts']['mark']

    def __getitem__(self, name):
        """The result of task ``name``."""
        return self.run_.result(name)

    def calls(self, name):
        """The sandbox log entries of the API calls task ``name`` made."""
        return self.marks[name]['calls']

    def funcs(self, name):
        return funcs(self.calls(name))

    def writes(self, name):
        return writes(self.calls(name))

    def licenses(self, name):
        """The sandbox's licenses right after task ``name`` (internal form)."""
        return self.marks[name]['licenses']

    def licenses_before(self, name):
        return self.marks[name]['before']

    def assert_four_ways(self, actions, write_funcs):
        """The checks every four-way case shares; returns the change's result."""
        check, change, again, check_again = (self[n] for n in ('check', 'change', 'again', 'check again'))
        for name, result in (('check', check), ('change', change), ('again', again),
                             ('check again', check_again)):
            assert not result.get('failed'), '%s failed: %s' % (name, result)
        assert check['changed'] is True and check['actions'] == actions, check
        assert self.writes('check') == [], self.funcs('check')
        assert self.licenses('check') == self.licenses_before('check')
        assert change['changed'] is True and change['actions'] == actions, change
        assert self.writes('change') == write_funcs, self.funcs('change')
        assert again['changed'] is False and again['actions'] == [], again
        assert self.writes('again') == [], self.funcs('again')
        assert check_again['changed'] is False and check_again['actions'] == [], check_again
        assert self.writes('check again') == [], self.funcs('check again')
        # check mode and the real run agree on what the license turns into
        for key in ('licname', 'ip', 'pricelist', 'product', 'status', 'expiredate'):
            assert check['license'][key] == change['license'][key], (key, check['license'], change['license'])
        return change
