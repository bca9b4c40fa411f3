# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""isp_license_info through ansible-playbook against the sandbox.

Every filter, details, accounts of 0, 1 and 1,000+ licenses, the exact API
calls (one listing per family the filters leave possible: ``soft``,
``platform``, ``softexternal``; one ``soft.edit`` per match with details, no
more), check mode, failures, the module run on its own (not through the
action plugin), ansible-doc, and the license_report playbook.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import functools
import json
import os
import subprocess
import sys

import pytest

from collection_path import REPO, collections_root
from playbook_runner import BIN, ansible_env, localhost_play, module_task, run_playbook

MODULE = 'ispsystem.billmanager.isp_license_info'
TODAY = datetime.date.today()
RAW = 99001  # a tariff no catalog knows (the sandbox takes it when seeded directly)
LISTS = ['soft', 'platform', 'softexternal']  # one listing per family


def day(offset):
    return (TODAY + datetime.timedelta(days=offset)).isoformat()


play = functools.partial(localhost_play, 'isp_license_info')
info = functools.partial(module_task, MODULE)


def ids(result):
    assert not result.get('failed'), result
    return [lic['id'] for lic in result['licenses']]


@pytest.fixture
def account(sandbox):
    """Seven licenses covering every status, catalog and raw tariffs, and an IP with two."""
    add = sandbox.add_license
    add(licname='web1.example.com', ip='203.0.113.1', pricelist=55227, status=2, expiredate=day(10),
        autoprolong=1, lickey='key-web1')                                            # 1
    add(licname='web2.example.com', ip='203.0.113.2', pricelist=3541, status=2, expiredate=day(60),
        lickey='key-web2')                                                           # 2
    add(licname='dns1.example.com', ip='203.0.113.1', pricelist=3136, status=3, expiredate=day(-2),
        lickey='key-dns1')                                                           # 3 suspended, past its end
    add(licname='old.example.com', ip='203.0.113.4', pricelist=55227, status=4, expiredate=day(5))  # 4 deleted
    add(licname='v6.example.com', ip='2001:db8::5', pricelist=55230, status=1, expiredate=day(40))  # 5 ordered
    add(licname='raw.example.com', ip='198.51.100.6', pricelist=RAW, status=2, expiredate=day(30),
        lickey='key-raw')                                                            # 6 tariff not in the catalog
    add(licname='web2.example.com', ip='198.51.100.7', pricelist=55228, status=2, expiredate=day(31),
        lickey='key-web2b')                                                          # 7 same name as 2
    sandbox.clear_log()
    return sandbox


FILTER_CASES = [
    ('no filter: every license but the deleted one', {}, [1, 2, 3, 5, 6, 7]),
    ('id', {'id': 2}, [2]),
    ('id of a deleted license', {'id': 4}, []),
    ('id of a deleted license, status deleted', {'id': 4, 'status': ['deleted']}, [4]),
    ('unknown id', {'id': 999}, []),
    ('licname', {'licname': 'web2.example.com'}, [2, 7]),
    ('ip with two licenses', {'ip': '203.0.113.1'}, [1, 3]),
    ('ipv6 written another way', {'ip': '2001:0db8:0:0::0005'}, [5]),
    ('product', {'product': 'ispmanager6_lite'}, [1]),
    ('product, deleted too', {'product': 'ispmanager6_lite', 'status': ['active', 'deleted']}, [1, 4]),
    ('pricelist outside the catalog', {'pricelist': RAW}, [6]),
    ('status list', {'status': ['suspended', 'ordered']}, [3, 5]),
    ('status deleted only', {'status': ['deleted']}, [4]),
    ('expiring within 30 days (past end dates included)', {'expiring_within_days': 30}, [1, 3, 6]),
    ('expiring within 0 days', {'expiring_within_days': 0}, [3]),
    ('expiring, deleted too', {'expiring_within_days': 30, 'status': ['deleted', 'active']}, [1, 4, 6]),
    ('ip and product', {'ip': '203.0.113.1', 'product': 'dnsmanager'}, [3]),
    ('ip and status', {'ip': '203.0.113.1', 'status': ['active']}, [1]),
    ('licname and expiring', {'licname': 'web2.example.com', 'expiring_within_days': 31}, [7]),
    ('filters that exclude each other', {'licname': 'web1.example.com', 'product': 'dnsmanager'}, []),
    ('family soft', {'family': ['soft']}, [1, 2, 3, 5, 6, 7]),
    ('family platform and softexternal', {'family': ['softexternal', 'platform']}, []),
    ('family and a product of another family', {'family': ['platform'], 'product': 'dnsmanager'}, []),
    ('not parked', {'parked': False}, [1, 2, 3, 5, 6, 7]),
    ('parked', {'parked': True}, []),
]


