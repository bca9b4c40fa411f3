# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every task's result as one JSON document on stdout (tests only).

ansible-core alone has no ``json`` callback (it lives in ansible.posix).  The
document is one line: ``{"plays": [{"play": {...}, "tasks": [{"task":
{"name": ...}, "hosts": {host: result}}]}], "stats": {...}}``; results are
the raw task results, ``invocation`` and internal keys included.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = """
    name: task_results
    type: stdout
    short_description: every task's result as one JSON document (tests only)
    description:
        - The shape of ansible.posix.json, for a plain ansible-core.
    author: ispsystem.billmanager contributors
"""

import json

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'task_results'

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.doc = {'plays': [], 'stats': {}}

    def v2_playbook_on_play_start(self, play):
        self.doc['plays'].append({'play': {'name': play.get_name()}, 'tasks': []})

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.doc['plays'][-1]['tasks'].append({'task': {'name': task.get_name()}, 'hosts': {}})

    def _record(self, result, **flags):
        # ansible-core 2.19 hands a CallbackTaskResult (result, host); older ones a TaskResult.
        data = dict(getattr(result, 'result', None) or result._result)
        data.update(flags)
        warnings = getattr(result, 'warnings', None) or data.get('warnings') or []
        data['warnings'] = [getattr(w, 'msg', None) or str(w) for w in warnings]
        self.doc['plays'][-1]['tasks'][-1]['hosts'][(getattr(result, 'host', None) or result._host).get_name()] = data

    def v2_runner_on_ok(self, result):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, failed=True)

    def v2_runner_on_skipped(self, result):
        self._record(result, skipped=True)

    def v2_runner_on_unreachable(self, result):
        self._record(result, unreachable=True)

    def v2_playbook_on_stats(self, stats):
        for host in sorted(stats.processed):
            self.doc['stats'][host] = stats.summarize(host)
        self._display.display(json.dumps(self.doc, default=str, sort_keys=True))
