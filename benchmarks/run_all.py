# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``make bench``: every benchmark, one Markdown report, printed and written to results/latest.md.

Sections: per-task cost (bench_task_cost.py), account size
(bench_account_size.py), fleet (bench_fleet.py), where the time goes
(profile_task.py).  Each runs against its own sandbox on 127.0.0.1.  Nothing
here passes or fails on time; the exit status is 0 unless a benchmark broke
(a playbook failed, a timeout).  The whole run takes 5 to 10 minutes on 2
cores: the fleet of 1,000 hosts with forks 1 runs last and only when it fits
in ``--budget`` (600 s); ``--quick`` takes about 2 (fewer tasks, 100 hosts).

    python benchmarks/run_all.py [--quick] [--only task_cost account_size fleet profile] [--output FILE] [--budget S]
"""

from __future__ import absolute_import, division, print_function

import argparse
import datetime
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_account_size  # noqa: E402
import bench_fleet  # noqa: E402
import bench_task_cost  # noqa: E402
import profile_task  # noqa: E402
from benchlib import BENCH, machine, progress  # noqa: E402

SECTIONS = ('task_cost', 'account_size', 'fleet', 'profile')


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
    parser.add_argument('--quick', action='store_true', help='fewer tasks, 100 hosts only (about 2 minutes)')
    parser.add_argument('--only', nargs='+', choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument('--output', default=os.path.join(BENCH, 'results', 'latest.md'))
    parser.add_argument('--budget', type=float, default=600,
                        help='seconds for the whole run: the 1,000 hosts x forks 1 fleet runs only if it fits')
    options = parser.parse_args()

    info = machine()
    started = datetime.datetime.now(datetime.timezone.utc)
    start = time.perf_counter()
    start_monotonic = time.monotonic()
    body = []
    if 'task_cost' in options.only:
        result = bench_task_cost.run(n=8 if options.quick else 20, n_process=4 if options.quick else 10)
        body += bench_task_cost.report(result) + ['']
    if 'account_size' in options.only:
        result = bench_account_size.run(n=4 if options.quick else 10)
        body += bench_account_size.report(result) + ['']
    profile = []
    if 'profile' in options.only:  # before the fleet, whose last run fills what is left of the time bound
        profile = profile_task.report(profile_task.run()) + ['']
    if 'fleet' in options.only:
        if options.quick:
            result = bench_fleet.run(hosts=(100,), forks=(1, 10, 50), module_path=(20, 10))
        else:
            # forks 1 x 1,000 hosts runs last, when it still fits in the time bound
            result = bench_fleet.run(deadline=start_monotonic + options.budget)
        body += bench_fleet.report(result) + ['']
    body += profile
    text = '\n'.join(header(info, started, time.perf_counter() - start) + body)
    print(text)
    folder = os.path.dirname(os.path.abspath(options.output))
    os.makedirs(folder, exist_ok=True)
    with open(options.output, 'w') as handle:
        handle.write(text)
    progress('written to %s' % options.output)
    return 0


if __name__ == '__main__':
    sys.exit(main())