def test_every_filter_combined_with_and(account, tmp_path):
    run = run_playbook(play(*[info(name, **args) for name, args, _want in FILTER_CASES]),
                       tmp_path, sandbox=account)
    assert run.rc == 0, run
    for name, _args, want in FILTER_CASES:
        result = run.result(name)
        assert ids(result) == want, name
        assert result['changed'] is False
    # One listing per family the filters leave possible (a product: its family only), nothing
    # else: filtering happens in memory.
    expected = []
    for _name, args, _want in FILTER_CASES:
        families = [f for f in LISTS if f in (args.get('family') or LISTS)]
        if 'product' in args:
            families = [f for f in families if f == 'soft']
        expected += families
    assert account.calls() == expected


def test_record_shape_without_details(account, tmp_path):
    run = run_playbook(play(info('read', ip='203.0.113.1'), info('raw', pricelist=RAW)),
                       tmp_path, sandbox=account)
    assert run.rc == 0, run
    web1, dns1 = run.result('read')['licenses']
    assert web1 == {'id': 1, 'licname': 'web1.example.com', 'ip': '203.0.113.1', 'pricelist': 55227,
                    'product': 'ispmanager6_lite', 'status': 'active', 'expiredate': day(10),
                    'autoprolong': 1, 'key': None, 'family': 'soft', 'addons': {}, 'parked': False}
    assert dns1 == {'id': 3, 'licname': 'dns1.example.com', 'ip': '203.0.113.1', 'pricelist': 3136,
                    'product': 'dnsmanager', 'status': 'suspended', 'expiredate': day(-2),
                    'autoprolong': None, 'key': None, 'family': 'soft', 'addons': {}, 'parked': False}
    raw = run.result('raw')['licenses'][0]
    assert (raw['pricelist'], raw['product'], raw['key'], raw['family']) == (RAW, None, None, 'soft')


def test_family_and_parked_filters(sandbox, tmp_path):
    add = sandbox.add_license
    add(licname='web', ip='192.0.2.1', pricelist=55227, expiredate=day(50))                   # 1 soft
    add(licname='cluster', ip='', pricelist=55163, expiredate=day(50))                        # 2 platform
    add(licname='web-cl', ip='192.0.2.1', pricelist=9203, expiredate=day(20))                 # 3 softexternal
    add(licname='free.lic', ip='0.0.0.0', pricelist=55227, status=3, expiredate=day(90))      # 4 parked
    sandbox.clear_log()
    run = run_playbook(play(info('all'), info('platform', family=['platform']),
                            info('parked', parked=True), info('not parked, ip-bound', parked=False,
                                                              family=['soft', 'softexternal'])),
                       tmp_path, sandbox=sandbox)
    assert run.rc == 0, run
    assert [(lic['id'], lic['family'], lic['parked']) for lic in run.result('all')['licenses']] == [
        (1, 'soft', False), (2, 'platform', False), (3, 'softexternal', False), (4, 'soft', True)]
    platform = run.result('platform')['licenses']
    assert [(lic['id'], lic['ip'], lic['product']) for lic in platform] == [(2, None, 'vmmanager6')]
    assert ids(run.result('parked')) == [4]
    assert ids(run.result('not parked, ip-bound')) == [1, 3]
    assert sandbox.calls() == LISTS + ['platform'] + LISTS + ['soft', 'softexternal']


def test_details_reads_each_match_once(account, tmp_path):
    run = run_playbook(play(info('without', ip='203.0.113.1'),
                            info('with', ip='203.0.113.1', details=True),
                            info('none match', licname='nobody', details=True),
                            info('deleted', status=['deleted'], details=True)),
                       tmp_path, sandbox=account)
    assert run.rc == 0, run
    assert [lic['key'] for lic in run.result('without')['licenses']] == [None, None]
    web1, dns1 = run.result('with')['licenses']
    assert (web1['id'], web1['key'], web1['pricelist'], web1['product']) == (1, 'key-web1', 55227, 'ispmanager6_lite')
    assert (dns1['id'], dns1['key'], dns1['status']) == (3, 'key-dns1', 'suspended')
    deleted = run.result('deleted')['licenses']
    assert [(lic['id'], lic['key']) for lic in deleted] == [(4, None)]
    assert run.result('none match')['licenses'] == []
    # without: lists | with: lists + 2 edits | none match: lists | deleted: lists + 1 edit
    assert account.calls() == LISTS + LISTS + ['soft.edit', 'soft.edit'] + LISTS + LISTS + ['soft.edit']
    assert [entry['params'].get('elid') for entry in account.calls('soft.edit')] == ['1', '3', '4']


