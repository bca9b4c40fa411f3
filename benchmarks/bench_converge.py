# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A no-change converge of a fleet, per hosts x account size: API calls, bytes, controller CPU, wall.

The account is seeded (bulk, ``POST /sandbox/licenses`` with ``count``) with
one license per host of the largest fleet (licname ``h<id>``, IP 127.1.x.y,
ispmanager6_lite, monthly, autoprolong on, active with a key) plus filler
licenses up to the account size.  Every host already has its license, so a
converge changes nothing.  The inventory: N hosts with
``ansible_connection=local``, each with its licname and license IP as host
variables (127.x addresses are data for the sandbox, never contacted).

Two playbooks per cell, forks 20:

  isp_license  one ``isp_license`` task per host, ``delegate_to: localhost``,
               by licname + ip + product (the issue's case);
  role         the role ``ispsystem.billmanager.licensed_server``'s license
               part, its own task files in the role's order
               (``include_role`` with ``tasks_from``: plan, guard, license), so
               its variables, its loop and its ``no_log`` are what is measured.
               Not the whole role: its panel steps (``stat`` and ``licctl info``
               on each host) start two module processes per host, about 0.8 s
               of CPU, minutes at 1,000 hosts before any license work, and a
               no-change run needs an installed panel per host first.

Each playbook starts and ends with an ``ansible.builtin.debug`` task per
host: the floor of any task, measured in the same run.  A second ``debug``,
``delegate_to: localhost`` like the billing tasks, shows what delegation
alone costs (information; the target is against the floor).  The callback
billmanager_bench_timer marks the clock and the CPU (ansible-playbook and its
reaped workers) at each task start; a part's cost is the interval between
marks, the startup of ansible-playbook is not in it.  The sandbox counts the
API calls and the bytes of their answers (``bytes_out`` of its request log).
The sandbox's own CPU is not counted.

``--https``: the sandbox serves HTTPS, and the controller trusts it through
REQUESTS_CA_BUNDLE, a bundle of certifi's size: what a billing with a
certificate of a public CA costs (the TLS handshake, the CA bundle).

    python benchmarks/bench_converge.py [--hosts 100 1000] [--licenses 1000 10000 20000] [--forks 20] [--budget S]
                                        [--https]
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

from benchlib import (REPO, NS, ansible_env, emit, markdown_table, new_sandbox, playbook_command,  # noqa: E402
                      progress, timed_playbook)

HOSTS = (100, 1000)
LICENSES = (1000, 10000, 20000)
FORKS = 20
KINDS = ('isp_license', 'role')
PRODUCT = 'ispmanager6_lite'
PRICELIST = 55227
ROLE = NS + 'licensed_server'
ROLE_TASKS = os.path.join(REPO, 'roles', 'licensed_server', 'tasks')
LIST_FUNCS = ('soft', 'platform', 'softexternal')

# The targets, at 1,000 hosts on 10,000 licenses.
TARGET_CELL = (1000, 10000)
CALLS_SLACK = 5          # calls <= hosts + 5
LISTINGS_ALLOWED = 2     # bytes <= 2 listings + 2 KB per host
BYTES_PER_HOST = 2048
CPU_FLOOR_RATIO = 1.5    # controller CPU per host <= 1.5 x the debug floor

# Old main (before the run-shared listing), as the issue measured it: 1,000 hosts, 10,000 licenses, forks 20.
BEFORE = dict(hosts=1000, licenses=10000, calls=2000, bytes=2.88e9, cpu=288.0)


def seed_account(sandbox, hosts, size):
    """Wipe, then ``hosts`` licenses of the fleet and filler up to ``size``; returns the fleet's (licname, ip)."""
    sandbox.wipe_licenses()
    answer = sandbox.seed(hosts, pricelist=PRICELIST, ip_prefix='127.1.', licname_prefix='h', autoprolong=1,
                          period=1)
    if size > hosts:
        sandbox.seed(size - hosts, pricelist=PRICELIST, ip_prefix='127.100.')
    by_id = dict((lic['id'], lic) for lic in sandbox.licenses() if lic['licname'].startswith('h'))
    return [(by_id[i]['licname'], by_id[i]['ip']) for i in range(answer['first_id'], answer['last_id'] + 1)]


def listing_bytes(sandbox):
    """The size of one ``func=soft`` answer (the whole account), as the collection asks for it."""
    import requests
    data = {'func': 'soft', 'out': 'json', 'authinfo': sandbox.authinfo}
    return len(requests.post(sandbox.url, data=data, timeout=120,
                             verify=getattr(sandbox, 'ca_bundle', True)).content)


def write_inventory(path, fleet, count):
    with open(path, 'w') as handle:
        handle.write('[fleet]\n')
        for licname, ip in fleet[:count]:
            handle.write('%s ansible_connection=local license_ip=%s licensed_server_licname=%s '
                         'licensed_server_license_ip=%s\n' % (licname, ip, licname, ip))
        handle.write('\n[fleet:vars]\nlicensed_server_install_packages=false\nlicensed_server_product=%s\n'
                     'ansible_python_interpreter=%s\n' % (PRODUCT, sys.executable))
    return path


def floor_task(name, delegated=False):
    task = {'name': name, 'ansible.builtin.debug': {'msg': '{{ inventory_hostname }}'}}
    if delegated:
        task['delegate_to'] = 'localhost'
    return task


def role_tasks():
    """The role's license part, with its own files: plan, guard and license (those the role has)."""
    if not os.path.exists(os.path.join(ROLE_TASKS, 'plan.yml')):
        # The role before its one-call change: license.yml alone, the variables present.yml sets.
        return [{'name': 'role: license', 'ansible.builtin.include_role': {'name': ROLE, 'tasks_from': 'license'},
                 'vars': {'licensed_server__ip': '{{ licensed_server_license_ip }}',
                          'licensed_server__tariff': PRODUCT}}]
    return [{'name': 'role: %s' % part, 'ansible.builtin.include_role': {'name': ROLE, 'tasks_from': part}}
            for part in ('plan', 'guard', 'license')
            if os.path.exists(os.path.join(ROLE_TASKS, part + '.yml'))]


def write_playbook(path, kind):
    if kind == 'isp_license':
        work = [{'name': 'Ensure the license of the host', 'delegate_to': 'localhost',
                 NS + 'isp_license': {'licname': '{{ inventory_hostname }}', 'ip': '{{ license_ip }}',
                                      'product': PRODUCT}}]
    else:
        work = role_tasks()
    play = [{'name': 'No-change converge', 'hosts': 'fleet', 'gather_facts': False,
             'tasks': [floor_task('floor before'), floor_task('floor delegated', delegated=True)] + work
             + [floor_task('floor after')]}]
    with open(path, 'w') as handle:
        json.dump(play, handle, indent=1)  # JSON is YAML
    return path


def intervals(marks):
    """(work, floor, delegated): {wall, cpu} of the work between the floors, of the cheaper of the two
    floors, and of the delegated debug task."""
    names = [mark['task'] for mark in marks]
    before, delegated, after = (names.index(name) for name in ('floor before', 'floor delegated', 'floor after'))
    end = len(marks) - 1

    def span(a, b):
        return dict(wall=marks[b]['t'] - marks[a]['t'], cpu=marks[b]['cpu'] - marks[a]['cpu'])
    floors = [span(before, before + 1), span(after, end)]
    return span(delegated + 1, after), min(floors, key=lambda f: f['cpu']), span(delegated, delegated + 1)


def measure(sandbox, env, workdir, fleet, hosts, size, kind, forks):
    inventory = write_inventory(os.path.join(workdir, 'hosts-%d.ini' % hosts), fleet, hosts)
    playbook = write_playbook(os.path.join(workdir, '%s.yml' % kind), kind)
    sandbox.clear_log()
    progress('converge: %s, %d hosts, %d licenses, forks %d' % (kind, hosts, size, forks))
    run = timed_playbook(playbook_command(playbook, inventory=inventory, connection=None, forks=forks), env,
                         workdir, '%s %d hosts %d licenses' % (kind, hosts, size), timeout=1800)
    log = sandbox.log()
    work, floor, delegated = intervals(run.marks)
    changed = run.output.count('changed: [')
    recap_changed = sum(int(part.split('=')[1]) for line in run.output.splitlines() if ' : ok=' in line
                        for part in line.split() if part.startswith('changed='))
    start = log[0]['time'] if log else 0
    marks = run.marks
    parts = [dict(task=a['task'], wall=round(b['t'] - a['t'], 3), cpu=round(b['cpu'] - a['cpu'], 3))
             for a, b in zip(marks, marks[1:])]
    return dict(kind=kind, hosts=hosts, licenses=size, forks=forks, calls=len(log),
                parts=parts, tasks=len(parts) - 3,
                listing_at=[round(entry['time'] - start, 2) for entry in log if entry['func'] in LIST_FUNCS],
                listings=sum(1 for entry in log if entry['func'] in LIST_FUNCS),
                reads=sum(1 for entry in log if (entry['func'] or '').endswith('.edit')),
                writes=sum(1 for entry in log if entry['func'] not in LIST_FUNCS
                           and not (entry['func'] or '').endswith('.edit')),
                bytes=sum(entry.get('bytes_out') or 0 for entry in log),
                wall=work['wall'], cpu=work['cpu'], floor_wall=floor['wall'], floor_cpu=floor['cpu'],
                delegated_floor_cpu=delegated['cpu'],
                process_wall=run.wall, process_cpu=run.cpu, changed=max(changed, recap_changed),
                maxrss_worker=run.marks[-1].get('maxrss_children'), maxrss_parent=run.marks[-1].get('maxrss_self'))


def bursts(times, gap=5.0):
    """Listing times (s after the run's first call) grouped where they are less than ``gap`` apart."""
    groups = []
    for moment in sorted(times):
        if groups and moment - groups[-1][-1] < gap:
            groups[-1].append(moment)
        else:
            groups.append([moment])
    return ', '.join('%d at %.0f-%.0f s' % (len(g), g[0], g[-1]) if len(g) > 1 else '1 at %.0f s' % g[0]
                     for g in groups)


def estimate(rows, kind, hosts, size):
    """Seconds a run of ``kind`` should take: from its largest run so far, per host; +20 % on a larger account."""
    same = [r for r in rows if r['kind'] == kind]
    if not same:
        return None
    ref = max(same, key=lambda r: (r['hosts'], r['licenses']))
    return ref['process_wall'] * hosts / float(ref['hosts']) * (1.2 if size > ref['licenses'] else 1.0)


def cell_order(hosts, licenses):
    """The cells to run, cheapest first, but the target cell before the other large ones.

    The small fleets on every account size, then 1,000 hosts on 10,000
    licenses (where the targets are set), then the other large cells by
    account size: when the time bound cuts, it cuts the largest.
    """
    cells = [(count, size) for size in licenses for count in hosts if count <= size]
    small = min(hosts)
    return sorted(cells, key=lambda c: (c[0] != small, c != TARGET_CELL, c[0], -c[1] if c[0] != small else c[1]))


def run(hosts=HOSTS, licenses=LICENSES, forks=FORKS, kinds=KINDS, deadline=None, workdir=None, https=False):
    """Every licenses x hosts cell (small ones first); a cell whose estimate ends past ``deadline`` is skipped."""
    own = workdir is None
    workdir = workdir or tempfile.mkdtemp(prefix='bench-converge-')
    rows, skipped, listing_size = [], [], {}
    try:
        with new_sandbox(os.path.join(workdir, 'sandbox'), https=https) as sandbox:
            state = os.path.join(workdir, 'state')
            os.makedirs(state, mode=0o700)
            env = ansible_env(sandbox, ANSIBLE_DISPLAY_OK_HOSTS='False', ANSIBLE_DISPLAY_SKIPPED_HOSTS='False',
                              BILLMANAGER_STATE_DIR=state)
            if https:
                env['REQUESTS_CA_BUNDLE'] = sandbox.ca_bundle
            fleet, seeded = None, None
            for count, size in cell_order(hosts, licenses):
                for kind in kinds:
                    expected = estimate(rows, kind, count, size)
                    # The cell of the targets always runs; the time bound cuts the others.
                    if (deadline is not None and expected is not None and (count, size) != TARGET_CELL
                            and time.monotonic() + expected > deadline):
                        skipped.append((count, size, kind, 'skipped: about %.0f s more would pass the time bound'
                                        % expected))
                        progress('converge: %s, %d hosts, %d licenses skipped (time bound)' % (kind, count, size))
                        continue
                    if seeded != size:
                        progress('converge: seeding %d licenses' % size)
                        # The same account for every fleet size: the largest fleet's licenses, then filler.
                        fleet = seed_account(sandbox, max(h for h in hosts if h <= size), size)
                        seeded = size
                        listing_size[size] = listing_bytes(sandbox)
                    rows.append(measure(sandbox, env, workdir, fleet, count, size, kind, forks))
    finally:
        if own:
            shutil.rmtree(workdir, ignore_errors=True)
    return dict(rows=rows, skipped=skipped, listing_bytes=listing_size, forks=forks,
                scheme='https' if https else 'http')


def _mb(value):
    return '%.2f' % (value / 1e6)


def targets(result):
    """(label, measured, target, met) of the issue's targets, for the cell they are set for."""
    found = []
    hosts, size = TARGET_CELL
    listing = result['listing_bytes'].get(size)
    for kind in KINDS:
        row = next((r for r in result['rows'] if (r['kind'], r['hosts'], r['licenses']) == (kind, hosts, size)),
                   None)
        if row is None:
            found.append(('%s, %s hosts on %s licenses' % (kind, '{:,}'.format(hosts), '{:,}'.format(size)),
                          'not measured', '-', 'not measured'))
            continue
        calls_max = hosts + CALLS_SLACK
        bytes_max = LISTINGS_ALLOWED * listing + BYTES_PER_HOST * hosts
        floor = row['floor_cpu'] / hosts
        cpu = row['cpu'] / hosts
        found += [
            ('%s: API calls' % kind, '{:,}'.format(row['calls']), '<= {:,}'.format(calls_max),
             row['calls'] <= calls_max),
            ('%s: MB from the API' % kind, _mb(row['bytes']), '<= %s (2 listings of %s + 2 KB/host)'
             % (_mb(bytes_max), _mb(listing)), row['bytes'] <= bytes_max),
        ]
        measured = '%.1f (%.2f x floor)' % (1000 * cpu, cpu / floor if floor else 0)
        if kind == 'isp_license':
            found.append(('%s: controller CPU ms/host' % kind, measured,
                          '<= %.1f (1.5 x debug %.1f)' % (1500 * floor, 1000 * floor), cpu <= CPU_FLOOR_RATIO * floor))
            delegated = row['delegated_floor_cpu'] / hosts
            found.append(('%s: the same over a delegated debug' % kind, '%.2f x %.1f' % (
                cpu / delegated if delegated else 0, 1000 * delegated), 'none (delegate_to costs any task that)',
                'info'))
        else:  # the role runs a dozen tasks per host: a CPU bound of one task does not apply
            found.append(('%s: controller CPU ms/host (%d task starts per host)' % (kind, row['tasks']), measured,
                          'none (1.5 x debug would be %.1f)' % (1500 * floor), 'info'))
    return found


def report(result):
    rows = sorted(result['rows'], key=lambda r: (r['licenses'], r['hosts'], KINDS.index(r['kind'])))
    table = []
    for row in rows:
        per_host = 1000.0 * row['cpu'] / row['hosts']
        floor = 1000.0 * row['floor_cpu'] / row['hosts']
        delegated = 1000.0 * row['delegated_floor_cpu'] / row['hosts']
        table.append(('{:,}'.format(row['hosts']), '{:,}'.format(row['licenses']), row['kind'],
                      '{:,}'.format(row['calls']), row['listings'], '%.2f' % (row['bytes'] / 1e6),
                      '%.1f' % (row['bytes'] / 1024.0 / row['hosts']), '%.1f' % row['wall'], '%.1f' % row['cpu'],
                      '%.1f' % per_host, '%.1f' % floor, '%.2f' % (per_host / floor if floor else 0),
                      '%.1f' % delegated, '%.2f' % (per_host / delegated if delegated else 0),
                      '%.0f' % (row['maxrss_worker'] or 0), '%.0f' % (row['maxrss_parent'] or 0), row['changed']))
    for hosts, size, kind, why in result['skipped']:
        table.append(('{:,}'.format(hosts), '{:,}'.format(size), '%s: %s' % (kind, why)) + ('-',) * 14)
    lines = ['### No-change converge (forks %d; the sandbox on 127.0.0.1, %s)'
             % (result['forks'], result.get('scheme', 'http')), '',
             'One listing of the whole account: %s.' % ', '.join(
                 '%s MB at %s licenses' % (_mb(size), '{:,}'.format(count))
                 for count, size in sorted(result['listing_bytes'].items())),
             '']
    lines += markdown_table(('hosts', 'licenses', 'run', 'API calls', 'listings', 'MB from API', 'KB/host',
                             'wall s', 'CPU s', 'CPU ms/host', 'debug ms/host', 'x debug', 'delegated debug ms/host',
                             'x delegated', 'worker max RSS MB', 'ansible-playbook max RSS MB', 'changed'), table,
                            align='rrlrrrrrrrrrrrrrr')
    lines += ['', 'When the listings were made (seconds after the run\'s first API call):', '']
    for row in rows:
        cell = '{:,} hosts, {:,} licenses'.format(row['hosts'], row['licenses'])
        lines.append('- %s, %s: %s' % (cell, row['kind'], bursts(row['listing_at']) or 'none'))
    lines += ['', 'Targets at 1,000 hosts on 10,000 licenses (the issue: old main made %s calls, %.2f GB, %.0f s of '
              'controller CPU there):' % ('{:,}'.format(BEFORE['calls']), BEFORE['bytes'] / 1e9, BEFORE['cpu']), '']
    lines += markdown_table(('target', 'measured', 'target', 'met'),
                            [(label, value, bound, met if isinstance(met, str) else ('met' if met else 'NOT met'))
                             for label, value, bound, met in targets(result)], align='lrll')
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--hosts', type=int, nargs='+', default=list(HOSTS))
    parser.add_argument('--licenses', type=int, nargs='+', default=list(LICENSES))
    parser.add_argument('--forks', type=int, default=FORKS)
    parser.add_argument('--kinds', nargs='+', choices=KINDS, default=list(KINDS))
    parser.add_argument('--budget', type=float, help='seconds: cells that would end past it are skipped')
    parser.add_argument('--json', help='also write the figures to this file')
    parser.add_argument('--https', action='store_true', help='HTTPS, with a CA bundle of a public CA\'s size')
    options = parser.parse_args()
    deadline = time.monotonic() + options.budget if options.budget else None
    result = run(options.hosts, options.licenses, options.forks, tuple(options.kinds), deadline, https=options.https)
    return emit(report(result), result, options.json)


if __name__ == '__main__':
    sys.exit(main())
