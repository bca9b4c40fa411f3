# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Time and CPU at every task start and at the end of the run (benchmarks only).

Enabled with ANSIBLE_CALLBACKS_ENABLED=billmanager_bench_timer and this folder
on ANSIBLE_CALLBACK_PLUGINS; writes JSON to $BILLMANAGER_BENCH_TIMER_FILE:
``{"marks": [{"task": name, "t": seconds, "cpu": seconds, "maxrss_self": MB,
"maxrss_children": MB}, ...]}``, the last mark named ``end``.

``cpu`` is the CPU time of ansible-playbook itself plus every child it has
reaped: its workers and, through them, the module processes they waited for.
A worker is reaped when its slot is reused, which may be a task later, so at
each mark this callback first waits (bounded) until the previous task's
workers are gone and reaped: the CPU between two marks is then the task's
own, whatever the strategy's bookkeeping.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = """
    name: billmanager_bench_timer
    type: aggregate
    short_description: time and CPU at each task start (benchmarks only)
    description:
        - Writes the wall clock and the CPU time of ansible-playbook and its reaped children at every
          task start and at the end of the run to the file named by E(BILLMANAGER_BENCH_TIMER_FILE).
    author: ispsystem.billmanager contributors
"""

import json
import multiprocessing
import os
import resource
import time

from ansible.plugins.callback import CallbackBase

REAP_TIMEOUT = 5.0  # seconds to wait for the previous task's workers to exit


def _cpu():
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'billmanager_bench_timer'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.path = os.environ.get('BILLMANAGER_BENCH_TIMER_FILE')
        self.marks = []

    def _mark(self, name):
        deadline = time.monotonic() + REAP_TIMEOUT
        while multiprocessing.active_children() and time.monotonic() < deadline:  # reaps the exited ones
            time.sleep(0.0005)
        self.marks.append({'task': name, 't': time.perf_counter(), 'cpu': _cpu(),
                           # peak RSS so far (MB): ansible-playbook's own, and the largest reaped child's
                           # (a worker; it starts with its parent's pages, so it includes them)
                           'maxrss_self': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
                           'maxrss_children': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0})

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._mark(task.get_name())

    def v2_playbook_on_stats(self, stats):
        self._mark('end')
        if self.path:
            with open(self.path, 'w') as handle:
                json.dump({'marks': self.marks}, handle)
