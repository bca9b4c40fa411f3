# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One no-change task at 100 and 20,000 licenses, and the peak memory of a task at 20,000.

Per-task cost: a playbook of N+1 copies of the task (one host, forks 1,
timed like bench_task_cost.py: the interval between task starts, the first
task not counted), run in ``ROUNDS`` rounds with the account sizes
interleaved (each size has a sandbox of its own), and the median of all the
rounds' intervals: a burst of load on the machine then falls on both sizes
alike instead of on the one that happened to run during it.  Two tasks:

  licname   ``isp_license`` by licname + ip + product: the first task of the
            run lists the account, the next ones take the run's shared
            listing and make one ``.edit`` read each;
  id        ``isp_license`` by id: one ``.edit`` read, no listing.

Target: at 20,000 licenses a task costs at most 1.2 times what it costs at
100 (CPU; wall printed beside it).

Peak memory at 20,000 licenses, target under 150 MB:

  module    the module file run on its own, as on a remote host (no run id,
            so it lists the whole account): its max RSS from ``os.wait4`` in
            a small launcher (Linux carries a peak RSS across fork and exec);
  worker    the fast path: the largest max RSS of a worker of the licname
            run above, whose first task listed the account (a worker starts
            as a fork of ansible-playbook, so its figure includes the
            parent's pages; the parent's own is printed beside it).

    python benchmarks/bench_scale.py [--n 10] [--sizes 100 20000]
"""

from __future__ import absolute_import, division, print_function

import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchlib import (LAUNCHER, REPO, NS, sizes_main, ansible_env, collections_root, markdown_table, new_sandbox,  # noqa: E402
                      playbook_command, progress, timed_playbook)
from bench_task_cost import write_playbook  # noqa: E402

SIZES = (100, 20000)
ROUNDS = 5
RATIO_TARGET = 1.2
MEMORY_TARGET = 150  # MB
LICENSE_IP = '127.1.0.1'
MODULE_FILE = os.path.join(REPO, 'plugins', 'modules', 'isp_license.py')


def prepare(sandbox, size):
    """``size`` licenses, the task's one last (furthest down the list); returns its id."""
    sandbox.wipe_licenses()
    if size > 1:
        sandbox.seed(size - 1, pricelist=55227, ip_prefix='127.100.')
    return sandbox.add_license(ip=LICENSE_IP, licname='bench', pricelist=55227, status=2)['id']


def tasks(license_id):
    return [
        ('licname', {NS + 'isp_license': {'licname': 'bench', 'ip': LICENSE_IP, 'product': 'ispmanager6_lite'}}),
        ('id', {NS + 'isp_license': {'id': license_id}}),
    ]


def per_task(sandbox, workdir, env, key, task, n):
    path = write_playbook(os.path.join(workdir, 'scale-%s.yml' % key), task, n + 1)
    sandbox.clear_log()
    measure = timed_playbook(playbook_command(path, connection='local'), env, workdir, '%s x %d' % (key, n + 1))
    marks = measure.marks
    log = sandbox.log()
    return dict(walls=[b['t'] - a['t'] for a, b in zip(marks[1:], marks[2:])],
                cpus=[b['cpu'] - a['cpu'] for a, b in zip(marks[1:], marks[2:])], calls=len(log) / float(n + 1),
                listings=sum(1 for entry in log if entry['func'] == 'soft'),
                maxrss_worker=marks[-1]['maxrss_children'], maxrss_parent=marks[-1]['maxrss_self'])


def pooled(runs):
    """One row of several runs of one task: medians over all their intervals, the largest peaks."""
    walls = [wall for run_ in runs for wall in run_['walls']]
    cpus = [cpu for run_ in runs for cpu in run_['cpus']]
    return dict(wall=statistics.median(walls), cpu=statistics.median(cpus),
                calls=statistics.mean(run_['calls'] for run_ in runs), listings=max(r['listings'] for r in runs),
                maxrss_worker=max(r['maxrss_worker'] for r in runs),
                maxrss_parent=max(r['maxrss_parent'] for r in runs), tasks=len(cpus))


def module_process(sandbox, workdir, env):
    """The module on its own at this account size: (wall, CPU, max RSS MB)."""
    args = os.path.join(workdir, 'args.json')
    with open(args, 'w') as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': {'api_url': sandbox.url, 'api_username': sandbox.username,
                                           'api_password': sandbox.password, 'licname': 'bench',
                                           'ip': LICENSE_IP, 'product': 'ispmanager6_lite'}}, handle)
    report = os.path.join(workdir, 'measured.json')
    env = dict(env, PYTHONPATH=collections_root())
    done = subprocess.run([sys.executable, '-S', '-c', LAUNCHER, report, sys.executable, MODULE_FILE, args],
                          env=env, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300,
                          check=False)
    with open(report) as handle:
        measured = json.load(handle)
    output = done.stdout.decode('utf-8', 'replace')
    result = json.loads(output[output.find('{'):])
    if measured['rc'] != 0 or result.get('failed') or result.get('changed'):
        raise RuntimeError('the module failed or changed something:\n%s' % output[-2000:])
    return dict(wall=measured['elapsed'], cpu=measured['cpu'], maxrss=measured['maxrss_kib'] / 1024.0)


