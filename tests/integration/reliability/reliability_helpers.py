# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared machinery of the reliability tests: many hosts per playbook, per-host API logs,
playbooks that run while the test steers the sandbox, and test certificates.

Every host of an inventory here runs on the controller (``ansible_connection:
local``).  Its license IP (in 127.0.0.0/8) is data for the sandbox only,
never contacted.  Each host talks to the sandbox at its own path
(``.../billmgr/<host>``): the sandbox answers the API at any path and logs
it, so the request log tells which host sent what, even with session auth.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import ipaddress
import json
import os
import sys
import threading
import time

import yaml

from playbook_runner import REMOTE_CONNECTION, run_playbook

from ansible_collections.ispsystem.billmanager.plugins.module_utils._wire import is_write as is_write_call

# The test-only connection plugin (tests/ansible_plugins): ansible.builtin.local under
# another transport name, so the action plugins take the module path (AnsiballZ).
MODULE_PATH_CONNECTION = REMOTE_CONNECTION
NS = 'ispsystem.billmanager.'
LICENSE = NS + 'isp_license'
INFO = NS + 'isp_license_info'
CHECK = NS + 'isp_license_check'

# Sandbox faults that break the call before the billing system runs it, and after.
FAULTS_BEFORE = frozenset(['http_502', 'hang', 'close', 'html'])
FAULTS_AFTER = frozenset(['http_502_after_commit', 'hang_after_commit', 'close_after_commit',
                          'truncated', 'truncated_read'])

# The sandbox's catalog: pricelist -> node addon (None when the tariff has none). Written out
# again on purpose: request_problems() checks the collection's requests against it, not against itself.
CATALOG_ADDONS = {
    3541: None, 4601: 4602, 5577: None, 5579: None, 3045: 3049, 3887: 3889, 3651: 3698,
    3934: None, 3936: None, 3136: None, 2891: None,
    55227: None, 55228: None, 55229: None, 55230: 55236,
}


# -- hosts and playbooks -------------------------------------------------------

