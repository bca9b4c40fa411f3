# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How isp_license_info scales with the size of the account (a script, not a test).

Starts two sandboxes itself, one seeded with 10 licenses and one with 10,000,
and measures against each, the two sizes alternating run by run so that the
load of a busy machine falls on both alike:

  playbook   wall time of a real ``ansible-playbook`` run of one
             isp_license_info task, and the peak RSS of that run:
             ``os.wait4`` on the ansible-playbook process (from a small
             launcher process) gives the max RSS of it and of its worker
             processes.  On localhost the task runs in
             the controller's worker through the collection's action plugin,
             which is where the module's work happens in that case.
  module     the module file run on its own, as Ansible runs it on a remote
             host (``python isp_license_info.py args.json``): wall time and
             the max RSS of that one process (``os.wait4``).
  query()    ``query_licenses()`` called in this process: time, and the
             peak of Python allocations (tracemalloc).

Times are medians of --iterations runs; "extra" is the median of the paired
differences (10,000 minus 10, run i against run i).

Two queries: ``ip`` (a filter that matches one license, the usual case) and
``all`` (no filter: every license comes back, 10,000 records through
Ansible's result handling).  The targets: with the filtered query, 10,000
licenses cost at most 0.5 s more than 10; the module's peak memory stays
under 150 MB in every case.

    python benchmarks/bench_info_account_size.py [--iterations 7] [--sizes 10 10000] [--json FILE]

Exit status 1 when a target is missed.
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, 'tests'))

from collection_path import collections_root, install  # noqa: E402
from sandbox_control import SandboxControl  # noqa: E402
from benchlib import LAUNCHER  # noqa: E402

install()

from ansible_collections.ispsystem.billmanager.plugins.module_utils._isp_license_info import query_licenses  # noqa: E402
from ansible_collections.ispsystem.billmanager.plugins.module_utils._connection import client_from_params  # noqa: E402

BIN = os.path.dirname(sys.executable)
MODULE_FILE = os.path.join(REPO, 'plugins', 'modules', 'isp_license_info.py')
TIME_TARGET = 0.5   # seconds more for 10,000 licenses than for 10
MEMORY_TARGET = 150  # MB, peak of the module's process

PLAYBOOK = '''---
- name: Benchmark isp_license_info
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Read licenses
      ispsystem.billmanager.isp_license_info: {args}
      register: info
    - name: Count them
      ansible.builtin.assert:
        that: info.licenses | length == {expect}
        quiet: true
'''


def run_measured(command, env, cwd):
    """Run ``command``; return (wall seconds, CPU seconds, max RSS in MB, output).

    CPU is user + system time of the command and its waited-for children: unlike the
    wall time, it hardly moves when other processes load the machine.

    The max RSS comes from ``wait4`` in the launcher: the command's own peak, or that of
    a worker process it forked and waited for, whichever is larger.
    """
    report = os.path.join(cwd, 'measured.json')
    with tempfile.TemporaryFile() as log:
        process = subprocess.run([sys.executable, '-S', '-c', LAUNCHER, report] + list(command), env=env,
                                 cwd=cwd, stdout=log, stderr=subprocess.STDOUT, check=False)
        log.seek(0)
        output = log.read().decode('utf-8', 'replace')
    with open(report) as handle:
        measured = json.load(handle)
    if process.returncode != 0 or measured['rc'] != 0:
        raise SystemExit('command failed (%s): %s\n%s' % (measured['rc'], ' '.join(command), output[-3000:]))
    return measured['elapsed'], measured['cpu'], measured['maxrss_kib'] / 1024.0, output  # KiB on Linux


