# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The ispsystem.billmanager.licenses inventory plugin through ansible-inventory.

Hosts, host variables, the product and status groups, compose / groups /
keyed_groups, include_deleted and include_key (with their API calls),
caching (a second run calls nothing), credentials and their failures, the
file name rule, a playbook on the inventory, and ansible-doc.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
import subprocess

import pytest
import yaml

from ansible.release import __version__ as ANSIBLE_CORE_VERSION

from playbook_runner import BIN, ansible_env, run_playbook

CORE = tuple(int(part) for part in ANSIBLE_CORE_VERSION.split('.')[:2])


def _inventory_has_flush_cache():
    help_text = subprocess.run([os.path.join(BIN, 'ansible-inventory'), '--help'], stdout=subprocess.PIPE,
                               universal_newlines=True, timeout=120, check=True).stdout
    return '--flush-cache' in help_text


PLUGIN = 'ispsystem.billmanager.licenses'
CONNECTION_VARIABLES = ('BILLMANAGER_URL', 'BILLMANAGER_USERNAME', 'BILLMANAGER_PASSWORD',
                        'BILLMANAGER_AUTH_METHOD', 'BILLMANAGER_VALIDATE_CERTS', 'BILLMANAGER_CA_PATH',
                        'BILLMANAGER_TIMEOUT', 'BILLMANAGER_RETRIES')


def unwrap(data):
    """ansible-inventory (2.19+) marks strings from plugins as {"__ansible_unsafe": ...}."""
    if isinstance(data, dict):
        if set(data) == {'__ansible_unsafe'}:
            return data['__ansible_unsafe']
        return dict((key, unwrap(value)) for key, value in data.items())
    if isinstance(data, list):
        return [unwrap(item) for item in data]
    return data


class Inventory:
    """The outcome of one ``ansible-inventory --list``."""

    def __init__(self, process):
        self.rc = process.returncode
        self.stdout, self.stderr = process.stdout, process.stderr
        self.output = process.stdout + process.stderr
        self.data = unwrap(json.loads(process.stdout)) if process.returncode == 0 else None

    @property
    def hostvars(self):
        return self.data['_meta']['hostvars']

    @property
    def hosts(self):
        return sorted(self.hostvars)

    def group(self, name):
        return sorted(self.data.get(name, {}).get('hosts', []))

    @property
    def groups(self):
        return sorted(name for name in self.data if name not in ('_meta', 'all', 'ungrouped'))

    def __repr__(self):
        return 'Inventory(rc=%s)\n%s' % (self.rc, self.output[-4000:])


def inventory(tmp_path, source, sandbox=None, name='test.billmanager.yml', env=None, args=()):
    """Write ``source`` as an inventory file and run ``ansible-inventory --list`` on it.

    With ``sandbox`` the connection comes from the BILLMANAGER_* variables;
    without, none of them is set.  An unparsable source fails the run.
    """
    path = tmp_path / name
    path.write_text(yaml.safe_dump(source) if isinstance(source, dict) else source)
    environment = ansible_env(sandbox)
    if sandbox is None:
        for variable in CONNECTION_VARIABLES:
            environment.pop(variable, None)
    environment['ANSIBLE_INVENTORY_UNPARSED_FAILED'] = 'True'
    environment.update(env or {})
    process = subprocess.run([os.path.join(BIN, 'ansible-inventory'), '-i', str(path), '--list'] + list(args),
                             cwd=str(tmp_path), env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             universal_newlines=True, timeout=300, check=False)
    return Inventory(process)


SOURCE = {'plugin': PLUGIN}
RAW_PRICELIST = 99001  # a tariff no catalog knows (the sandbox takes it when seeded directly)
LISTS = ['soft', 'platform', 'softexternal']  # one listing per family