def test_check_mode_gives_the_same_result(account, tmp_path):
    tasks = [info('all'), info('details', licname='web1.example.com', details=True)]
    normal = run_playbook(play(*tasks), tmp_path, sandbox=account)
    checked = run_playbook(play(*tasks), tmp_path, sandbox=account, check=True)
    assert normal.rc == 0 and checked.rc == 0, (normal, checked)
    for name in ('all', 'details'):
        assert checked.result(name)['licenses'] == normal.result(name)['licenses']
        assert checked.result(name)['changed'] is False
    assert checked.result('details')['licenses'][0]['key'] == 'key-web1'
    assert account.calls() == (LISTS + LISTS + ['soft.edit']) * 2
    # Nothing changed in the billing system.
    assert [lic['status'] for lic in account.licenses()] == [2, 2, 3, 4, 1, 2, 2]


def test_empty_account(sandbox, tmp_path):
    run = run_playbook(play(info('all'), info('details', details=True),
                            info('expiring', expiring_within_days=365)), tmp_path, sandbox=sandbox)
    assert run.rc == 0, run
    for name in ('all', 'details', 'expiring'):
        assert run.result(name)['licenses'] == []
    assert sandbox.calls() == LISTS * 3


def test_one_license_account(sandbox, tmp_path):
    """The list of one comes as an object, not an array."""
    sandbox.add_license(licname='only', ip='192.0.2.1', pricelist=5577, lickey='key-only', expiredate=day(3))
    sandbox.clear_log()
    raw = sandbox.call('soft')['doc']['elem']
    assert isinstance(raw, dict)  # the quirk this test is about
    sandbox.clear_log()
    run = run_playbook(play(info('all'), info('details', details=True), info('other', ip='192.0.2.2')),
                       tmp_path, sandbox=sandbox)
    assert run.rc == 0, run
    only = run.result('all')['licenses']
    assert [(lic['id'], lic['licname'], lic['product'], lic['key']) for lic in only] == [
        (1, 'only', 'billmanager', None)]
    assert run.result('details')['licenses'][0]['key'] == 'key-only'
    assert run.result('other')['licenses'] == []
    assert sandbox.calls() == LISTS + LISTS + ['soft.edit'] + LISTS


def test_thousand_license_account(sandbox, tmp_path):
    sandbox.seed(1200, pricelist=55227, ip_prefix='10.20.', expiredate=day(90))
    sandbox.seed(10, pricelist=3136, ip_prefix='10.30.', status=4, licname_prefix='gone-')
    sandbox.patch_license(700, expiredate=day(7))
    sandbox.patch_license(701, expiredate=day(8), status=3)
    sandbox.clear_log()
    run = run_playbook(play(info('all'),
                            info('one by name', licname='seed-500', details=True),
                            info('expiring', expiring_within_days=14, details=True),
                            info('deleted', status=['deleted'])),
                       tmp_path, sandbox=sandbox)
    assert run.rc == 0, run
    everything = run.result('all')['licenses']
    assert len(everything) == 1200
    assert [lic['id'] for lic in everything] == list(range(1, 1201))
    one = run.result('one by name')['licenses']
    assert [(lic['id'], lic['ip']) for lic in one] == [(500, '10.20.1.244')]
    assert one[0]['key'] and len(one[0]['key']) == 32
    assert [(lic['id'], lic['status']) for lic in run.result('expiring')['licenses']] == [
        (700, 'active'), (701, 'suspended')]
    assert ids(run.result('deleted')) == list(range(1201, 1211))
    assert sandbox.calls() == LISTS + LISTS + ['soft.edit'] + LISTS + ['soft.edit', 'soft.edit'] + LISTS


@pytest.mark.parametrize('args, message', [
    ({'ip': 'not-an-ip'}, "ip: 'not-an-ip' is not a valid IPv4 or IPv6 address"),
    ({'product': 'ispmanager6_lite', 'pricelist': 55227}, 'mutually exclusive'),
    ({'status': ['gone']}, 'value of status must be one or more of'),
    ({'expiring_within_days': -1}, 'expiring_within_days: -1 is negative'),
])
def test_invalid_filters_fail(sandbox, tmp_path, args, message):
    run = run_playbook(play(info('bad', ignore_errors=True, **args)), tmp_path, sandbox=sandbox)
    result = run.result('bad')
    assert result['failed'] is True
    assert message in result['msg']


def test_bad_credentials_fail_without_showing_the_password(sandbox, tmp_path):
    secret = 'Wr0ng-Pa55word-xyzzy'
    run = run_playbook(play(info('env password', ignore_errors=True),
                            info('task password', ignore_errors=True, api_password=secret)),
                       tmp_path, sandbox=sandbox, verbosity=3, env={'BILLMANAGER_PASSWORD': secret})
    for name in ('env password', 'task password'):
        result = run.result(name)
        assert result['failed'] is True
        assert 'Invalid username or password' in result['msg']
        assert result['api_error']['kind'] == 'auth'
        assert 'licenses' not in result
    assert secret not in run.output
    assert secret not in json.dumps(run.doc)


