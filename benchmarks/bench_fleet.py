# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A fleet ensuring its licenses: 100 and 1,000 hosts with forks 1, 10 and 50.

The inventory: N hosts with ``ansible_connection=local``, each with its own
license IP (127.1.x.y: data for the sandbox, never contacted).  The playbook
(written to a temporary folder): one ``isp_license`` task per host, delegated to
localhost as the role licensed_server does it, against an empty account, so
every host orders its license.  Measured: wall time, CPU of ansible-playbook
and everything it ran (os.wait4), API calls and orders the sandbox saw, and
the licenses it holds afterwards: orders must equal new licenses.  With the
largest forks the same run follows once more for 100 hosts (``again``),
which must order nothing.  For comparison, 100 hosts with forks 10 run on
the module path too: each host on the test connection billmanager_remote_test
(a remote host to the action plugin), the task not delegated, so one module
process per host, as with SSH hosts running the module themselves.

The sandbox finishes an order at once (processing 0 s): the benchmark
measures the controller, not the billing system's provisioning delay.

Why not playbooks/provision.yml: the role licensed_server always installs
or activates the panel on each host (no variable skips it), which here would
mean a panel download and installation per host; the fleet playbook runs
the license task alone.

    python benchmarks/bench_fleet.py [--hosts 100 1000] [--forks 1 10 50] [--skip 1000x1] [--budget 600]
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchlib import (emit, MODULE_PATH_CONNECTION, NS, ansible_env, check, markdown_table, new_sandbox,  # noqa: E402
                      playbook_command, progress, run_measured)

HOSTS = (100, 1000)
FORKS = (1, 10, 50)
# forks 1 x 1,000 hosts takes minutes on its own: it runs last, when the time bound of make bench allows.
LAST = ('1000x1',)
PLAYBOOK = ('the benchmark\'s own fleet playbook: one isp_license task per host, delegate_to: localhost; '
            'playbooks/provision.yml would install a panel on every host')