@pytest.fixture
def account(sandbox):
    add = sandbox.add_license
    add(licname='web1.example.com', ip='203.0.113.1', pricelist=55227, expiredate='2031-01-15', autoprolong=1,
        lickey='key-web1')                                                                    # 1
    add(licname='dns1.example.com', ip='203.0.113.1', pricelist=3136, status=3, expiredate='2030-06-01',
        lickey='key-dns1')                                                                    # 2
    add(licname='web2.example.com', ip='203.0.113.2', pricelist=3541, expiredate='2030-02-01',
        lickey='key-web2')                                                                    # 3
    add(licname='old.example.com', ip='203.0.113.4', pricelist=55227, status=4, expiredate='2029-01-01')  # 4
    add(licname='raw.example.com', ip='2001:db8::5', pricelist=RAW_PRICELIST, expiredate='2030-03-01',
        lickey='key-raw')                                                                     # 5 not in the catalog
    add(licname='', ip='', pricelist=3541, status=1)                                          # 6 no IP yet
    sandbox.clear_log()
    return sandbox


def record(ident, licname, ip, pricelist, product, status, expiredate, autoprolong=None, key=None, family='soft'):
    return dict(id=ident, licname=licname, ip=ip, pricelist=pricelist, product=product, status=status,
                expiredate=expiredate, autoprolong=autoprolong, key=key, family=family, addons={},
                parked=ip == '0.0.0.0')


WEB1 = record(1, 'web1.example.com', '203.0.113.1', 55227, 'ispmanager6_lite', 'active', '2031-01-15', 1)
DNS1 = record(2, 'dns1.example.com', '203.0.113.1', 3136, 'dnsmanager', 'suspended', '2030-06-01')
WEB2 = record(3, 'web2.example.com', '203.0.113.2', 3541, 'ispmanager_lite', 'active', '2030-02-01')
OLD = record(4, 'old.example.com', '203.0.113.4', 55227, 'ispmanager6_lite', 'deleted', '2029-01-01')
RAW = record(5, 'raw.example.com', '2001:db8::5', RAW_PRICELIST, None, 'active', '2030-03-01')


def test_hosts_hostvars_and_groups(account, tmp_path):
    inv = inventory(tmp_path, SOURCE, account)
    assert inv.rc == 0, inv
    assert inv.hosts == ['2001:db8::5', '203.0.113.1', '203.0.113.2']
    one = inv.hostvars['203.0.113.1']
    # Two licenses on one IP: one host; the first by id is "the" license, all are listed.
    assert one['billmanager_licname'] == 'web1.example.com'
    assert one['billmanager_license'] == WEB1
    assert one['billmanager_licenses'] == [WEB1, DNS1]
    assert inv.hostvars['203.0.113.2'] == {'billmanager_licname': 'web2.example.com',
                                           'billmanager_license': WEB2, 'billmanager_licenses': [WEB2]}
    assert inv.hostvars['2001:db8::5']['billmanager_license'] == RAW
    assert inv.groups == ['billmanager_family_soft', 'billmanager_pricelist_99001', 'billmanager_product_dnsmanager',
                          'billmanager_product_ispmanager6_lite', 'billmanager_product_ispmanager_lite',
                          'billmanager_status_active', 'billmanager_status_suspended']
    assert inv.group('billmanager_product_ispmanager6_lite') == ['203.0.113.1']
    assert inv.group('billmanager_product_dnsmanager') == ['203.0.113.1']
    assert inv.group('billmanager_product_ispmanager_lite') == ['203.0.113.2']
    assert inv.group('billmanager_pricelist_99001') == ['2001:db8::5']
    assert inv.group('billmanager_family_soft') == ['2001:db8::5', '203.0.113.1', '203.0.113.2']
    assert inv.group('billmanager_status_active') == ['2001:db8::5', '203.0.113.1', '203.0.113.2']
    assert inv.group('billmanager_status_suspended') == ['203.0.113.1']
    # One list call per family; no key without include_key.
    assert account.calls() == LISTS
    assert 'key-web1' not in inv.output


