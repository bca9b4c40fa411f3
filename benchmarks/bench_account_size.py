# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What one task costs as the reseller account grows: 10, 1,000 and 10,000 licenses.

The sandbox is seeded with the account (``seed``); the tasks are a no-change
``isp_license`` on the last license (the one furthest down the list) and
``isp_license_info`` filtered to that IP, each on the controller fast path,
timed per task like bench_task_cost.py (N+1 copies, the median interval after
the first).  Both read the whole list (``func=soft``): BILLmanager has no
server-side filter for it.  See bench_info_account_size.py for the module
process on its own, memory, and a query that returns every license.

    python benchmarks/bench_account_size.py [--n 10] [--sizes 10 1000 10000]
"""

from __future__ import absolute_import, division, print_function

import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchlib import sizes_main, NS, ansible_env, markdown_table, new_sandbox, progress  # noqa: E402
from bench_task_cost import measure_kind  # noqa: E402

SIZES = (10, 1000, 10000)


def kinds(ip):
    return [
        ('isp_license', 'isp_license, no change', 'local',
         {NS + 'isp_license': {'ip': ip, 'product': 'ispmanager6_lite'}}, 'isp_license'),
        ('isp_license_info', 'isp_license_info, ip filter', 'local',
         {NS + 'isp_license_info': {'ip': ip}}, 'isp_license_info'),
    ]


def run(n=10, sizes=SIZES, workdir=None):
    own = workdir is None
    workdir = workdir or tempfile.mkdtemp(prefix='bench-account-size-')
    rows = []
    try:
        with new_sandbox(os.path.join(workdir, 'sandbox')) as sandbox:
            env = ansible_env(sandbox)
            for size in sizes:
                sandbox.wipe_licenses()
                sandbox.seed(size, pricelist=55227, ip_prefix='127.100.')
                ip = sandbox.licenses()[-1]['ip']
                for kind in kinds(ip):
                    progress('account size: %d licenses, %s, %d tasks' % (size, kind[0], n + 1))
                    row = measure_kind(sandbox, workdir, kind, n, env)
                    row.update(size=size, key=kind[0])
                    rows.append(row)
    finally:
        if own:
            shutil.rmtree(workdir, ignore_errors=True)
    return dict(n=n, sizes=list(sizes), rows=rows)


def report(result):
    table = []
    by_key = {}
    for row in result['rows']:
        by_key.setdefault(row['key'], []).append(row)
        table.append(('%s' % row['key'], '{:,}'.format(row['size']), '%.3f' % row['wall'], '%.3f' % row['cpu'],
                      '%.1f' % row['calls']))
    lines = ['### Account size (fast path; median of %d tasks after the first)' % result['n'], '']
    lines += markdown_table(('task', 'licenses', 'wall s', 'CPU s', 'API calls'), table)
    lines.append('')
    for key, rows in sorted(by_key.items()):
        rows = sorted(rows, key=lambda r: r['size'])
        small, large = rows[0], rows[-1]
        lines.append('- %s: %s licenses cost %+.3f s wall, %+.3f s CPU per task more than %s'
                     % (key, '{:,}'.format(large['size']), large['wall'] - small['wall'], large['cpu'] - small['cpu'],
                        '{:,}'.format(small['size'])))
    return lines


def main():
    return sizes_main(__doc__, SIZES, run, report)


if __name__ == '__main__':
    sys.exit(main())
