# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The password never shows: not in any output, log, error, diff or URL, at verbosity 0 and -vvvv.

One inventory, two hosts: ``fast`` (the local connection: the action plugin
runs the license logic in the controller's worker) and ``module`` (the test
connection plugin billmanager_remote_test: the module path, AnsiballZ).  Every
task runs on both.  The tasks succeed and fail every way a task can fail: bad
password (authinfo and session), API down, TLS failure (unknown CA), bad
options (Ansible's validation and the collection's), a lost answer.

Searched for the password, raw and URL-encoded: stdout, stderr, Ansible's log
file, the sandbox's request log file and its output, and every logged
request's URL (path and query string).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import re
import sys

import pytest
import requests

from reliability_helpers import (
    CHECK,
    INFO,
    LICENSE,
    MODULE_PATH_CONNECTION,
)
from playbook_runner import CONNECTION_PLUGINS, run_playbook
from sandbox_control import SandboxControl

# Characters that get URL-encoded (& + % space = # ? / : @ ;), so an encoded copy would differ.
SECRET = 'Bm&S3cr%t+Pa ss=#?/:@;x9'
WRONG = 'Wr0ng&Guess+%41 ?#=z7'
MASKED = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
LITE = 55227


def forms(secret):
    """The password as it could leak: raw, URL-encoded (both ways), JSON-escaped."""
    return set([secret, requests.utils.quote(secret, safe=''), requests.compat.quote_plus(secret),
                requests.utils.quote(secret), json.dumps(secret)[1:-1]])


def leaks(text, *secrets):
    return sorted(form for secret in secrets for form in forms(secret) if form in text)


@pytest.fixture
def secret_sandboxes(tmp_path, tls_files):
    """A plain HTTP sandbox and an HTTPS one (test CA), both with the distinctive password."""
    config = tmp_path / 'sandbox-config.json'
    config.write_text(json.dumps({'users': {'reseller': {'password': SECRET, 'balance': 100000}}}))
    plain_dir, tls_dir = tmp_path / 'plain', tmp_path / 'tls'
    plain_dir.mkdir()
    tls_dir.mkdir()
    plain = SandboxControl(plain_dir / 'state.json', config_path=config, log_file=plain_dir / 'requests.jsonl',
                           password=SECRET)
    tls = SandboxControl(tls_dir / 'state.json', config_path=config, log_file=tls_dir / 'requests.jsonl',
                         password=SECRET, tls_cert=tls_files.cert, tls_key=tls_files.key)
    with plain, tls:
        yield plain, tls


def tasks(plain, tls):
    """(name, module, options, words its failure must hold or None when it succeeds, run at verbosity 0 too).

    The password comes from BILLMANAGER_PASSWORD unless given.
    """
    from_file = '{{ billing_password }}'
    return [
        # first: the first two orders' connections close before they run; the module looks for the
        # license for wait_timeout, then fails: the outcome of the order is unknown
        ('lost answer', LICENSE, dict(ip='{{ license_ip }}', product='ispmanager6_lite', wait_timeout=2),
         'the outcome of the order is unknown', True),
        ('order', LICENSE, dict(ip='{{ license_ip }}', product='ispmanager6_lite', licname='{{ name }}'), None, True),
        ('rename, session, password as an option', LICENSE, dict(
            licname='{{ name }}', ip='{{ license_ip }}', auth_method='session', api_password=from_file), None, False),
        ('bad password', LICENSE, dict(licname='{{ name }}', api_password='{{ wrong_password }}'),
         'Invalid username or password', False),
        ('bad password, session', INFO, dict(auth_method='session', api_password='{{ wrong_password }}'),
         'BILLmanager function auth failed: Invalid username or password', True),
        ('API down', INFO, dict(api_url='http://127.0.0.1:9/billmgr', api_retries=0, api_password=from_file),
         'Connection refused', False),
        ('TLS: unknown CA', INFO, dict(api_url=tls.url, api_password=from_file), 'set ca_path', True),
        ('bad option, Ansible', LICENSE, dict(ip='{{ license_ip }}', period=3, api_password=from_file),
         'value of period must be one of: 1, 12, got: 3', True),
        ('bad connection option', CHECK, dict(ip='{{ license_ip }}', pricelist=LITE, ca_path='/no/such/ca.pem',
                                              api_password=from_file), "ca_path: '/no/such/ca.pem' does not exist",
         False),
        ('validate_certs off', INFO, dict(api_url=tls.url, validate_certs=False, api_password=from_file), None, True),
    ]


