# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What one task costs: each module's no-change task next to a raw ``uri`` read and ``ping``.

For every kind of task, a playbook of N+1 copies of the task runs against
the sandbox (one host, forks 1).  The callback plugin billmanager_bench_timer
(callback_plugins/) notes the clock and the CPU time at every task start:
CPU of ansible-playbook and every child it reaped, so of its workers and the
module processes they ran.  One task costs the interval between two task
starts: its queueing, its worker, its module if any, its result.  The
median of the N intervals after the first task is reported (the first one
pays one-off costs such as loading the action plugin); the startup of
ansible-playbook is not in it.  The sandbox's own CPU is not counted.

Kinds:
  debug           ansible.builtin.debug: an action plugin, no module process (the floor of any task)
  ping            ansible.builtin.ping: the cheapest module (the floor of a module task)
  uri             ansible.builtin.uri: POST func=soft&out=json with authinfo in the body, by hand
  <module>        the collection's module on the local connection: the controller fast path
  <module> (mod)  the same task on the module path (the test connection billmanager_remote_test:
                  a "remote" host that is the controller, so AnsiballZ runs as for an SSH host)

    python benchmarks/bench_task_cost.py [--n 20] [--n-process 10] [--repeat 1]
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchlib import (emit, NS, MODULE_PATH_CONNECTION, ansible_env, api_latency, markdown_table,  # noqa: E402
                      new_sandbox, playbook_command, progress, timed_playbook)

TARGET_RATIO = 0.2  # a no-change task of the collection: at most 0.2 times the raw uri read
LICENSE_IP = '127.1.0.1'
CHECK_IP = '127.1.0.2'


def kinds(sandbox, module_path=True):
    """(key, label, connection, task, module it stands for) for every kind measured."""
    uri = {'ansible.builtin.uri': {
        'url': sandbox.url, 'method': 'POST', 'body_format': 'form-urlencoded',
        'body': {'func': 'soft', 'out': 'json', 'authinfo': sandbox.authinfo}}}
    license_task = {NS + 'isp_license': {'ip': LICENSE_IP, 'product': 'ispmanager6_lite'}}
    info_task = {NS + 'isp_license_info': {'ip': LICENSE_IP}}
    check_task = {NS + 'isp_license_check': {'ip': CHECK_IP, 'product': 'ispmanager6_lite'}}
    found = [
        ('debug', 'ansible.builtin.debug (no module)', 'local', {'ansible.builtin.debug': {'msg': 'x'}}, None),
        ('ping', 'ansible.builtin.ping (module)', 'local', {'ansible.builtin.ping': {}}, None),
        ('uri', 'ansible.builtin.uri, POST func=soft', 'local', uri, None),
        ('isp_license', 'isp_license, no change', 'local', license_task, 'isp_license'),
        ('isp_license_info', 'isp_license_info, ip filter', 'local', info_task, 'isp_license_info'),
        ('isp_license_check', 'isp_license_check', 'local', check_task, 'isp_license_check'),
    ]
    if module_path:
        found += [
            ('isp_license (mod)', 'isp_license, no change, module path', MODULE_PATH_CONNECTION, license_task,
             'isp_license'),
            ('isp_license_info (mod)', 'isp_license_info, module path', MODULE_PATH_CONNECTION, info_task,
             'isp_license_info'),
            ('isp_license_check (mod)', 'isp_license_check, module path', MODULE_PATH_CONNECTION, check_task,
             'isp_license_check'),
        ]
    return found


def write_playbook(path, task, copies):
    tasks = []
    for number in range(copies):
        entry = {'name': 'task %d' % (number + 1)}
        entry.update(task)
        tasks.append(entry)
    play = [{'name': 'per-task cost', 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}]
    with open(path, 'w') as handle:
        json.dump(play, handle, indent=1)  # JSON is YAML
    return path


def prepare(sandbox):
    """Ten licenses in the account, one of them the task's; the check IP is free."""
    sandbox.seed(9, pricelist=55227, ip_prefix='127.100.')
    sandbox.add_license(ip=LICENSE_IP, licname='bench', pricelist=55227, status=2)


def measure_kind(sandbox, workdir, kind, n, env):
    """Per-task wall, CPU and API calls of one kind: N+1 copies, the first one not counted."""
    key, _label, connection, task, _module = kind
    slug = key.replace(' ', '_').replace('(', '').replace(')', '')
    path = write_playbook(os.path.join(workdir, '%s.yml' % slug), task, n + 1)
    sandbox.clear_log()
    measure = timed_playbook(playbook_command(path, connection=connection), env, workdir, '%s x %d' % (key, n + 1))
    marks = measure.marks
    calls = len(sandbox.log())
    walls = [b['t'] - a['t'] for a, b in zip(marks[1:], marks[2:])]
    cpus = [b['cpu'] - a['cpu'] for a, b in zip(marks[1:], marks[2:])]
    return dict(wall=statistics.median(walls), cpu=statistics.median(cpus),
                wall_mean=statistics.mean(walls), cpu_mean=statistics.mean(cpus),
                calls=calls / float(n + 1),
                first_wall=marks[1]['t'] - marks[0]['t'], first_cpu=marks[1]['cpu'] - marks[0]['cpu'],
                startup_wall=measure.wall - (marks[-1]['t'] - marks[0]['t']),
                startup_cpu=measure.cpu - (marks[-1]['cpu'] - marks[0]['cpu']),
                process_wall=measure.wall, process_cpu=measure.cpu)