def license_ip(number):
    """127.1.x.y for host ``number`` (1-based): unique for up to 65,000 hosts."""
    return '127.1.%d.%d' % (number // 250, number % 250 + 1)


def write_inventory(path, count, connection='local'):
    with open(path, 'w') as handle:
        handle.write('[fleet]\n')
        for number in range(1, count + 1):
            handle.write('h%05d ansible_connection=%s license_ip=%s\n' % (number, connection, license_ip(number)))
    return path


def write_playbook(path, delegate=True):
    task = {
        'name': 'Ensure the license of the host',
        NS + 'isp_license': {'ip': '{{ license_ip }}', 'product': 'ispmanager6_lite'},
    }
    if delegate:
        task['delegate_to'] = 'localhost'
    play = [{'name': 'A fleet ensures its licenses', 'hosts': 'fleet', 'gather_facts': False, 'tasks': [task]}]
    with open(path, 'w') as handle:
        json.dump(play, handle, indent=1)
    return path


def measure(sandbox, env, workdir, inventory, playbook, forks, what):
    before = set(lic['id'] for lic in sandbox.licenses())
    sandbox.clear_log()
    result = check(run_measured(playbook_command(playbook, inventory=inventory, connection=None, forks=forks),
                                env=env, cwd=workdir, timeout=900), what)
    log = sandbox.log()
    after = sandbox.licenses()
    return dict(wall=result.wall, cpu=result.cpu, calls=len(log),
                orders=sum(1 for entry in log if entry['func'] == 'soft.order.param'),
                new=sum(1 for lic in after if lic['id'] not in before))


def estimate(rows, count, fork):
    """Seconds a run of ``count`` hosts with ``fork`` forks should take, from a smaller run with those forks.

    Per host a little more (x1.25) for the larger account each task lists.
    """
    known = [row for row in rows if row['forks'] == fork and row['run'] == 'orders' and row['hosts'] < count]
    if not known:
        return None
    row = max(known, key=lambda r: r['hosts'])
    return 1.25 * row['wall'] * count / row['hosts']


def run(hosts=HOSTS, forks=FORKS, skip=(), again=True, workdir=None, module_path=(100, 10), last=LAST,
        deadline=None):
    """Every hosts x forks pair on the fast path; ``module_path`` (hosts, forks): that one on the module path too.

    The pairs in ``last`` run at the end, and only when their estimated time
    still ends before ``deadline`` (a time.monotonic() value; None: always).
    """
    own = workdir is None
    workdir = workdir or tempfile.mkdtemp(prefix='bench-fleet-')
    rows, skipped = [], []
    try:
        playbook = write_playbook(os.path.join(workdir, 'fleet.yml'))
        with new_sandbox(os.path.join(workdir, 'sandbox')) as sandbox:
            env = ansible_env(sandbox, ANSIBLE_DISPLAY_OK_HOSTS='False', ANSIBLE_DISPLAY_SKIPPED_HOSTS='False')

            def fleet(count, fork):
                inventory = write_inventory(os.path.join(workdir, 'hosts-%d.ini' % count), count)
                sandbox.wipe_licenses()
                progress('fleet: %d hosts, forks %d' % (count, fork))
                row = measure(sandbox, env, workdir, inventory, playbook, fork, '%d hosts forks %d' % (count, fork))
                row.update(hosts=count, forks=fork, run='orders')
                rows.append(row)
                if again and fork == max(forks) and count == min(hosts):
                    progress('fleet: %d hosts, forks %d, again (no change)' % (count, fork))
                    row = measure(sandbox, env, workdir, inventory, playbook, fork,
                                  '%d hosts forks %d again' % (count, fork))
                    row.update(hosts=count, forks=fork, run='again')
                    rows.append(row)

            deferred = []
            for count in hosts:
                for fork in forks:
                    pair = '%dx%d' % (count, fork)
                    if pair in skip:
                        skipped.append((count, fork, 'skipped'))
                    elif pair in last:
                        deferred.append((count, fork))
                    else:
                        fleet(count, fork)
            if module_path:
                # The same fleet, each host "remote" (the test connection): the task is not
                # delegated and runs the module on the host, one Python process per host.
                count, fork = module_path
                inventory = write_inventory(os.path.join(workdir, 'hosts-%d-module.ini' % count), count,
                                            MODULE_PATH_CONNECTION)
                sandbox.wipe_licenses()
                progress('fleet: %d hosts, forks %d, module path' % (count, fork))
                row = measure(sandbox, env, workdir, inventory,
                              write_playbook(os.path.join(workdir, 'fleet-module.yml'), delegate=False), fork,
                              '%d hosts forks %d module path' % (count, fork))
                row.update(hosts=count, forks=fork, run='module')
                rows.append(row)
            for count, fork in deferred:
                expected = estimate(rows, count, fork)
                if deadline is not None and (expected is None or time.monotonic() + expected > deadline):
                    skipped.append((count, fork, 'skipped: about %s s more would take make bench past its time '
                                    'bound' % ('%.0f' % expected if expected else '?')))
                    progress('fleet: %d hosts, forks %d skipped (time bound)' % (count, fork))
                    continue
                fleet(count, fork)
    finally:
        if own:
            shutil.rmtree(workdir, ignore_errors=True)
    return dict(rows=rows, skipped=skipped, playbook=PLAYBOOK)


def report(result):
    table = []
    for row in result['rows']:
        expected_orders = 0 if row['run'] == 'again' else row['hosts']
        verdict = 'yes' if row['orders'] == row['new'] == expected_orders else 'NO'
        label = {'orders': 'empty account', 'again': 'again, no change',
                 'module': 'empty account, module path'}[row['run']]
        table.append(('{:,}'.format(row['hosts']), row['forks'], label, '%.1f' % row['wall'], '%.1f' % row['cpu'],
                      '%.1f' % (1000.0 * row['cpu'] / row['hosts']), '{:,}'.format(row['calls']),
                      '{:,}'.format(row['orders']), '{:,}'.format(row['new']), verdict))
    for count, fork, why in result['skipped']:
        table.append(('{:,}'.format(count), fork, why, '-', '-', '-', '-', '-', '-', '-'))
    lines = ['### Fleet: every host ensures its license', '', 'Playbook: %s.' % result['playbook'], '']
    lines += markdown_table(('hosts', 'forks', 'run', 'wall s', 'CPU s', 'CPU ms/host', 'API calls', 'orders',
                             'new licenses', 'orders = new'), table, align='rrlrrrrrrr')
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--hosts', type=int, nargs='+', default=list(HOSTS))
    parser.add_argument('--forks', type=int, nargs='+', default=list(FORKS))
    parser.add_argument('--skip', nargs='*', default=[], help='HOSTSxFORKS pairs not to run')
    parser.add_argument('--budget', type=float, help='seconds: the pairs run last (1000x1) only if they fit')
    parser.add_argument('--no-again', action='store_true', help='no second, no-change run')
    parser.add_argument('--no-module-path', action='store_true', help='no module-path run (100 hosts, forks 10)')
    parser.add_argument('--json', help='also write the figures to this file')
    options = parser.parse_args()
    deadline = time.monotonic() + options.budget if options.budget else None
    result = run(options.hosts, options.forks, options.skip, not options.no_again,
                 module_path=None if options.no_module_path else (100, 10), deadline=deadline)
    return emit(report(result), result, options.json)


if __name__ == '__main__':
    sys.exit(main())