class Account:
    """One sandbox with ``size`` licenses, and the three ways to query it."""

    def __init__(self, size, workdir):
        self.size = size
        self.workdir = os.path.join(workdir, str(size))
        os.makedirs(self.workdir)
        self.sandbox = SandboxControl(os.path.join(self.workdir, 'state.json')).start()
        self.sandbox.seed(size, pricelist=55227, ip_prefix='10.')
        # The last license: the filter has to go through the whole list.
        self.last_ip = self.sandbox.licenses()[-1]['ip']

    def stop(self):
        self.sandbox.stop()

    def connection(self):
        return {'api_url': self.sandbox.url, 'api_username': self.sandbox.username,
                'api_password': self.sandbox.password}

    def query(self, name):
        """(module arguments, licenses expected back) of query ``name``."""
        return ({'ip': self.last_ip}, 1) if name == 'ip' else ({}, self.size)

    def playbook(self, name):
        args, expect = self.query(name)
        path = os.path.join(self.workdir, 'playbook-%s.yml' % name)
        with open(path, 'w') as handle:
            handle.write(PLAYBOOK.format(args=json.dumps(args), expect=expect))
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_root(), ANSIBLE_NOCOLOR='1',
                   ANSIBLE_LOCALHOST_WARNING='False', ANSIBLE_INVENTORY_UNPARSED_WARNING='False',
                   ANSIBLE_RETRY_FILES_ENABLED='False', BILLMANAGER_URL=self.sandbox.url,
                   BILLMANAGER_USERNAME=self.sandbox.username, BILLMANAGER_PASSWORD=self.sandbox.password,
                   PATH=BIN + os.pathsep + os.environ.get('PATH', ''))
        command = [os.path.join(BIN, 'ansible-playbook'), path, '-i', 'localhost,',
                   '-e', 'ansible_python_interpreter=%s' % sys.executable]
        elapsed, cpu, peak, _output = run_measured(command, env, self.workdir)
        return elapsed, cpu, peak

    def module(self, name):
        args, expect = self.query(name)
        path = os.path.join(self.workdir, 'args-%s.json' % name)
        with open(path, 'w') as handle:
            json.dump({'ANSIBLE_MODULE_ARGS': dict(self.connection(), **args)}, handle)
        env = dict(os.environ, PYTHONPATH=collections_root())
        elapsed, cpu, peak, output = run_measured([sys.executable, MODULE_FILE, path], env, self.workdir)
        result = json.loads(output[output.find('{'):])
        if len(result['licenses']) != expect:
            raise SystemExit('module returned %d licenses, expected %d' % (len(result['licenses']), expect))
        return elapsed, cpu, peak

    def in_process(self, name, trace=False):
        args, expect = self.query(name)
        params = dict(self.connection(), auth_method='authinfo', validate_certs=True, ca_path=None,
                      api_timeout=60, api_retries=0)
        filters = dict({'id': None, 'licname': None, 'ip': None, 'product': None, 'pricelist': None,
                        'status': None, 'expiring_within_days': None, 'details': False}, **args)
        if trace:
            tracemalloc.start()
        start, start_cpu = time.perf_counter(), time.process_time()
        found = query_licenses(client_from_params(params), filters)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        peak = 0.0
        if trace:
            peak = tracemalloc.get_traced_memory()[1] / 1024.0 / 1024.0
            tracemalloc.stop()
        if len(found) != expect:
            raise SystemExit('query_licenses returned %d licenses, expected %d' % (len(found), expect))
        return elapsed, cpu, peak


