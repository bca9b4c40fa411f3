# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Where the time of one task goes: cProfile of a worker, and of execute() in-process.

1. worker: ansible-playbook runs a no-change ``isp_license`` task twice on the
   fast path with the callback plugin billmanager_profile_worker, which
   profiles each forked worker (CPU time).  The task's profile is split into phases by cumulative time: ansible-core
   around the action plugin, argument validation, HTTP, JSON, the rest.
2. execute(): ``_operation.execute(_isp_license, ...)`` in this process against
   10 and 10,000 licenses, the heaviest functions by own CPU time; and how
   many connections one task's client opens.

    python benchmarks/profile_task.py [--top 8] [--dump DIR]
"""

from __future__ import absolute_import, division, print_function

import argparse
import cProfile
import glob
import json
import os
import pstats
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchlib import (BENCH, NS, ansible_env, check, markdown_table, new_sandbox, playbook_command,  # noqa: E402
                      progress, run_measured)

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator  # noqa: E402
from ansible_collections.ispsystem.billmanager.plugins.module_utils import _isp_license
from ansible_collections.ispsystem.billmanager.plugins.module_utils._operation import execute  # noqa: E402


def cumulative(stats, file_suffix, function):
    """Cumulative time of ``function`` in the file ending with ``file_suffix`` (0 when never called)."""
    total = 0.0
    for (filename, _line, name), (_cc, _nc, _tt, cumtime, _callers) in stats.stats.items():
        if name == function and filename.endswith(file_suffix):
            total += cumtime
    return total


def phases(stats):
    """(label, seconds) of the phases of one worker, from cumulative times."""
    worker = cumulative(stats, 'executor/process/worker.py', '_run')
    action = cumulative(stats, 'plugin_utils/controller_action.py', 'run')
    validate = cumulative(stats, 'module_utils/common/arg_spec.py', 'validate')
    environment = cumulative(stats, 'plugin_utils/controller_action.py', '_task_environment')
    executed = cumulative(stats, 'module_utils/_operation.py', 'execute')
    http = cumulative(stats, 'module_utils/_http.py', 'post')
    decode = cumulative(stats, 'requests/models.py', 'json')
    return [
        ('the worker in all (`WorkerProcess._run`, up to sending the result)', worker),
        ('ansible-core around the action plugin: task executor, templating, connection object', worker - action),
        ('the action plugin `run()`', action),
        ('- argument validation (`ArgumentSpecValidator`)', validate),
        ('- the task environment (`_task_environment`)', environment),
        ('- `execute()`', executed),
        ('  - HTTP (`_http.Transport.post`: the environment through requests, http.client, socket)', http),
        ('  - JSON decoding', decode),
        ('  - the rest: wire format (`plain`), license logic, result', executed - http - decode),
    ]


def top_functions(stats, count):
    rows = []
    entries = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:count]
    for (filename, line, function), (_cc, ncalls, tottime, cumtime, _callers) in entries:
        short = filename.split('/ansible_collections/')[-1].split('/site-packages/')[-1]
        short = short.split('/lib/python3')[-1]
        rows.append(('%s:%d %s' % (short, line, function), ncalls, '%.3f' % tottime, '%.3f' % cumtime))
    return rows


def profile_worker(sandbox, workdir, folder):
    """Run two no-change tasks with worker profiling; return the second task's pstats."""
    ip = sandbox.licenses()[-1]['ip']
    task = {NS + 'isp_license': {'ip': ip, 'product': 'ispmanager6_lite'}}
    play = [{'name': 'profile', 'hosts': 'localhost', 'gather_facts': False,
             'tasks': [dict(task, name='warm up'), dict(task, name='profiled')]}]
    path = os.path.join(workdir, 'profile.yml')
    with open(path, 'w') as handle:
        json.dump(play, handle)
    env = ansible_env(sandbox, ANSIBLE_CALLBACK_PLUGINS=os.path.join(BENCH, 'callback_plugins'),
                      ANSIBLE_CALLBACKS_ENABLED='billmanager_profile_worker', BILLMANAGER_PROFILE_DIR=folder)
    measure = check(run_measured(playbook_command(path), env=env, cwd=workdir, timeout=300), 'profiled playbook')
    found = glob.glob(os.path.join(folder, 'worker-profiled-*.prof'))
    if len(found) != 1:
        raise RuntimeError('expected one worker profile in %s, found %s:\n%s' % (folder, found, measure.output[-3000:]))
    profile = found[0]
    return pstats.Stats(profile)


