# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""cProfile every worker process of the run (benchmarks only).

Enabled with ANSIBLE_CALLBACKS_ENABLED=billmanager_profile_worker and this
folder on ANSIBLE_CALLBACK_PLUGINS.  Loaded in ansible-playbook before any
worker is forked, it wraps ``WorkerProcess._run`` (what a forked worker does:
run the task, send the result) in cProfile, counting CPU time; each worker
writes its profile to $BILLMANAGER_PROFILE_DIR/worker-<task name>-<pid>.prof
just before it sends its result.  The fork itself, the sending and the
parent's share are not in it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = """
    name: billmanager_profile_worker
    type: aggregate
    short_description: cProfile every worker process (benchmarks only)
    description:
        - Writes a cProfile file per worker process to the folder named by E(BILLMANAGER_PROFILE_DIR).
    author: ispsystem.billmanager contributors
"""

import cProfile
import os
import re
import time

from ansible.executor.process.worker import WorkerProcess
from ansible.plugins.callback import CallbackBase

_ORIGINAL_RUN = WorkerProcess._run


def _profiled_run(self):
    folder = os.environ.get('BILLMANAGER_PROFILE_DIR')
    if not folder:
        return _ORIGINAL_RUN(self)
    profile = cProfile.Profile(time.process_time)
    name = re.sub(r'[^A-Za-z0-9_.-]+', '_', self._task.get_name())[:60]
    path = os.path.join(folder, 'worker-%s-%d.prof' % (name, os.getpid()))
    send = self._final_q.send_task_result

    def dump_then_send(*args, **kwargs):
        # The parent may stop the worker once it has the result: write the profile first.
        profile.disable()
        profile.dump_stats(path + '.part')
        os.rename(path + '.part', path)
        return send(*args, **kwargs)

    self._final_q.send_task_result = dump_then_send
    profile.enable()
    try:
        return _ORIGINAL_RUN(self)
    finally:
        profile.disable()


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'billmanager_profile_worker'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        WorkerProcess._run = _profiled_run