def measure(accounts, kind, query, iterations):
    """Alternate the accounts run by run; return {size: (times, cpu times, peaks)}."""
    for account in accounts:  # warm-up: .pyc files, the sandbox's first answer
        getattr(account, kind)(query)
    samples = dict((account.size, ([], [], [])) for account in accounts)
    for _iteration in range(iterations):
        for account in accounts:
            for values, value in zip(samples[account.size], getattr(account, kind)(query)):
                values.append(value)
    if kind == 'in_process':
        for account in accounts:
            samples[account.size][2][:] = [account.in_process(query, trace=True)[2]]
    return samples


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--iterations', type=int, default=7)
    parser.add_argument('--sizes', type=int, nargs=2, default=[10, 10000], metavar=('SMALL', 'LARGE'))
    parser.add_argument('--json', help='also write the figures to this file')
    options = parser.parse_args()
    small, large = sorted(options.sizes)

    workdir = tempfile.mkdtemp(prefix='bench-info-')
    accounts = []
    rows, extras = [], {}
    try:
        accounts = [Account(small, workdir), Account(large, workdir)]
        results = {}
        for query in ('ip', 'all'):
            for kind in ('playbook', 'module', 'in_process'):
                print('measuring %s, query %s ...' % (kind, query), file=sys.stderr)
                results[(query, kind)] = samples = measure(accounts, kind, query, options.iterations)
                extras[(query, kind)] = tuple(statistics.median(
                    [big - little for big, little in zip(samples[large][i], samples[small][i])]) for i in (0, 1))
        for query in ('ip', 'all'):
            for size in (small, large):
                row = dict(size=size, query=query, returned=1 if query == 'ip' else size)
                for kind in ('playbook', 'module', 'in_process'):
                    times, cpu_times, peaks = results[(query, kind)][size]
                    row[kind + '_s'] = statistics.median(times)
                    row[kind + '_cpu_s'] = statistics.median(cpu_times)
                    row[kind + '_mb'] = max(peaks)
                rows.append(row)
    finally:
        for account in accounts:
            account.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    print()
    print('isp_license_info against accounts of %d and %d licenses (%d runs each, alternating; '
          'time: median, memory: peak)' % (small, large, options.iterations))
    header = ('licenses', 'query', 'returned', 'playbook s', 'cpu s', 'MB', 'module s', 'cpu s', 'MB',
              'query() s', 'cpu s', 'MB')
    lines = [header]
    for row in rows:
        cells = ['%d' % row['size'], row['query'], '%d' % row['returned']]
        for kind in ('playbook', 'module', 'in_process'):
            cells += ['%.3f' % row[kind + '_s'], '%.3f' % row[kind + '_cpu_s'], '%.1f' % row[kind + '_mb']]
        lines.append(tuple(cells))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        print('  '.join(cell.rjust(width) for cell, width in zip(line, widths)))
    print('s: wall time; cpu s: user + system time (of the process and its workers); MB: peak.')
    print('playbook: ansible-playbook wall time, max RSS of it and its workers (on localhost the task runs')
    print('          in the worker, through the action plugin). module: the module process alone')
    print('          (python isp_license_info.py args.json), its own max RSS. query(): query_licenses()')
    print('          in this process, tracemalloc peak of Python allocations.')

    failed = []
    print()
    # The target is about the account's size: the filtered query returns one license
    # from either account. "all" returns every license, so it also measures
    # Ansible's handling of a 10,000-record result; it is shown, not judged.
    for query in ('ip', 'all'):
        for kind in ('playbook', 'module', 'in_process'):
            extra, extra_cpu = extras[(query, kind)]
            if query == 'ip':
                verdict = 'ok' if extra <= TIME_TARGET else 'MISSED'
                if verdict != 'ok':
                    failed.append('%s %s' % (query, kind))
            else:
                verdict = '(information: %d records returned)' % large
            print('extra time, %-4s %-10s %d vs %d licenses: %+.3f s wall, %+.3f s cpu (target <= +%.1f s) %s'
                  % (query, kind, large, small, extra, extra_cpu, TIME_TARGET, verdict))
    peak = max(row['module_mb'] for row in rows)
    if peak >= MEMORY_TARGET:
        failed.append('module memory')
    print('module process peak RSS %.1f MB (target < %d MB) %s'
          % (peak, MEMORY_TARGET, 'ok' if peak < MEMORY_TARGET else 'MISSED'))
    if options.json:
        with open(options.json, 'w') as handle:
            json.dump({'rows': rows, 'extra_s': dict(('%s %s' % key, value[0]) for key, value in extras.items()),
                       'extra_cpu_s': dict(('%s %s' % key, value[1]) for key, value in extras.items()),
                       'missed': failed}, handle, indent=2)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