def test_every_family_and_the_pool(sandbox, tmp_path):
    """soft, platform (no IP: named by licname, else license<id>) and softexternal licenses; a parked one
    (the pool on 0.0.0.0) is no host unless include_parked."""
    add = sandbox.add_license
    add(licname='web10', ip='203.0.113.10', pricelist=55227, expiredate='2031-01-01')               # 1 soft
    add(licname='vm-cluster', ip='', pricelist=55163, expiredate='2031-02-01')                      # 2 platform
    add(licname='', ip='', pricelist=55161, expiredate='2031-03-01')                                # 3 platform
    add(licname='web10-cl', ip='203.0.113.10', pricelist=9203, expiredate='2031-04-01')             # 4 softexternal
    add(licname='free.lic', ip='0.0.0.0', pricelist=55227, status=3, expiredate='2031-05-01')       # 5 parked
    sandbox.clear_log()
    inv = inventory(tmp_path, SOURCE, sandbox)
    assert inv.rc == 0, inv
    assert inv.hosts == ['203.0.113.10', 'license3', 'vm-cluster']
    assert inv.group('billmanager_family_soft') == ['203.0.113.10']
    assert inv.group('billmanager_family_softexternal') == ['203.0.113.10']
    assert inv.group('billmanager_family_platform') == ['license3', 'vm-cluster']
    assert inv.group('billmanager_product_vmmanager6') == ['vm-cluster']
    assert inv.group('billmanager_product_cloudlinux') == ['203.0.113.10']
    vm = inv.hostvars['vm-cluster']['billmanager_license']
    assert (vm['id'], vm['family'], vm['ip'], vm['product'], vm['parked']) == (2, 'platform', None, 'vmmanager6', False)
    both = inv.hostvars['203.0.113.10']['billmanager_licenses']
    assert [(lic['id'], lic['family']) for lic in both] == [(1, 'soft'), (4, 'softexternal')]
    assert '0.0.0.0' not in inv.hosts
    assert sandbox.calls() == LISTS
    pooled = inventory(tmp_path, dict(SOURCE, include_parked=True), sandbox)
    assert pooled.rc == 0, pooled
    assert pooled.hosts == ['0.0.0.0', '203.0.113.10', 'license3', 'vm-cluster']
    parked = pooled.hostvars['0.0.0.0']['billmanager_license']
    assert (parked['id'], parked['parked'], parked['status']) == (5, True, 'suspended')


def test_include_deleted_and_the_live_license_first(account, tmp_path):
    account.add_license(licname='new.example.com', ip='203.0.113.4', pricelist=55227, expiredate='2032-01-01')  # 7
    account.clear_log()
    inv = inventory(tmp_path, dict(SOURCE, include_deleted=True), account)
    assert inv.rc == 0, inv
    assert inv.hosts == ['2001:db8::5', '203.0.113.1', '203.0.113.2', '203.0.113.4']
    four = inv.hostvars['203.0.113.4']
    new = record(7, 'new.example.com', '203.0.113.4', 55227, 'ispmanager6_lite', 'active', '2032-01-01')
    # The deleted license has the lower id, but a live license comes first.
    assert four['billmanager_license'] == new
    assert four['billmanager_licname'] == 'new.example.com'
    assert four['billmanager_licenses'] == [OLD, new]
    assert inv.group('billmanager_status_deleted') == ['203.0.113.4']
    assert '203.0.113.4' in inv.group('billmanager_status_active')
    assert account.calls() == LISTS


def test_include_key_reads_each_license_once(account, tmp_path):
    inv = inventory(tmp_path, dict(SOURCE, include_key=True), account)
    assert inv.rc == 0, inv
    one = inv.hostvars['203.0.113.1']
    assert one['billmanager_license'] == dict(WEB1, key='key-web1')
    assert [lic['key'] for lic in one['billmanager_licenses']] == ['key-web1', 'key-dns1']
    assert inv.hostvars['203.0.113.2']['billmanager_license']['key'] == 'key-web2'
    # One soft.edit per license that makes a host: not the deleted one, not the one without IP.
    assert account.calls() == LISTS + ['soft.edit'] * 4
    assert [entry['params']['elid'] for entry in account.calls('soft.edit')] == ['1', '2', '3', '5']


