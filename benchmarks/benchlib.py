# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared machinery of the benchmarks: the sandbox, ansible-playbook runs, rusage, tables.

A benchmark never passes or fails on time: it measures and prints.  Every
process it starts is bounded in time (``timeout``) and killed when it
overruns; the only network peer is the sandbox on 127.0.0.1.
"""

from __future__ import absolute_import, division, print_function

import atexit
import json
import os
import shutil
import platform
import resource
import signal
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(REPO, 'benchmarks')
TESTS = os.path.join(REPO, 'tests')
sys.path.insert(0, TESTS)

from collection_path import collections_root, install  # noqa: E402
from sandbox_control import SandboxControl  # noqa: E402

install()

BIN = os.path.dirname(sys.executable)
ANSIBLE_PLAYBOOK = os.path.join(BIN, 'ansible-playbook')
# ansible.builtin.local under another transport name: the action plugins see a
# remote host and run the module (AnsiballZ, one Python process per task).
CONNECTION_PLUGINS = os.path.join(TESTS, 'ansible_plugins', 'connection')
MODULE_PATH_CONNECTION = 'billmanager_remote_test'
NS = 'ispsystem.billmanager.'

__all__ = ['REPO', 'BENCH', 'SandboxControl', 'Measure', 'ansible_env', 'run_measured', 'playbook_command',
           'machine', 'markdown_table', 'collections_root', 'new_sandbox', 'NS', 'MODULE_PATH_CONNECTION']


class Measure:
    """One process run: wall seconds, CPU seconds (user+sys of it and its waited-for children)."""

    def __init__(self, wall, user, system, maxrss_mb, rc, output):
        self.wall = wall
        self.user = user
        self.system = system
        self.cpu = user + system
        self.maxrss_mb = maxrss_mb
        self.rc = rc
        self.output = output

    def __repr__(self):
        return 'Measure(wall=%.3f, cpu=%.3f, rc=%s)' % (self.wall, self.cpu, self.rc)


# A small process starts each measured command and reports its wall time and max RSS.
# Linux keeps a process's peak RSS across fork and exec, so a command started from
# this (grown) benchmark process would report at least this process's size.
LAUNCHER = r'''
import json, os, sys, time
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_pid, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as handle:
    json.dump({"elapsed": time.perf_counter() - start, "rc": os.waitstatus_to_exitcode(status),
               "maxrss_kib": usage.ru_maxrss, "cpu": usage.ru_utime + usage.ru_stime}, handle)
'''


_STATE_DIRS = []


def _state_dir():
    if not _STATE_DIRS:
        _STATE_DIRS.append(tempfile.mkdtemp(prefix='bench-controller-state-'))
        atexit.register(shutil.rmtree, _STATE_DIRS[0], True)
    return _STATE_DIRS[0]


def ansible_env(sandbox=None, **extra):
    """Environment of an ansible-playbook run: this collection, quiet, the test connection plugin."""
    env = dict(os.environ)
    env.update({
        'ANSIBLE_COLLECTIONS_PATH': collections_root(),
        'ANSIBLE_CONNECTION_PLUGINS': CONNECTION_PLUGINS,
        'ANSIBLE_HOST_KEY_CHECKING': 'False',
        'ANSIBLE_RETRY_FILES_ENABLED': 'False',
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_LOCALHOST_WARNING': 'False',
        'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'False',
        'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
        'PATH': BIN + os.pathsep + env.get('PATH', ''),
    })
    # the controller's shared state (locks, a run's listing) beside the sandbox's, or in a folder of this
    # benchmark's own, removed when it ends: never in the user's home
    env['BILLMANAGER_STATE_DIR'] = os.path.join(sandbox.workdir, 'controller-state') if sandbox else _state_dir()
    if sandbox is not None:
        env.update({'BILLMANAGER_URL': sandbox.url, 'BILLMANAGER_USERNAME': sandbox.username,
                    'BILLMANAGER_PASSWORD': sandbox.password})
    env.update(dict((k, str(v)) for k, v in extra.items()))
    return env


def playbook_command(playbook, inventory='localhost,', connection='local', forks=None, verbosity=0):
    command = [ANSIBLE_PLAYBOOK, playbook, '-i', inventory]
    if connection:
        command += ['-c', connection]
    if forks:
        command += ['-f', str(forks)]
    if verbosity:
        command.append('-' + 'v' * verbosity)
    return command


def run_measured(command, env=None, cwd=None, timeout=600):
    """Run ``command`` to its end (killed after ``timeout`` s); its rusage comes from os.wait4.

    wait4 reports the process and every descendant it waited for: for
    ansible-playbook, its worker processes and the module processes they ran.
    """
    log = tempfile.TemporaryFile()
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    deadline = start + timeout
    killed = False
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pid, status, usage = os.wait4(process.pid, 0)
            killed = True
            break
        time.sleep(0.005)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    log.seek(0)
    output = log.read().decode('utf-8', 'replace')
    log.close()
    if killed:
        raise RuntimeError('timed out after %s s: %s\n%s' % (timeout, ' '.join(command), output[-2000:]))
    return Measure(elapsed, usage.ru_utime, usage.ru_stime, usage.ru_maxrss / 1024.0, process.returncode, output)


def check(measure, what):
    if measure.rc != 0:
        raise RuntimeError('%s failed (rc %s):\n%s' % (what, measure.rc, measure.output[-3000:]))
    return measure


def new_sandbox(folder, processing_seconds=0, https=False):
    """A sandbox in ``folder``; no processing delay unless asked (the benchmark measures the client).

    ``https``: the sandbox serves HTTPS with a certificate of its own for
    127.0.0.1, and ``sandbox.ca_bundle`` is a CA bundle as large as a public
    CA's clients trust (requests' certifi bundle) with that certificate added:
    a controller that trusts it through REQUESTS_CA_BUNDLE pays what it pays
    for a billing with a certificate of a public CA.
    """
    os.makedirs(folder, exist_ok=True)
    if not https:
        return SandboxControl(os.path.join(folder, 'state.json'), processing_seconds=processing_seconds)
    import requests.utils
    cert, key, bundle = (os.path.join(folder, name) for name in ('cert.pem', 'key.pem', 'bundle.pem'))
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
                    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert],
                   check=True, capture_output=True, timeout=60)
    with open(bundle, 'w') as out:
        for path in (requests.utils.DEFAULT_CA_BUNDLE_PATH, cert):
            with open(path) as part:
                out.write(part.read().rstrip('\n') + '\n')
    sandbox = SandboxControl(os.path.join(folder, 'state.json'), processing_seconds=processing_seconds,
                             tls_cert=cert, tls_key=key)
    sandbox.ca_bundle = bundle
    return sandbox


def machine():
    """What the numbers were measured on."""
    model = platform.processor() or 'unknown'
    try:
        with open('/proc/cpuinfo') as handle:
            for line in handle:
                if line.startswith('model name'):
                    model = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        from ansible.release import __version__ as ansible_version
    except ImportError:  # pragma: no cover
        ansible_version = 'unknown'
    try:
        import requests
        requests_version = requests.__version__
    except ImportError:  # pragma: no cover
        requests_version = 'missing'
    load = os.getloadavg() if hasattr(os, 'getloadavg') else (0, 0, 0)
    return dict(nproc=os.cpu_count(), cpu=model, python=platform.python_version(),
                ansible_core=ansible_version, requests=requests_version,
                system='%s %s' % (platform.system(), platform.release()),
                load='%.2f %.2f %.2f' % load)


def self_cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def markdown_table(header, rows, align=None):
    """A Markdown table; ``align`` is a string of 'l'/'r' per column (default: first left, rest right)."""
    align = align or ('l' + 'r' * (len(header) - 1))
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row):
        return '| ' + ' | '.join(cell.ljust(w) if a == 'l' else cell.rjust(w)
                                 for cell, w, a in zip(row, widths, align)) + ' |'
    rule = '|' + '|'.join((':' + '-' * (w + 1)) if a == 'l' else ('-' * (w + 1) + ':')
                          for w, a in zip(widths, align)) + '|'
    return [line(cells[0]), rule] + [line(row) for row in cells[1:]]


def progress(message):
    print('[bench %s] %s' % (time.strftime('%H:%M:%S'), message), file=sys.stderr)
    sys.stderr.flush()


TIMER_CALLBACKS = os.path.join(BENCH, 'callback_plugins')


def timed_playbook(command, env, cwd, what, timeout=600):
    """Run ansible-playbook with the billmanager_bench_timer callback; the Measure gets ``marks``."""
    fd, path = tempfile.mkstemp(prefix='bench-timer-', suffix='.json')
    os.close(fd)
    env = dict(env, ANSIBLE_CALLBACK_PLUGINS=TIMER_CALLBACKS, ANSIBLE_CALLBACKS_ENABLED='billmanager_bench_timer',
               BILLMANAGER_BENCH_TIMER_FILE=path)
    try:
        measure = check(run_measured(command, env=env, cwd=cwd, timeout=timeout), what)
        with open(path) as handle:
            measure.marks = json.load(handle)['marks']
    finally:
        os.remove(path)
    return measure


def api_latency(sandbox, count=20):
    """Median seconds of one ``func=soft`` request: on a new connection each, and on one kept-alive connection.

    The second figure is what the second and later calls of a task pay (its
    client keeps one connection); a server that writes its answer in two
    pieces without TCP_NODELAY makes it wait for the client's delayed ACK.
    """
    import requests

    data = {'func': 'soft', 'out': 'json', 'authinfo': sandbox.authinfo}

    def median_of(send):
        times = []
        for _attempt in range(count):
            start = time.perf_counter()
            send(sandbox.url, data=data, timeout=30).raise_for_status()
            times.append(time.perf_counter() - start)
        return sorted(times)[len(times) // 2]

    fresh = median_of(requests.post)
    with requests.Session() as session:
        kept = median_of(session.post)
    return fresh, kept


def emit(lines, result, json_path=None):
    """Print a benchmark's report; with ``json_path`` also write its figures there."""
    print('\n'.join(lines))
    if json_path:
        with open(json_path, 'w') as handle:
            json.dump(result, handle, indent=2)
    return 0


def sizes_main(doc, sizes, run, report):
    """The command line of a benchmark over account sizes: --n tasks, --sizes, --json."""
    import argparse
    parser = argparse.ArgumentParser(description=doc.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--n', type=int, default=10)
    parser.add_argument('--sizes', type=int, nargs='+', default=list(sizes))
    parser.add_argument('--json', help='also write the figures to this file')
    options = parser.parse_args()
    result = run(options.n, options.sizes)
    return emit(report(result), result, options.json)