@pytest.mark.parametrize('verbosity', [0, 4])
def test_password_never_shows(secret_sandboxes, tmp_path, tls_files, verbosity):
    """-vvvv runs every task; verbosity 0 (with pipelining, the module's other way in) the main ones."""
    plain, tls = secret_sandboxes
    plan = [task for task in tasks(plain, tls) if verbosity or task[4]]
    plain.add_fault('close', func='soft.order.param', times=2)
    # Not on the command line nor in the playbook: -vvvv prints extra vars and failing tasks' source.
    (tmp_path / 'secrets.yml').write_text(json.dumps({'billing_password': SECRET, 'wrong_password': WRONG}))
    inventory = tmp_path / 'inventory.json'
    inventory.write_text(json.dumps({'all': {'hosts': {
        'fast': {'ansible_connection': 'local', 'license_ip': '127.50.0.1', 'name': 'fast'},
        'module': {'ansible_connection': MODULE_PATH_CONNECTION, 'license_ip': '127.50.1.1', 'name': 'module'},
    }, 'vars': {'ansible_python_interpreter': sys.executable, 'other_ca': tls_files.other_ca}}}))
    playbook = [{'name': 'secrets', 'hosts': 'all', 'gather_facts': False, 'vars_files': ['secrets.yml'],
                 'tasks': [{'name': name, module: options, 'ignore_errors': True, 'diff': True}
                           for name, module, options, _words, _quiet in plan]}]
    log_path = tmp_path / 'ansible.log'
    env = {'ANSIBLE_CONNECTION_PLUGINS': CONNECTION_PLUGINS, 'ANSIBLE_LOG_PATH': str(log_path),
           'ANSIBLE_PIPELINING': 'False' if verbosity else 'True'}
    run = run_playbook(playbook, tmp_path, sandbox=plain, inventory=str(inventory), verbosity=verbosity,
                       callback='default', env=env, args=['--forks', '2'])
    assert run.rc == 0, run
    sections = dict((chunk.split(']', 1)[0], chunk) for chunk in re.split(r'^TASK \[', run.stdout, flags=re.M)[1:])
    for name, _module, _options, words, _quiet in plan:
        for host in ('fast', 'module'):
            failed = 'fatal: [%s]: FAILED!' % host in sections[name]
            assert failed == bool(words), (name, host, sections[name][-3000:])
        if words:  # the failure says what happened, in words that do not need the password
            assert sections[name].count(words) >= 2, (name, words, sections[name][-3000:])
    assert 'validate_certs is false' in run.output
    assert 'errantly sent data' not in run.output and 'InsecureRequestWarning' not in run.output
    if verbosity:
        assert MASKED in run.output  # -vvvv shows the arguments, masked
        assert 'AnsiballZ_isp_license.py' in run.output  # the module path really ran for host "module"

    texts = {'stdout': run.stdout, 'stderr': run.stderr, 'ansible.log': log_path.read_text()}
    for sandbox, label in ((plain, 'plain'), (tls, 'tls')):
        texts['%s sandbox request log file' % label] = open(sandbox.log_file).read()
        texts['%s sandbox output' % label] = sandbox.output()
    assert texts['ansible.log'] and texts['plain sandbox request log file'] and texts['tls sandbox request log file']
    for label, text in texts.items():
        assert not leaks(text, SECRET, WRONG), 'the password is in the %s: %s' % (label, leaks(text, SECRET, WRONG))

    entries = [json.loads(line) for line in texts['plain sandbox request log file'].splitlines()]
    entries += [json.loads(line) for line in texts['tls sandbox request log file'].splitlines()]
    for entry in entries:
        # every request is a POST to the bare endpoint: credentials travel in the body, never in a URL
        assert entry['method'] == 'POST' and entry['query'] == [], entry
        assert entry['path'].startswith('/billmgr') and not leaks(entry['path'], SECRET, WRONG), entry
        if 'authinfo' in entry['params']:
            assert entry['params']['authinfo'] == 'reseller:********', entry
        if 'password' in entry['params']:
            assert entry['params']['password'] == '********', entry
    funcs = [entry['func'] for entry in entries]
    assert 'auth' in funcs and funcs.count('soft.order.param') == 4, funcs  # 2 lost, 2 ordered