def test_compose_groups_and_keyed_groups(account, tmp_path):
    source = dict(SOURCE, compose={
        'ansible_host': "'10.0.0.' ~ billmanager_license.id",
        'license_ends': 'billmanager_license.expiredate',
        'license_count': 'billmanager_licenses | length',
    }, groups={
        'several_licenses': 'billmanager_licenses | length > 1',
        'ends_2030': "billmanager_license.expiredate.startswith('2030')",
    }, keyed_groups=[
        {'prefix': 'tariff', 'key': "billmanager_licenses | map(attribute='pricelist') | list"},
        {'prefix': 'lic', 'key': 'billmanager_licname'},
        {'prefix': 'product', 'key': 'billmanager_license.product', 'default_value': 'other'},
    ])
    inv = inventory(tmp_path, source, account)
    assert inv.rc == 0, inv
    one = inv.hostvars['203.0.113.1']
    # A compose value keeps its type from ansible-core 2.19 on (native Jinja); before, it is a string.
    count = 2 if CORE >= (2, 19) else '2'
    assert (one['ansible_host'], one['license_ends'], one['license_count']) == ('10.0.0.1', '2031-01-15', count)
    assert inv.hostvars['203.0.113.2']['ansible_host'] == '10.0.0.3'
    assert inv.group('several_licenses') == ['203.0.113.1']
    assert inv.group('ends_2030') == ['2001:db8::5', '203.0.113.2']
    assert inv.group('tariff_55227') == ['203.0.113.1']
    assert inv.group('tariff_3136') == ['203.0.113.1']
    assert inv.group('tariff_3541') == ['203.0.113.2']
    # Group names are sanitized: dots become underscores.
    assert inv.group('lic_web1_example_com') == ['203.0.113.1']
    assert inv.group('lic_raw_example_com') == ['2001:db8::5']
    assert inv.group('product_ispmanager6_lite') == ['203.0.113.1']
    assert inv.group('product_other') == ['2001:db8::5']


def test_strict_fails_on_a_bad_expression(account, tmp_path):
    source = dict(SOURCE, strict=True, compose={'broken': 'billmanager_license.no_such_field.upper()'})
    assert inventory(tmp_path, source, account).rc != 0
    lenient = inventory(tmp_path, dict(source, strict=False), account)
    assert lenient.rc == 0, lenient
    assert 'broken' not in lenient.hostvars['203.0.113.1']


def test_cache_second_run_calls_nothing(account, tmp_path):
    cache_dir = tmp_path / 'cache'
    source = dict(SOURCE, include_key=True, cache=True, cache_plugin='ansible.builtin.jsonfile',
                  cache_connection=str(cache_dir), cache_timeout=3600)
    first = inventory(tmp_path, source, account)
    assert first.rc == 0, first
    assert account.calls() == LISTS + ['soft.edit'] * 4
    account.clear_log()
    # A change in the billing system is not seen while the cache is fresh...
    account.patch_license(3, licname='renamed.example.com')
    second = inventory(tmp_path, source, account)
    assert second.rc == 0, second
    assert account.calls() == []
    assert second.data == first.data
    assert second.hostvars['203.0.113.1']['billmanager_license']['key'] == 'key-web1'
    # ...until the cache is flushed.
    if _inventory_has_flush_cache():
        third = inventory(tmp_path, source, account, args=['--flush-cache'])
        assert third.rc == 0, third
        assert account.calls() == LISTS + ['soft.edit'] * 4
    else:
        # ansible-inventory of older cores has no --flush-cache: ansible-playbook's refreshes the
        # inventory cache (the plugin is parsed with cache=False), then ansible-inventory reads it.
        play = tmp_path / 'noop.yml'
        play.write_text('- hosts: all\n  gather_facts: false\n  tasks: []\n')
        process = subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-i', str(tmp_path / 'test.billmanager.yml'),
                                  '--flush-cache', str(play)], cwd=str(tmp_path), env=ansible_env(account),
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                                 timeout=300, check=False)
        assert process.returncode == 0, process.stdout
        assert account.calls() == LISTS + ['soft.edit'] * 4
        account.clear_log()
        third = inventory(tmp_path, source, account)
        assert third.rc == 0, third
        assert account.calls() == []
    assert third.hostvars['203.0.113.2']['billmanager_licname'] == 'renamed.example.com'
    cached = ''.join(path.read_text() for path in cache_dir.iterdir())
    assert 'key-web1' in cached  # include_key: documented, the keys are cached too
    assert account.password not in cached