def run(n=10, sizes=SIZES, workdir=None, rounds=ROUNDS):
    own = workdir is None
    workdir = workdir or tempfile.mkdtemp(prefix='bench-scale-')
    runs, memory = {}, {}
    try:
        with contextlib.ExitStack() as stack:
            state = os.path.join(workdir, 'state')
            os.makedirs(state, mode=0o700)
            accounts = {}  # size -> (sandbox, env, its tasks)
            for size in sizes:
                sandbox = stack.enter_context(new_sandbox(os.path.join(workdir, 'sandbox-%d' % size)))
                accounts[size] = (sandbox, ansible_env(sandbox, BILLMANAGER_STATE_DIR=state),
                                  tasks(prepare(sandbox, size)))
            for round_ in range(rounds):
                for index in range(2):
                    for size in sizes:
                        sandbox, env, work = accounts[size]
                        key, task = work[index]
                        progress('scale: round %d of %d, %d licenses, isp_license by %s, %d tasks'
                                 % (round_ + 1, rounds, size, key, n + 1))
                        runs.setdefault((size, key), []).append(per_task(sandbox, workdir, env, key, task, n))
            size = max(sizes)
            progress('scale: %d licenses, the module process' % size)
            memory = module_process(accounts[size][0], workdir, accounts[size][1])
            memory['size'] = size
    finally:
        if own:
            shutil.rmtree(workdir, ignore_errors=True)
    rows = [dict(pooled(runs[(size, key)]), size=size, key=key)
            for size in sizes for key in ('licname', 'id') if (size, key) in runs]
    return dict(n=n, rounds=rounds, sizes=list(sizes), rows=rows, module=memory)


def report(result):
    rows = result['rows']
    small, large = min(result['sizes']), max(result['sizes'])
    table = [('isp_license by %s' % r['key'], '{:,}'.format(r['size']), '%.3f' % r['wall'], '%.3f' % r['cpu'],
              '%.2f' % r['calls'], r['listings'], '%.0f' % r['maxrss_worker'], '%.0f' % r['maxrss_parent'])
             for r in rows]
    lines = ['### One no-change task as the account grows (forks 1; median of %d tasks: %d rounds of %d, '
             'the sizes interleaved)' % (result['n'] * result.get('rounds', 1), result.get('rounds', 1), result['n']),
             '']
    lines += markdown_table(('task', 'licenses', 'wall s', 'CPU s', 'API calls/task', 'listings in the run',
                             'worker max RSS MB', 'ansible-playbook max RSS MB'), table)
    lines += ['', 'Targets:', '']
    verdicts = []
    for key in ('licname', 'id'):
        pick = dict((r['size'], r) for r in rows if r['key'] == key)
        if small not in pick or large not in pick:
            continue
        ratio = pick[large]['cpu'] / pick[small]['cpu'] if pick[small]['cpu'] else 0
        wall = pick[large]['wall'] / pick[small]['wall'] if pick[small]['wall'] else 0
        verdicts.append(('isp_license by %s: CPU per task at %s / at %s' % (key, '{:,}'.format(large),
                                                                            '{:,}'.format(small)),
                         '%.2f (wall %.2f)' % (ratio, wall), '<= %.1f' % RATIO_TARGET,
                         'met' if ratio <= RATIO_TARGET else 'NOT met'))
    worker = max((r['maxrss_worker'] for r in rows if r['size'] == large), default=None)
    if worker is not None:
        verdicts.append(('peak RSS of a fast-path worker at %s licenses' % '{:,}'.format(large), '%.0f MB' % worker,
                         '< %d MB' % MEMORY_TARGET, 'met' if worker < MEMORY_TARGET else 'NOT met'))
    module = result.get('module')
    if module:
        verdicts.append(('peak RSS of the module process at %s licenses' % '{:,}'.format(module['size']),
                         '%.0f MB (%.2f s CPU)' % (module['maxrss'], module['cpu']), '< %d MB' % MEMORY_TARGET,
                         'met' if module['maxrss'] < MEMORY_TARGET else 'NOT met'))
    lines += markdown_table(('target', 'measured', 'target', 'met'), verdicts, align='lrll')
    return lines


def main():
    return sizes_main(__doc__, SIZES, run, report)


if __name__ == '__main__':
    sys.exit(main())