def license_ips(count, prefix='127.1.'):
    """``count`` distinct IPs in 127.0.0.0/8, as data: ``prefix`` + two octets."""
    assert count < 250 * 250
    return ['%s%d.%d' % (prefix, 1 + n // 250, 1 + n % 250) for n in range(count)]


def write_inventory(tmp_path, sandbox, hosts, name='inventory.yml', **group_vars):
    """An inventory of local hosts; ``hosts`` maps a host name to its vars.

    Every host gets ``api_url`` = the sandbox URL plus ``/<host>``, so the
    request log's ``path`` names the host.
    """
    all_vars = dict(ansible_connection='local', ansible_python_interpreter=sys.executable)
    all_vars.update(group_vars)
    inventory_hosts = {}
    for host, host_vars in hosts.items():
        host_vars = dict(host_vars)
        host_vars.setdefault('host_api_url', '%s/%s' % (sandbox.url, host))
        inventory_hosts[host] = host_vars
    path = os.path.join(str(tmp_path), name)
    with open(path, 'w') as handle:
        yaml.safe_dump({'all': {'hosts': inventory_hosts, 'vars': all_vars}}, handle, sort_keys=False)
    return path


class Run:
    """One ansible-playbook run, with every task's result per host."""

    def __init__(self, run):
        self.raw = run
        self.rc = run.rc
        self.output = run.output
        lines = [line for line in run.stdout.splitlines() if line.startswith('{"plays"')]
        assert lines, 'no result document (rc %s):\n%s\n%s' % (run.rc, run.stdout[-3000:], run.stderr[-3000:])
        self.doc = json.loads(lines[-1])

    def result(self, task, host='localhost'):
        for play in reversed(self.doc['plays']):
            for entry in reversed(play['tasks']):
                if entry['task']['name'] == task and host in entry['hosts']:
                    return entry['hosts'][host]
        raise AssertionError('no result of task %r for %s; stderr:\n%s' % (task, host, self.raw.stderr[-3000:]))

    def __repr__(self):
        return 'Run(rc=%s)\n%s' % (self.rc, self.output[-3000:])


def run_plays(plays, tmp_path, sandbox=None, inventory=None, forks=None, env=None, **kwargs):
    """Run ``plays`` with the results callback; returns a Run."""
    env = dict(env or {})
    env.setdefault('ANSIBLE_TIMEOUT', '30')
    args = list(kwargs.pop('args', ()))
    if forks:
        args += ['--forks', str(forks)]
    run = run_playbook(plays, tmp_path, sandbox=sandbox, inventory=inventory, callback='task_results',
                       env=env, args=args, **kwargs)
    return Run(run)


class Background:
    """A playbook run in a thread, while the test watches the sandbox and steers it.

    ``watch(steps)`` runs each ``(condition, action)`` in order: it waits
    (polling, bounded by ``deadline`` seconds) until ``condition()`` is true,
    then calls ``action()``.  ``join()`` returns the Run.
    """

    def __init__(self, plays, tmp_path, **kwargs):
        self.outcome = {}
        self.thread = threading.Thread(target=self._run, args=(plays, tmp_path), kwargs=kwargs)
        self.thread.daemon = True
        self.thread.start()

    def _run(self, plays, tmp_path, **kwargs):
        try:
            self.outcome['run'] = run_plays(plays, tmp_path, **kwargs)
        except Exception as exc:  # pragma: no cover - reported by join()
            self.outcome['error'] = exc

    def watch(self, steps, deadline=120.0, poll=0.1):
        end = time.monotonic() + deadline
        done = []
        for name, condition, action in steps:
            while not condition():
                assert self.thread.is_alive() or condition(), \
                    'the playbook ended before step %r (done: %s): %s' % (name, done, self.outcome)
                assert time.monotonic() < end, 'step %r not reached within %s s (done: %s)' % (name, deadline, done)
                time.sleep(poll)
            action()
            done.append(name)
        return done

    def join(self, timeout=300):
        self.thread.join(timeout)
        assert not self.thread.is_alive(), 'the playbook did not end within %s s' % timeout
        if 'error' in self.outcome:
            raise self.outcome['error']
        return self.outcome['run']


def hook_tasks(tmp_path, name, timeout=60):
    """Tasks that ask the test to do something (``name``) between two tasks, and wait for it.

    The first host writes ``<name>.request``; the test sees it, acts and
    writes ``<name>.done``; every host waits for that file.
    """
    request = os.path.join(str(tmp_path), '%s.request' % name)
    done = os.path.join(str(tmp_path), '%s.done' % name)
    return [
        {'name': 'hook %s: ask' % name, 'ansible.builtin.copy': {'content': 'please\n', 'dest': request},
         'run_once': True},
        {'name': 'hook %s: wait' % name, 'ansible.builtin.wait_for': {'path': done, 'timeout': timeout}},
    ], request, done


def hook_step(request, done, action, name='hook'):
    """The Background.watch step that answers hook_tasks()."""
    def act():
        action()
        with open(done, 'w') as handle:
            handle.write('done\n')
    return (name, lambda: os.path.exists(request), act)


# -- the request log -------------------------------------------------------------

def is_write(entry):
    """Whether a logged request changed something, by the collection's own rule."""
    return is_write_call(entry['func'], entry['params'])


def host_of(entry):
    """The host that sent a logged request (its api_url path's last part)."""
    return entry['path'].rstrip('/').rsplit('/', 1)[-1]


def by_host(log):
    hosts = {}
    for entry in log:
        hosts.setdefault(host_of(entry), []).append(entry)
    return hosts


def effective(entries):
    """The entries of one host minus the calls refused for an expired session.

    The sandbox logs the error it answered: a call refused with ``auth/session``
    did nothing (the client logs in again and repeats it).
    """
    return [entry for entry in entries if entry.get('error') != 'auth/session' or entry['func'] == 'auth']


def committed(entry):
    """True when the billing system ran this request (its fault, if any, came after)."""
    return entry.get('fault') not in FAULTS_BEFORE


def orders(entries):
    return [e for e in entries if e['func'] == 'soft.order.param' and e['params'].get('sok')]


def live_licenses(sandbox):
    return [lic for lic in sandbox.licenses() if lic['status'] != 4]


def assert_one_license_per_ip(sandbox, ips):
    """Exactly the licenses wanted: one live license on each of ``ips``, none elsewhere."""
    live = live_licenses(sandbox)
    seen = {}
    for lic in live:
        seen.setdefault(lic['ip'], []).append(lic['id'])
    twice = dict((ip, ids) for ip, ids in seen.items() if len(ids) > 1)
    assert not twice, 'licenses ordered twice: %s' % twice
    assert sorted(seen) == sorted(ips), 'licenses on %s, wanted %s' % (sorted(seen), sorted(ips))
    return dict((lic['ip'], lic) for lic in live)


def valid_ip(text):
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def request_problems(entry):
    """What is wrong with the parameters of one logged API request (empty when nothing)."""
    params, problems = entry['params'], []
    if 'ip' in params and not valid_ip(params['ip']):
        problems.append('ip %r' % params['ip'])
    if 'period' in params and params['period'] not in ('1', '12'):
        problems.append('period %r' % params['period'])
    if 'pricelist' in params and not (params['pricelist'].isdigit() and int(params['pricelist']) in CATALOG_ADDONS):
        problems.append('pricelist %r' % params['pricelist'])
    if 'autoprolong' in params and params['autoprolong'] not in ('1', '12', 'null'):
        problems.append('autoprolong %r' % params['autoprolong'])
    if 'elid' in params and not params['elid'].isdigit():
        problems.append('elid %r' % params['elid'])
    if 'licname' in params and not params['licname'].strip():
        problems.append('licname %r' % params['licname'])
    for name, amount in params.items():
        if name.startswith('addon_'):
            addon = CATALOG_ADDONS.get(int(params.get('pricelist', '0'))) if params.get('pricelist', '').isdigit() else None
            if name != 'addon_%s' % addon or not amount.isdigit():
                problems.append('%s=%r' % (name, amount))
    return problems


def today_plus(days):
    return (datetime.date.today() + datetime.timedelta(days=days)).isoformat()


# -- certificates ------------------------------------------------------------------

def make_ca(folder, name='Reliability Test CA'):
    """A throwaway CA: (cert path, key object, cert object)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    path = os.path.join(str(folder), '%s.pem' % name.lower().replace(' ', '-'))
    with open(path, 'wb') as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    return path, key, cert


def make_server_cert(folder, ca_key, ca_cert, ip='127.0.0.1'):
    """A server certificate for ``ip`` signed by the CA: (chain path, key path).

    The chain file holds the certificate, then the CA's: the server sends
    both, and SandboxControl (which trusts its ``tls_cert`` file) finds the CA in it.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ip)]))
            .issuer_name(ca_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    cert_path = os.path.join(str(folder), 'server-cert.pem')
    key_path = os.path.join(str(folder), 'server-key.pem')
    with open(cert_path, 'wb') as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
        handle.write(ca_cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, 'wb') as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return cert_path, key_path