def test_cache_is_per_account_and_setting(account, tmp_path):
    source = dict(SOURCE, cache=True, cache_plugin='ansible.builtin.jsonfile',
                  cache_connection=str(tmp_path / 'cache'))
    assert inventory(tmp_path, source, account).rc == 0
    with_keys = inventory(tmp_path, dict(source, include_key=True), account)
    assert with_keys.rc == 0, with_keys
    # include_key is another cache entry: the cached run without keys is not reused.
    assert with_keys.hostvars['203.0.113.2']['billmanager_license']['key'] == 'key-web2'
    assert account.calls() == LISTS + LISTS + ['soft.edit'] * 4


def test_connection_from_the_source_file_and_templates(account, tmp_path):
    source = dict(SOURCE, api_url=account.url, api_username=account.username,
                  api_password="{{ lookup('ansible.builtin.env', 'RESELLER_SECRET') }}",
                  auth_method='session', api_timeout=10, api_retries=1, validate_certs=False)
    inv = inventory(tmp_path, source, env={'RESELLER_SECRET': account.password})
    assert inv.rc == 0, inv
    assert inv.hosts == ['2001:db8::5', '203.0.113.1', '203.0.113.2']
    assert account.calls() == ['auth'] + LISTS
    assert account.password not in inv.output


def test_connection_from_the_environment(account, tmp_path):
    inv = inventory(tmp_path, SOURCE, env={
        'BILLMANAGER_URL': account.url, 'BILLMANAGER_USERNAME': account.username,
        'BILLMANAGER_PASSWORD': account.password, 'BILLMANAGER_AUTH_METHOD': 'session',
        'BILLMANAGER_VALIDATE_CERTS': 'false', 'BILLMANAGER_TIMEOUT': '5', 'BILLMANAGER_RETRIES': '0'})
    assert inv.rc == 0, inv
    assert len(inv.hosts) == 3
    assert account.calls() == ['auth'] + LISTS


def test_missing_credentials_fail_clearly(sandbox, tmp_path):
    inv = inventory(tmp_path, dict(SOURCE, api_url=sandbox.url))
    assert inv.rc != 0
    assert ('needs api_username (or the environment variable BILLMANAGER_USERNAME) and api_password '
            '(or the environment variable BILLMANAGER_PASSWORD)') in ' '.join(inv.stderr.split())
    only_user = inventory(tmp_path, dict(SOURCE, api_url=sandbox.url, api_username='reseller'))
    assert only_user.rc != 0
    assert 'needs api_password (or the environment variable BILLMANAGER_PASSWORD)' in ' '.join(
        only_user.stderr.split())
    assert sandbox.calls() == []


def test_bad_password_fails_without_showing_it(account, tmp_path):
    secret = 'Wr0ng-Pa55word-frotz'
    inv = inventory(tmp_path, SOURCE, account, env={'BILLMANAGER_PASSWORD': secret}, args=['-vvv'])
    assert inv.rc != 0
    # ansible-core before 2.19 wraps the message at 80 columns (also at hyphens).
    message = ' '.join(inv.stderr.split())
    assert 'Invalid username or password' in message
    assert 'could not read the licenses from %s' % account.url in message
    assert secret not in inv.output and secret not in ''.join(inv.output.split())


def test_unreachable_api_fails(tmp_path):
    inv = inventory(tmp_path, dict(SOURCE, api_url='http://127.0.0.1:9/billmgr', api_username='u',
                                   api_password='p', api_retries=0, api_timeout=2))
    assert inv.rc != 0
    assert 'could not read the licenses from http://127.0.0.1:9/billmgr' in ' '.join(inv.stderr.split())


@pytest.mark.parametrize('name', ['test.yml', 'billmanager.yml.bak', 'test.billmanager.json'])
def test_other_file_names_are_not_this_plugins(account, tmp_path, name):
    inv = inventory(tmp_path, SOURCE, account, name=name)
    assert inv.rc != 0
    assert account.calls() == []