def params_for(sandbox, ip):
    spec = _isp_license.argument_spec()
    argument_spec = spec.pop('argument_spec')
    spec.pop('supports_check_mode')
    validation = ArgumentSpecValidator(argument_spec, **spec).validate(dict(
        api_url=sandbox.url, api_username=sandbox.username, api_password=sandbox.password,
        ip=ip, product='ispmanager6_lite'))
    return validation.validated_parameters


def profile_execute(sandbox, size):
    """cProfile (CPU time) of one execute() of a no-change isp_license against ``size`` licenses."""
    sandbox.wipe_licenses()
    sandbox.seed(size, pricelist=55227, ip_prefix='127.100.')
    params = params_for(sandbox, sandbox.licenses()[-1]['ip'])
    result = execute(_isp_license, params)  # warm up: imports, connection pool
    assert result['changed'] is False and not result.get('failed'), result
    start, cpu = time.perf_counter(), time.process_time()
    execute(_isp_license, params)
    plain_wall, plain_cpu = time.perf_counter() - start, time.process_time() - cpu
    profile = cProfile.Profile(time.process_time)
    profile.runcall(execute, _isp_license, params)
    return pstats.Stats(profile), plain_wall, plain_cpu


def run(top=8, dump=None):
    workdir = tempfile.mkdtemp(prefix='bench-profile-')
    folder = dump or os.path.join(workdir, 'profiles')
    os.makedirs(folder, exist_ok=True)
    try:
        with new_sandbox(os.path.join(workdir, 'sandbox')) as sandbox:
            sandbox.seed(10, pricelist=55227, ip_prefix='127.100.')
            progress('profile: a worker running one no-change isp_license task')
            worker = profile_worker(sandbox, workdir, folder)
            session = session_reuse(sandbox)
            executes = {}
            for size in (10, 10000):
                progress('profile: execute() in-process against %d licenses' % size)
                executes[size] = profile_execute(sandbox, size)
        return dict(worker=worker, executes=executes, top=top, session=session)
    finally:
        if not dump:
            shutil.rmtree(workdir, ignore_errors=True)


def session_reuse(sandbox):
    """(connections opened, requests sent) by one execute(): the client's Session keeps the connection."""
    from ansible_collections.ispsystem.billmanager.plugins.module_utils._connection import client_from_params
    clients = []

    def factory(params):
        clients.append(client_from_params(params))
        return clients[-1]

    sandbox.wipe_licenses()
    sandbox.seed(10, pricelist=55227, ip_prefix='127.100.')
    execute(_isp_license, params_for(sandbox, sandbox.licenses()[-1]['ip']), client_factory=factory)
    pools = list(clients[0]._http.adapters['http://'].poolmanager.pools._container.values())
    return sum(pool.num_connections for pool in pools), clients[0].calls


def report(result):
    worker = result['worker']
    steps = phases(worker)
    total = steps[0][1] or 1.0
    lines = ['### Where the time of one task goes', '',
             'One worker process running a no-change `isp_license` task on the fast path, under cProfile '
             '(CPU time; the profiler itself adds to every figure, the shares are what matters; the fork, '
             'the sending of the result and the parent\'s share are not in it):', '']
    lines += markdown_table(('phase', 'CPU s', 'share'),
                            [(label, '%.3f' % seconds, '%.0f%%' % (100.0 * seconds / total))
                             for label, seconds in steps])
    connections, requests_sent = result['session']
    lines += ['', 'One task, one HTTP connection: `execute()` opened %d connection(s) for %d requests '
              '(the client\'s `requests.Session` keeps it alive between the calls).' % (connections, requests_sent)]
    for size, (stats, wall, cpu) in sorted(result['executes'].items()):
        lines += ['', '`execute()` in-process, no-change `isp_license`, %s licenses: %.3f s wall, %.3f s CPU '
                  'without the profiler; heaviest functions (own CPU time, under the profiler):'
                  % ('{:,}'.format(size), wall, cpu), '']
        lines += markdown_table(('function', 'calls', 'own s', 'cumulative s'), top_functions(stats, result['top']))
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--top', type=int, default=8)
    parser.add_argument('--dump', help='keep the .prof files in this folder')
    options = parser.parse_args()
    print('\n'.join(report(run(options.top, options.dump))))
    return 0


if __name__ == '__main__':
    sys.exit(main())
