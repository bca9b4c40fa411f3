# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""isp_license_check through ansible-playbook against the sandbox.

A free IP and a taken IP are answers (the task succeeds); an unknown tariff,
an invalid IP, bad credentials and transport failures fail the task.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import functools
import json
import os
import subprocess
import sys

import pytest

from collection_path import REPO, collections_root
from playbook_runner import BIN, ansible_env, localhost_play, module_task, run_playbook

MODULE = 'ispsystem.billmanager.isp_license_check'


play = functools.partial(localhost_play, 'isp_license_check')
check = functools.partial(module_task, MODULE)


@pytest.fixture
def taken(sandbox):
    """203.0.113.1 has an ISPmanager 6 Lite license; 203.0.113.2 had one, deleted."""
    sandbox.add_license(licname='web1', ip='203.0.113.1', pricelist=55227)
    sandbox.add_license(licname='web2', ip='203.0.113.2', pricelist=55227, status=4)
    sandbox.add_license(licname='web3', ip='2001:db8::3', pricelist=55227, status=3)
    sandbox.clear_log()
    return sandbox


def test_free_and_taken_ips_are_answers(taken, tmp_path):
    run = run_playbook(play(
        check('free', ip='203.0.113.9', product='ispmanager6_lite'),
        check('taken', ip='203.0.113.1', product='ispmanager6_lite'),
        check('taken, raw pricelist, a year', ip='203.0.113.1', pricelist=55227, period=12),
        check('same IP, other tariff', ip='203.0.113.1', product='dnsmanager'),
        check('deleted license frees the IP', ip='203.0.113.2', product='ispmanager6_lite'),
        check('suspended license keeps the IP', ip='2001:0db8::0003', product='ispmanager6_lite'),
    ), tmp_path, sandbox=taken)
    assert run.rc == 0, run
    answers = dict((name, (result['available'], result['reason'], result['changed']))
                   for name, result in run.results())
    assert answers['free'] == (True, None, False)
    assert answers['same IP, other tariff'] == (True, None, False)
    assert answers['deleted license frees the IP'] == (True, None, False)
    for name in ('taken', 'taken, raw pricelist, a year'):
        assert answers[name] == (False, 'A license of this type for IP 203.0.113.1 already exists', False)
    assert answers['suspended license keeps the IP'] == (
        False, 'A license of this type for IP 2001:db8::3 already exists', False)
    checks = taken.calls('soft.checkip')
    assert taken.calls() == ['soft.checkip'] * 6
    assert [(c['params']['ip'], c['params']['pricelist'], c['params']['period']) for c in checks] == [
        ('203.0.113.9', '55227', '1'), ('203.0.113.1', '55227', '1'), ('203.0.113.1', '55227', '12'),
        ('203.0.113.1', '3136', '1'), ('203.0.113.2', '55227', '1'), ('2001:db8::3', '55227', '1')]
    # Nothing was ordered.
    assert len(taken.licenses()) == 3


def test_check_mode_asks_too(taken, tmp_path):
    run = run_playbook(play(check('free', ip='203.0.113.9', product='ispmanager6_lite'),
                            check('taken', ip='203.0.113.1', product='ispmanager6_lite')),
                       tmp_path, sandbox=taken, check=True)
    assert run.rc == 0, run
    assert (run.result('free')['available'], run.result('taken')['available']) == (True, False)
    assert taken.calls() == ['soft.checkip'] * 2


def test_unknown_tariff_fails(taken, tmp_path):
    run = run_playbook(play(check('unknown', ignore_errors=True, ip='203.0.113.9', pricelist=99999)),
                       tmp_path, sandbox=taken)
    result = run.result('unknown')
    assert result['failed'] is True
    assert 'Tariff plan 99999 not found' in result['msg']
    assert (result['api_error']['type'], result['api_error']['object']) == ('value', 'pricelist')
    assert 'available' not in result


@pytest.mark.parametrize('args, message', [
    ({'ip': '203.0.113.300', 'product': 'ispmanager6_lite'}, "is not a valid IPv4 or IPv6 address"),
    ({'ip': '203.0.113.9'}, 'one of the following is required: product, pricelist'),
    ({'ip': '203.0.113.9', 'product': 'dnsmanager', 'pricelist': 3136}, 'mutually exclusive'),
    ({'ip': '203.0.113.9', 'product': 'dnsmanager', 'period': 3}, 'value of period must be one of'),
])
def test_invalid_options_fail(sandbox, tmp_path, args, message):
    run = run_playbook(play(check('bad', ignore_errors=True, **args)), tmp_path, sandbox=sandbox)
    result = run.result('bad')
    assert result['failed'] is True
    assert message in result['msg']
    assert sandbox.calls() == []


def test_bad_credentials_fail_without_showing_the_password(taken, tmp_path):
    secret = 'Wr0ng-Pa55word-plugh'
    run = run_playbook(play(check('bad', ignore_errors=True, ip='203.0.113.9', product='dnsmanager',
                                  api_password=secret)),
                       tmp_path, sandbox=taken, verbosity=3)
    result = run.result('bad')
    assert result['failed'] is True
    assert 'available' not in result
    assert 'Invalid username or password' in result['msg']
    assert result['api_error']['kind'] == 'auth'
    assert secret not in run.output


def test_transport_failure_fails(taken, tmp_path):
    taken.add_fault('http_502', func='soft.checkip', times=10)
    run = run_playbook(play(check('down', ignore_errors=True, ip='203.0.113.9', product='dnsmanager',
                                  api_retries=1)),
                       tmp_path, sandbox=taken)
    result = run.result('down')
    assert result['failed'] is True
    assert 'available' not in result
    assert result['api_error']['kind'] == 'http' and result['api_error']['status'] == 502
    assert taken.calls() == ['soft.checkip'] * 2  # a read: tried again once, as api_retries says


def test_module_runs_on_its_own(taken, tmp_path):
    """The module itself (as on a remote host), not the controller-side action plugin."""
    env = dict(os.environ, PYTHONPATH=collections_root())
    outcomes = []
    for ip in ('203.0.113.9', '203.0.113.1'):
        path = tmp_path / 'args.json'
        path.write_text(json.dumps({'ANSIBLE_MODULE_ARGS': {
            'api_url': taken.url, 'api_username': taken.username, 'api_password': taken.password,
            'ip': ip, 'product': 'ispmanager6_lite'}}))
        process = subprocess.run([sys.executable, os.path.join(REPO, 'plugins', 'modules', 'isp_license_check.py'),
                                  str(path)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 universal_newlines=True, timeout=60, check=False)
        assert process.returncode == 0, process.stderr
        result = json.loads(process.stdout)
        outcomes.append((result['available'], result['reason'], result['changed']))
    assert outcomes == [(True, None, False),
                        (False, 'A license of this type for IP 203.0.113.1 already exists', False)]


def test_ansible_doc_renders():
    env = ansible_env()
    process = subprocess.run([os.path.join(BIN, 'ansible-doc'), '-t', 'module', MODULE, '--json'],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             universal_newlines=True, timeout=120, check=False)
    assert process.returncode == 0, process.stderr
    assert 'ERROR' not in process.stderr and 'WARNING' not in process.stderr, process.stderr
    doc = json.loads(process.stdout)[MODULE]
    for name in ('ip', 'product', 'pricelist', 'period', 'api_url', 'api_username', 'api_password'):
        assert doc['doc']['options'][name]['description'], name
    assert set(['available', 'reason', 'api_error']) <= set(doc['return'])
    assert MODULE in doc['examples']