@pytest.mark.parametrize('name', ['billmanager.yml', 'prod.billmanager.yaml'])
def test_accepted_file_names(account, tmp_path, name):
    inv = inventory(tmp_path, SOURCE, account, name=name)
    assert inv.rc == 0, inv
    assert len(inv.hosts) == 3


def test_empty_and_one_license_accounts(sandbox, tmp_path):
    empty = inventory(tmp_path, SOURCE, sandbox)
    assert empty.rc == 0, empty
    assert empty.data.get('_meta', {}).get('hostvars', {}) == {}
    assert [name for name in empty.data if name.startswith('billmanager_')] == []
    sandbox.add_license(licname='only', ip='192.0.2.1', pricelist=5577)
    one = inventory(tmp_path, SOURCE, sandbox)
    assert one.rc == 0, one
    assert one.hosts == ['192.0.2.1']
    assert one.group('billmanager_product_billmanager') == ['192.0.2.1']
    assert sandbox.calls() == LISTS + LISTS


def test_thousand_licenses(sandbox, tmp_path):
    sandbox.seed(1000, pricelist=55227, ip_prefix='10.40.')
    sandbox.seed(5, pricelist=3136, ip_prefix='10.40.', status=4)
    sandbox.clear_log()
    inv = inventory(tmp_path, SOURCE, sandbox)
    assert inv.rc == 0, inv
    assert len(inv.hosts) == 1000
    assert len(inv.group('billmanager_status_active')) == 1000
    assert sandbox.calls() == LISTS


def test_playbook_on_the_inventory(account, tmp_path):
    (tmp_path / 'prod.billmanager.yml').write_text(yaml.safe_dump(SOURCE))
    plays = [{'name': 'licensed servers', 'hosts': 'billmanager_status_active', 'gather_facts': False,
              'connection': 'local',
              'tasks': [{'name': 'show', 'ansible.builtin.debug': {
                  'msg': 'LICENSE {{ inventory_hostname }} {{ billmanager_license.id }} {{ billmanager_licname }}'}}]}]
    run = run_playbook(plays, tmp_path, sandbox=account, inventory=str(tmp_path / 'prod.billmanager.yml'),
                       callback='default')
    assert run.rc == 0, run
    shown = sorted(re.findall(r'LICENSE [^"]+', run.stdout))
    assert shown == ['LICENSE 2001:db8::5 5 raw.example.com', 'LICENSE 203.0.113.1 1 web1.example.com',
                     'LICENSE 203.0.113.2 3 web2.example.com']


def test_ansible_doc_renders():
    env = ansible_env()
    outputs = {}
    for mode, args in (('json', ['--json']), ('text', [])):
        process = subprocess.run([os.path.join(BIN, 'ansible-doc'), '-t', 'inventory', PLUGIN] + args, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                                 timeout=120, check=False)
        assert process.returncode == 0, process.stderr
        assert 'ERROR' not in process.stderr and 'WARNING' not in process.stderr, process.stderr
        outputs[mode] = process.stdout
    assert 'EXAMPLES' in outputs['text'] and 'include_key' in outputs['text']
    doc = json.loads(outputs['json'])[PLUGIN]
    options = doc['doc']['options']
    for name in ('plugin', 'include_deleted', 'include_key', 'compose', 'groups', 'keyed_groups', 'cache',
                 'cache_plugin', 'api_url', 'api_username', 'api_password', 'auth_method', 'validate_certs',
                 'ca_path', 'api_timeout', 'api_retries'):
        assert options[name]['description'], name
    envs = dict((name, [entry['name'] for entry in options[name].get('env', [])]) for name in options)
    assert envs['api_url'] == ['BILLMANAGER_URL']
    assert envs['api_password'] == ['BILLMANAGER_PASSWORD']
    assert envs['api_retries'] == ['BILLMANAGER_RETRIES']
    assert 'plugin: ispsystem.billmanager.licenses' in doc['examples']