def test_module_runs_on_its_own(account, tmp_path):
    """The module itself (as on a remote host), not the controller-side action plugin."""
    args = {'ANSIBLE_MODULE_ARGS': {'api_url': account.url, 'api_username': account.username,
                                    'api_password': account.password, 'ip': '203.0.113.1',
                                    'details': True}}
    path = tmp_path / 'args.json'
    path.write_text(json.dumps(args))
    env = dict(os.environ, PYTHONPATH=collections_root())
    process = subprocess.run([sys.executable, os.path.join(REPO, 'plugins', 'modules', 'isp_license_info.py'),
                              str(path)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             universal_newlines=True, timeout=60, check=False)
    assert process.returncode == 0, process.stderr
    result = json.loads(process.stdout)
    assert [(lic['id'], lic['key']) for lic in result['licenses']] == [(1, 'key-web1'), (3, 'key-dns1')]
    assert result['changed'] is False
    assert account.password not in process.stdout
    assert account.calls() == LISTS + ['soft.edit', 'soft.edit']


def test_module_defaults_group(account, tmp_path):
    plays = play(info('grouped', licname='web1.example.com'))
    plays[0]['module_defaults'] = {'group/ispsystem.billmanager.billmanager': {
        'api_url': account.url, 'api_username': account.username, 'api_password': account.password}}
    run = run_playbook(plays, tmp_path, env={'BILLMANAGER_URL': 'http://127.0.0.1:9/nowhere'})
    assert run.rc == 0, run
    assert ids(run.result('grouped')) == [1]


def test_ansible_doc_renders(tmp_path):
    env = ansible_env()
    process = subprocess.run([os.path.join(BIN, 'ansible-doc'), '-t', 'module', MODULE, '--json'],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             universal_newlines=True, timeout=120, check=False)
    assert process.returncode == 0, process.stderr
    assert 'ERROR' not in process.stderr and 'WARNING' not in process.stderr, process.stderr
    doc = json.loads(process.stdout)[MODULE]
    options = doc['doc']['options']
    for name in ('id', 'licname', 'ip', 'product', 'pricelist', 'status', 'expiring_within_days', 'details',
                 'family', 'parked', 'api_url', 'api_username', 'api_password', 'auth_method', 'validate_certs', 'ca_path',
                 'api_timeout', 'api_retries'):
        assert options[name]['description'], name
    # the license record of the interface, every key of it
    assert set(doc['return']['licenses']['contains']) == {
        'id', 'licname', 'ip', 'pricelist', 'product', 'status', 'expiredate', 'autoprolong', 'key',
        'family', 'addons', 'parked'}
    assert MODULE in doc['examples'] and 'expiring_within_days' in doc['examples']
    text = subprocess.run([os.path.join(BIN, 'ansible-doc'), '-t', 'module', MODULE], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          timeout=120, check=False)
    assert text.returncode == 0 and 'RETURN VALUES' in text.stdout, text.stderr


# -- playbooks/license_report.yml ---------------------------------------------

def test_license_report_playbook(account, tmp_path):
    run = run_playbook('ispsystem.billmanager.license_report', tmp_path, sandbox=account,
                       callback='default', extra_vars={'license_report_days': 30})
    assert run.rc == 0, run
    lines = [line.strip().strip('",') for line in run.stdout.splitlines()]
    header = lines.index('ID  LICNAME           IP            PRODUCT           STATUS     EXPIREDATE  DAYS')
    rows = lines[header + 1:header + 4]
    # Soonest end first; the columns line up under the header.
    assert rows == [
        '3   dns1.example.com  203.0.113.1   dnsmanager        suspended  %s  -2' % day(-2),
        '1   web1.example.com  203.0.113.1   ispmanager6_lite  active     %s  10' % day(10),
        '6   raw.example.com   198.51.100.6  pricelist 99001   active     %s  30' % day(30),
    ]
    assert '3 license(s) end within 30 days.' in run.stdout
    assert 'pool: no parked license' in run.stdout
    # two reads of every family: the licenses that end soon, then the reuse pool
    assert account.calls() == LISTS + LISTS


def test_license_report_playbook_nothing_due_and_variables(sandbox, tmp_path):
    sandbox.add_license(licname='far', ip='192.0.2.9', pricelist=3541, expiredate=day(200))
    run = run_playbook(os.path.join(REPO, 'playbooks', 'license_report.yml'), tmp_path, callback='default',
                       extra_vars={'license_report_days': 7, 'billmanager_api_url': sandbox.url,
                                   'billmanager_api_username': sandbox.username,
                                   'billmanager_api_password': sandbox.password})
    assert run.rc == 0, run
    assert 'No license ends within 7 days.' in run.stdout
    assert '0 license(s) end within 7 days.' in run.stdout