def starts_a_process(kind):
    """ping, uri and the module path run a module process per task: fewer copies give the same precision."""
    return kind[0] in ('ping', 'uri') or kind[2] == MODULE_PATH_CONNECTION


def run(n=20, repeat=1, module_path=True, workdir=None, n_process=10):
    """Measure every kind; returns a dict with rows (one per kind) and the settings."""
    own = workdir is None
    workdir = workdir or tempfile.mkdtemp(prefix='bench-task-cost-')
    try:
        with new_sandbox(os.path.join(workdir, 'sandbox')) as sandbox:
            prepare(sandbox)
            env = ansible_env(sandbox)
            measured = {}
            for attempt in range(repeat):
                for kind in kinds(sandbox, module_path):
                    copies = n_process if starts_a_process(kind) else n
                    progress('task cost: %s, %d tasks (round %d of %d)' % (kind[0], copies + 1, attempt + 1, repeat))
                    sample = measure_kind(sandbox, workdir, kind, copies, env)
                    sample['n'] = copies
                    measured.setdefault(kind[0], []).append(sample)
            rows = []
            for kind in kinds(sandbox, module_path):
                samples = measured[kind[0]]
                row = dict(key=kind[0], label=kind[1], module=kind[4], connection=kind[2])
                for field in samples[0]:
                    row[field] = statistics.median(sample[field] for sample in samples)
                rows.append(row)
            fresh, kept = api_latency(sandbox)
            return dict(n=n, n_process=n_process, repeat=repeat, rows=rows, latency_new=fresh, latency_kept=kept)
    finally:
        if own:
            shutil.rmtree(workdir, ignore_errors=True)


def report(result):
    """Markdown lines: the table, then the targets."""
    rows = dict((row['key'], row) for row in result['rows'])
    uri, ping = rows['uri'], rows['ping']

    def ratio(value, base):
        return '%.2f' % (value / base) if base > 0 else 'n/a'

    table = []
    for row in result['rows']:
        table.append((row['key'], '%.3f' % row['wall'], '%.3f' % row['cpu'], '%.1f' % row['calls'],
                      ratio(row['wall'], uri['wall']), ratio(row['cpu'], uri['cpu']),
                      ratio(row['wall'], ping['wall']), ratio(row['cpu'], ping['cpu'])))
    lines = ['### Per-task cost (one host, forks 1; median of %d tasks, %d for those that start a module process)'
             % (result['n'], result['n_process']), '']
    lines += markdown_table(('task', 'wall s', 'CPU s', 'API calls', 'wall / uri', 'CPU / uri',
                             'wall / ping', 'CPU / ping'), table)
    lines += ['', 'Targets (a no-change task of the collection costs at most %.1f times the raw uri read):'
              % TARGET_RATIO, '']
    for key in ('isp_license', 'isp_license_info', 'isp_license_check'):
        if key not in rows:
            continue
        row = rows[key]
        wall, cpu = row['wall'] / uri['wall'], row['cpu'] / uri['cpu']
        verdict = 'met' if max(wall, cpu) <= TARGET_RATIO else 'MISSED'
        lines.append('- %s: wall %.2f x uri, CPU %.2f x uri: %s' % (key, wall, cpu, verdict))
        if key + ' (mod)' in rows:
            mod = rows[key + ' (mod)']
            lines.append('  (module path: wall %.2f x uri, CPU %.2f x uri; the fast path saves %.3f s wall, '
                         '%.3f s CPU per task)' % (mod['wall'] / uri['wall'], mod['cpu'] / uri['cpu'],
                                                   mod['wall'] - row['wall'], mod['cpu'] - row['cpu']))
    startup = rows['debug']
    lines += ['', 'Not in the per-task figures: the start and end of ansible-playbook (%.2f s wall, %.2f s CPU for '
              'the debug playbook). The strategy loads the collection\'s action plugin, and with it requests, '
              'once per run in the parent before the first task; the first task of a kind costs about what the '
              'next ones do (isp_license: %+.3f s wall, %+.3f s CPU).'
              % (startup['startup_wall'], startup['startup_cpu'],
                 rows['isp_license']['first_wall'] - rows['isp_license']['wall'],
                 rows['isp_license']['first_cpu'] - rows['isp_license']['cpu'])]
    if 'latency_new' in result:
        lines += ['', 'One API request to the sandbox (median of 20): %.1f ms on a new connection, %.1f ms on a '
                  'kept-alive one. A task\'s client keeps one connection: a no-change isp_license pays the second '
                  'figure for its second call, the other tasks make one call. (A kept-alive request far slower than '
                  'a new one is the server\'s Nagle algorithm meeting the client\'s delayed ACK.)'
                  % (1000 * result['latency_new'], 1000 * result['latency_kept'])]
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--n', type=int, default=20, help='tasks measured per kind (one more runs first)')
    parser.add_argument('--n-process', type=int, default=10,
                        help='tasks measured for the kinds that start a module process (ping, uri, module path)')
    parser.add_argument('--repeat', type=int, default=1, help='rounds; the median is reported')
    parser.add_argument('--no-module-path', action='store_true')
    parser.add_argument('--json', help='also write the figures to this file')
    options = parser.parse_args()
    result = run(options.n, options.repeat, not options.no_module_path, n_process=options.n_process)
    return emit(report(result), result, options.json)


if __name__ == '__main__':
    sys.exit(main())
