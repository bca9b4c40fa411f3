# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``make bench``: the benchmarks, one Markdown report, printed and written to results/latest.md
(the figures of converge and scale beside it, latest.json).

By default three sections, about 16 minutes on 2 cores:

- converge (bench_converge.py): a no-change converge, hosts 100 / 1,000 x
  licenses 1,000 / 10,000 / 20,000, isp_license and the role's license part,
  forks 20: API calls, bytes, controller CPU per host next to a debug task;
  the issue's targets.  Cells that would end past ``--budget`` are skipped
  (the largest first) and the report says so.
- scale (bench_scale.py): one no-change task at 100 and 20,000 licenses, and
  the peak memory of a task at 20,000.
- https (bench_converge.py --https): the target cell, 1,000 hosts on 10,000
  licenses with isp_license, over HTTPS with a CA bundle of certifi's size:
  what a billing with a public CA's certificate costs.  About a minute.

``--quick`` (about 2 minutes): the smallest cell only (100 hosts on 1,000
licenses, over HTTP and over HTTPS) and the scale section.  The other benchmarks run
with ``--only``: task_cost (bench_task_cost.py), account_size
(bench_account_size.py), fleet (bench_fleet.py: ordering from an empty
account), profile (profile_task.py); ``--all`` runs every section.  Each
section runs against its own sandbox on 127.0.0.1.  Nothing here passes or
fails on time; the exit status is 0 unless a benchmark broke (a playbook
failed, a timeout).

    python benchmarks/run_all.py [--quick] [--all | --only converge scale https task_cost account_size fleet profile]
                                 [--output FILE] [--budget S]
"""

from __future__ import absolute_import, division, print_function

import argparse
import datetime
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_account_size  # noqa: E402
import bench_converge  # noqa: E402
import bench_fleet  # noqa: E402
import bench_scale  # noqa: E402
import bench_task_cost  # noqa: E402
import profile_task  # noqa: E402
from benchlib import BENCH, machine, progress  # noqa: E402

SECTIONS = ('converge', 'https', 'scale', 'task_cost', 'account_size', 'fleet', 'profile')
DEFAULT = ('converge', 'scale', 'https')


def header(info, started, elapsed):
    return [
        '## Benchmarks: `make bench`, %s' % started.strftime('%Y-%m-%d %H:%M UTC'),
        '',
        'Machine: %(nproc)s CPUs, %(cpu)s; Python %(python)s; ansible-core %(ansible_core)s; '
        'requests %(requests)s; %(system)s.' % info,
        'Load average at the start: %s; at the end: %s (other processes share this machine: '
        'wall times vary more than CPU times).' % (info['load'], machine()['load']),
        'The API is the sandbox (sandbox/) on 127.0.0.1, no processing delay. Run time: %.0f s.' % elapsed,
        '',
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--quick', action='store_true',
                        help='the smallest converge cell and the scale section (about 2 minutes)')
    parser.add_argument('--only', nargs='+', choices=SECTIONS, default=list(DEFAULT))
    parser.add_argument('--all', action='store_true', help='every section (the older ones take 5 to 10 minutes more)')
    parser.add_argument('--output', default=os.path.join(BENCH, 'results', 'latest.md'))
    parser.add_argument('--budget', type=float, default=900,
                        help='seconds for the whole run: converge cells that would end past it are skipped')
    options = parser.parse_args()
    only = SECTIONS if options.all else options.only

    info = machine()
    started = datetime.datetime.now(datetime.timezone.utc)
    start = time.perf_counter()
    start_monotonic = time.monotonic()
    deadline = start_monotonic + options.budget
    parts = {}  # section -> report lines; printed in the order of SECTIONS
    figures = {}  # section -> its figures, written beside the report as JSON
    if 'scale' in only:  # first: a minute or two, never cut by the time bound
        # 5 rounds of 10 tasks, the sizes interleaved: fewer made a median that crossed the 1.2 bound by noise
        figures['scale'] = bench_scale.run(n=10)
        parts['scale'] = bench_scale.report(figures['scale'])
    if 'https' in only:
        cell = ((100,), (1000,)) if options.quick else ((1000,), (10000,))
        figures['https'] = bench_converge.run(*cell, kinds=('isp_license',), https=True)
        parts['https'] = bench_converge.report(figures['https'])
    if 'task_cost' in only:
        result = bench_task_cost.run(n=8 if options.quick else 20, n_process=4 if options.quick else 10)
        parts['task_cost'] = bench_task_cost.report(result)
    if 'account_size' in only:
        parts['account_size'] = bench_account_size.report(bench_account_size.run(n=4 if options.quick else 10))
    if 'profile' in only:
        parts['profile'] = profile_task.report(profile_task.run())
    if 'fleet' in only:
        if options.quick:
            result = bench_fleet.run(hosts=(100,), forks=(1, 10, 50), module_path=(20, 10))
        else:
            # its 1,000 hosts x forks 1 runs only when it fits; with converge, converge gets the time bound
            result = bench_fleet.run(deadline=None if 'converge' in only else deadline)
        parts['fleet'] = bench_fleet.report(result)
    if 'converge' in only:  # last: the time bound cuts its largest cells
        if options.quick:
            result = bench_converge.run(hosts=(100,), licenses=(1000,))
        else:
            result = bench_converge.run(deadline=deadline)
        figures['converge'] = result
        parts['converge'] = bench_converge.report(result)
    body = []
    for section in SECTIONS:
        if section in parts:
            body += parts[section] + ['']
    text = '\n'.join(header(info, started, time.perf_counter() - start) + body)
    print(text)
    folder = os.path.dirname(os.path.abspath(options.output))
    os.makedirs(folder, exist_ok=True)
    with open(options.output, 'w') as handle:
        handle.write(text)
    with open(os.path.splitext(options.output)[0] + '.json', 'w') as handle:
        json.dump(dict(machine=info, figures=figures), handle, indent=1)
    progress('written to %s' % options.output)
    return 0


if __name__ == '__main__':
    sys.exit(main())
