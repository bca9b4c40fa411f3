# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The role ispsystem.billmanager.licensed_server, through the playbook ispsystem.billmanager.provision.

Real ``ansible-playbook`` runs against local hosts (``ansible_connection=local``),
each with its own panel root under tmp_path and its own license IP in
127.0.0.0/8. The sandbox plays all three of the vendor's servers: billing,
the download mirror (the installer, a real shell script) and the license
server, which grants a license only to the right key from the IP the
license is bound to.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import json
import os
import re
import subprocess
import sys
import urllib.request

import pytest
import yaml

from playbook_runner import run_playbook

PLAYBOOK = 'ispsystem.billmanager.provision'
ISPMGR6_LITE = 55227
RECAP = re.compile(r'^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)',
                   re.MULTILINE)


# --- helpers --------------------------------------------------------------------

def servers(tmp_path, *hosts):
    """Host vars for local "servers": (name, license IP) -> each its own panel root under tmp_path."""
    found = {}
    for name, ip in hosts:
        home = tmp_path / 'servers' / name
        home.mkdir(parents=True)
        found[name] = {'licensed_server_license_ip': ip, 'licensed_server_panel_root': str(home / 'mgr5')}
    return found


def inventory(tmp_path, sandbox, hosts, **more_vars):
    """An inventory of the group licensed_servers; returns its path.

    The stand-in installer and licctl append their command lines to
    tmp_path/argv.log (PANEL_ARGV_LOG), which argv_log() reads.
    """
    group_vars = {
        'ansible_connection': 'local',
        'ansible_python_interpreter': sys.executable,
        # A fake host cannot install packages.
        'licensed_server_install_packages': False,
        'licensed_server_installer_url': sandbox.base + '/mirror/install.sh',
        # The sandbox's licctl connects from the license IP (all hosts are this machine).
        'licensed_server_panel_environment': {
            'LICCTL_SOURCE_IP': '{{ licensed_server_license_ip }}',
            'LICCTL_PYTHON': '{{ ansible_playbook_python }}',
            'PANEL_ARGV_LOG': str(tmp_path / 'argv.log'),
        },
    }
    group_vars.update(more_vars)
    path = tmp_path / 'inventory.yml'
    path.write_text(yaml.safe_dump({'licensed_servers': {'hosts': hosts, 'vars': group_vars}}))
    return str(path)


def provision(tmp_path, sandbox, inventory_path, check=False, extra_vars=None, verbosity=0, args=()):
    run = run_playbook(PLAYBOOK, tmp_path, sandbox=sandbox, check=check, extra_vars=extra_vars,
                       inventory=inventory_path, callback='default', verbosity=verbosity, timeout=300,
                       args=args)
    run.recap = {m.group(1): {'ok': int(m.group(2)), 'changed': int(m.group(3)), 'failed': int(m.group(5))}
                 for m in RECAP.finditer(run.stdout)}
    return run


def licctl_info(root, mgr='ispmgr'):
    """The license id the panel under ``root`` holds (``licctl info``), None without a panel."""
    licctl = os.path.join(root, 'sbin', 'licctl')
    if not os.path.exists(licctl):
        return None
    out = subprocess.run([licctl, 'info', mgr], stdout=subprocess.PIPE, universal_newlines=True,
                         check=True, timeout=60).stdout
    return int(re.search(r'^ID: (\d+)$', out, re.MULTILINE).group(1))


def panel_log(sandbox):
    with urllib.request.urlopen(sandbox.base + '/sandbox/panel', timeout=10) as response:
        return json.loads(response.read().decode('utf-8'))['requests']


def clear_logs(sandbox):
    sandbox.clear_log()
    request = urllib.request.Request(sandbox.base + '/sandbox/panel', method='DELETE')
    with urllib.request.urlopen(request, timeout=10):
        pass


def files_under(path):
    return sorted(os.path.relpath(os.path.join(d, f), str(path)) for d, _s, fs in os.walk(str(path)) for f in fs)


def argv_log(tmp_path):
    """The command lines of the installer and licctl, as they recorded them."""
    path = tmp_path / 'argv.log'
    return path.read_text().splitlines() if path.exists() else []


def api_calls_by_license(sandbox):
    """{license id: number of API calls naming it (elid)}, and the number of list calls."""
    per_license = collections.Counter(int(e['params']['elid']) for e in sandbox.log() if e['params'].get('elid'))
    listings = [e['func'] for e in sandbox.log() if not e['params'].get('elid')]
    return dict(per_license), listings


def fetches(sandbox):
    return [(e['client'], e['result'], e['license']) for e in panel_log(sandbox) if e['server'] == 'licserver']


# --- tests ----------------------------------------------------------------------

def test_provision_three_servers_check_run_and_again(sandbox, tmp_path):
    hosts = servers(tmp_path, ('web1', '127.0.0.21'), ('web2', '127.0.0.22'), ('web3', '127.0.0.23'))
    inv = inventory(tmp_path, sandbox, hosts)

    # --check on new servers: reports what it would do, changes nothing anywhere.
    run = provision(tmp_path, sandbox, inv, check=True)
    assert run.rc == 0, run
    assert sorted(run.recap) == ['web1', 'web2', 'web3']
    for name in hosts:
        assert run.recap[name]['changed'] >= 2 and run.recap[name]['failed'] == 0, run
    assert sandbox.licenses() == []
    assert 'soft.order.param' not in sandbox.calls()
    assert len(sandbox.calls('soft.checkip')) == 3  # isp_license's check mode asks before it predicts an order
    assert files_under(tmp_path / 'servers') == []
    assert fetches(sandbox) == []
    assert {(e['method'], e['path']) for e in panel_log(sandbox)} == {('HEAD', '/mirror/install.sh')}
    clear_logs(sandbox)

    # The run: one order per host, each panel holds its own license.
    run = provision(tmp_path, sandbox, inv)
    assert run.rc == 0, run
    for name in hosts:
        assert run.recap[name]['changed'] >= 1 and run.recap[name]['failed'] == 0, run
    orders = sandbox.calls('soft.order.param')
    assert sorted(order['params']['ip'] for order in orders) == ['127.0.0.21', '127.0.0.22', '127.0.0.23']
    licenses = {lic['licname']: lic for lic in sandbox.licenses()}
    assert sorted(licenses) == ['web1', 'web2', 'web3']
    for name, host in hosts.items():
        lic = licenses[name]
        assert (lic['ip'], lic['pricelist'], lic['status']) == (host['licensed_server_license_ip'], ISPMGR6_LITE, 2)
        assert licctl_info(host['licensed_server_panel_root']) == lic['id']
        assert lic['lickey'] not in run.output
    assert sorted(fetches(sandbox)) == sorted(
        (host['licensed_server_license_ip'], 'granted', licenses[name]['id']) for name, host in hosts.items())
    assert files_under(tmp_path / 'servers' / 'web1') == [
        'mgr5/etc/install.conf', 'mgr5/etc/ispmgr.lic', 'mgr5/etc/licctl.conf', 'mgr5/sbin/licctl']
    clear_logs(sandbox)

    # Again: nothing changes, nothing is ordered, downloaded or fetched; no password or key even at -vvv.
    run = provision(tmp_path, sandbox, inv, verbosity=3)
    assert run.rc == 0, run
    assert {name: stats['changed'] for name, stats in run.recap.items()} == {'web1': 0, 'web2': 0, 'web3': 0}
    assert not [call for call in sandbox.calls() if call not in ('soft', 'soft.edit')]
    assert panel_log(sandbox) == []
    assert sandbox.password not in run.output
    for lic in licenses.values():
        assert lic['lickey'] not in run.output


def test_a_run_that_changes_nothing_costs_one_call_per_host(sandbox, tmp_path):
    """No isp_license_info, no isp_license_check: one isp_license call per host, one shared listing."""
    names = ['web%d' % n for n in range(1, 6)]
    hosts = servers(tmp_path, *[(name, '127.0.0.%d' % (120 + n)) for n, name in enumerate(names)])
    for name, host in hosts.items():
        sandbox.add_license(licname=name, ip=host['licensed_server_license_ip'], pricelist=ISPMGR6_LITE,
                            autoprolong=1)
    inv = inventory(tmp_path, sandbox, hosts)
    run = provision(tmp_path, sandbox, inv)  # installs the panels
    assert run.rc == 0, run
    clear_logs(sandbox)

    run = provision(tmp_path, sandbox, inv)
    assert run.rc == 0, run
    assert {name: stats['changed'] for name, stats in run.recap.items()} == dict.fromkeys(names, 0)
    per_license, listings = api_calls_by_license(sandbox)
    assert sorted(per_license.values()) == [1] * len(names), sandbox.calls()  # one soft.edit read per host
    assert sorted(per_license) == sorted(lic['id'] for lic in sandbox.licenses())
    assert set(listings) == {'soft'}, listings


def test_the_hosts_of_a_run_share_one_listing(sandbox, tmp_path):
    names = ['web%d' % n for n in range(1, 4)]
    hosts = servers(tmp_path, *[(name, '127.0.0.%d' % (130 + n)) for n, name in enumerate(names)])
    for name, host in hosts.items():
        sandbox.add_license(licname=name, ip=host['licensed_server_license_ip'], pricelist=ISPMGR6_LITE,
                            autoprolong=1)
    inv = inventory(tmp_path, sandbox, hosts)
    assert provision(tmp_path, sandbox, inv).rc == 0
    clear_logs(sandbox)
    run = provision(tmp_path, sandbox, inv)
    assert run.rc == 0, run
    _per_license, listings = api_calls_by_license(sandbox)
    assert listings == ['soft'], listings


def test_suspended_license_fails_activation_then_resume(sandbox, tmp_path):
    hosts = servers(tmp_path, ('web1', '127.0.0.31'))
    lic = sandbox.add_license(licname='web1', ip='127.0.0.31', pricelist=ISPMGR6_LITE, status=3)
    sandbox.clear_log()
    inv = inventory(tmp_path, sandbox, hosts)
    root = hosts['web1']['licensed_server_panel_root']

    run = provision(tmp_path, sandbox, inv)
    assert run.rc != 0 and run.recap['web1']['failed'] == 1, run
    assert 'license %d is suspended' % lic['id'] in run.stdout
    assert 'failed on web1' in run.stdout
    assert lic['lickey'] not in run.output
    assert not [call for call in sandbox.calls() if call not in ('soft', 'soft.edit')]
    assert sandbox.license(lic['id'])['status'] == 3
    assert fetches(sandbox) == [('127.0.0.31', 'refused', None)]
    assert licctl_info(root) == 0  # installed, not licensed

    # Told to resume it, in check mode: resume and activation predicted, neither done.
    clear_logs(sandbox)
    resume = {'licensed_server_resume_suspended': True}
    run = provision(tmp_path, sandbox, inv, check=True, extra_vars=resume)
    assert run.rc == 0 and run.recap['web1']['changed'] == 2, run
    assert 'would run: licctl fetch ispmgr (license %d, bound to IP 127.0.0.31)' % lic['id'] in run.stdout
    assert sandbox.license(lic['id'])['status'] == 3 and 'soft.resume' not in sandbox.calls()
    assert licctl_info(root) == 0 and panel_log(sandbox) == []

    # For real: the installed panel gets the license with licctl fetch, by its IP, without the key.
    run = provision(tmp_path, sandbox, inv, extra_vars=resume)
    assert run.rc == 0, run
    assert len(sandbox.calls('soft.resume')) == 1
    assert licctl_info(root) == lic['id']
    assert fetches(sandbox) == [('127.0.0.31', 'granted', lic['id'])]
    assert [e['key_given'] for e in panel_log(sandbox) if e['server'] == 'licserver'] == [False]
    assert argv_log(tmp_path)[-2:] == ['licctl fetch ispmgr', 'licctl info ispmgr']
    assert not [e for e in panel_log(sandbox) if e['server'] == 'mirror']  # no new installation


def test_decommission_deletes_the_license(sandbox, tmp_path):
    hosts = servers(tmp_path, ('old1', '127.0.0.41'))
    lic = sandbox.add_license(licname='old1', ip='127.0.0.41', pricelist=ISPMGR6_LITE)
    sandbox.clear_log()
    inv = inventory(tmp_path, sandbox, hosts)
    absent = {'licensed_server_state': 'absent'}

    run = provision(tmp_path, sandbox, inv, check=True, extra_vars=absent)
    assert run.rc == 0 and run.recap['old1']['changed'] == 1, run
    assert sandbox.license(lic['id'])['status'] == 2

    run = provision(tmp_path, sandbox, inv, extra_vars=absent)
    assert run.rc == 0 and run.recap['old1']['changed'] == 1, run
    assert sandbox.license(lic['id'])['status'] == 4
    assert len(sandbox.calls('soft.delete')) == 1

    run = provision(tmp_path, sandbox, inv, extra_vars=absent)
    assert run.rc == 0 and run.recap['old1']['changed'] == 0, run
    assert len(sandbox.calls('soft.delete')) == 1
    assert files_under(tmp_path / 'servers') == []  # the role never touched the server


def test_an_ip_that_cannot_take_the_license_orders_nothing(sandbox, tmp_path):
    hosts = servers(tmp_path, ('web1', '127.0.0.51'))
    sandbox.set_config(users={'other': {'password': 'pw', 'balance': 100}})
    sandbox.add_license(licname='someone-else', ip='127.0.0.51', pricelist=ISPMGR6_LITE, owner='other')
    sandbox.clear_log()
    inv = inventory(tmp_path, sandbox, hosts)
    reason = 'A license of this type for IP 127.0.0.51 already exists'

    # Check mode asks soft.checkip and fails as the real run will.
    run = provision(tmp_path, sandbox, inv, check=True)
    assert run.rc != 0 and run.recap['web1']['failed'] == 1, run
    assert reason in run.stdout, run
    assert 'soft.order.param' not in sandbox.calls()

    run = provision(tmp_path, sandbox, inv)
    assert run.rc != 0 and run.recap['web1']['failed'] == 1, run
    assert reason in run.stdout and 'web1: web1: ' in run.stdout, run
    assert [lic['licname'] for lic in sandbox.licenses()] == ['someone-else']  # the billing refused the order
    assert files_under(tmp_path / 'servers') == [] and panel_log(sandbox) == []


def test_a_wrong_variable_type_fails_before_anything(sandbox, tmp_path):
    hosts = servers(tmp_path, ('web1', '127.0.0.61'))
    run = provision(tmp_path, sandbox, inventory(tmp_path, sandbox, hosts),
                    extra_vars={'licensed_server_period': 'monthly', 'licensed_server_state': 'gone',
                                'licensed_server_decommission': 'keep'})
    assert run.rc != 0, run
    assert 'Validation of arguments failed' in run.stdout
    for name in ('licensed_server_period', 'licensed_server_state', 'licensed_server_decommission'):
        assert name in run.stdout, name
    assert sandbox.calls() == []


@pytest.mark.parametrize('reads_key_file', [False, True], ids=['wrapper', 'installer-reads-file'])
def test_the_installer_gets_the_key_on_no_command_line(sandbox, tmp_path, reads_key_file):
    """The key reaches the installer in a 0600 file, removed afterwards; no argv, no -vvv line holds it."""
    hosts = servers(tmp_path, ('web1', '127.0.0.81'))
    lic = sandbox.add_license(licname='web1', ip='127.0.0.81', pricelist=ISPMGR6_LITE)
    inv = inventory(tmp_path, sandbox, hosts, licensed_server_installer_reads_key_file=reads_key_file)
    run = provision(tmp_path, sandbox, inv, verbosity=3)
    assert run.rc == 0, run
    root = hosts['web1']['licensed_server_panel_root']
    assert licctl_info(root) == lic['id']
    assert lic['lickey'] not in run.output
    # The EXEC lines at -vvv show the environment of the installer: the file's path, not the key.
    assert 'ACTIVATION_KEY_FILE=' in run.output and 'ACTIVATION_KEY=' not in run.output.replace(
        'ACTIVATION_KEY=$(cat', '')
    lines = argv_log(tmp_path)
    assert lines[0] == 'install.sh --release stable --silent ispmgr', lines
    assert 'licctl fetch ispmgr' in lines, lines
    assert not [line for line in lines if lic['lickey'] in line]
    # The installer did present the key to the license server; nothing of it is left on the server.
    assert [(e['key_given'], e['result']) for e in panel_log(sandbox) if e['server'] == 'licserver'] == [
        (True, 'granted')]
    assert files_under(tmp_path / 'servers' / 'web1') == [
        'mgr5/etc/install.conf', 'mgr5/etc/ispmgr.lic', 'mgr5/etc/licctl.conf', 'mgr5/sbin/licctl']


def test_extra_products_in_the_same_run(sandbox, tmp_path):
    """CloudLinux, Softaculous and a VMmanager 6 beside ISPmanager: each its own licname, reported, parked."""
    hosts = servers(tmp_path, ('web1', '127.0.0.91'))
    extras = {'licensed_server_extra_products': ['cloudlinux', {'product': 'softaculous', 'period': 1},
                                                 {'product': 'vmmanager6', 'ip': None}]}
    inv = inventory(tmp_path, sandbox, hosts)
    run = provision(tmp_path, sandbox, inv, extra_vars=extras)
    assert run.rc == 0, run
    licenses = {lic['licname']: lic for lic in sandbox.licenses()}
    assert sorted(licenses) == ['web1', 'web1-cloudlinux', 'web1-softaculous', 'web1-vmmanager6']
    assert [licenses[name]['ip'] for name in sorted(licenses)][:3] == ['127.0.0.91'] * 3
    assert not licenses['web1-vmmanager6']['ip']  # a platform license is not bound to an IP
    assert [lic['pricelist'] for _n, lic in sorted(licenses.items())] == [ISPMGR6_LITE, 9203, 9204, 55163]
    assert licctl_info(hosts['web1']['licensed_server_panel_root']) == licenses['web1']['id']
    assert 'clnreg_ks' in run.stdout and 'Softaculous activates by IP' in run.stdout
    assert 'VMmanager 6 is licensed by its comment' in run.stdout
    for lic in licenses.values():
        assert lic['lickey'] not in run.output
    clear_logs(sandbox)

    run = provision(tmp_path, sandbox, inv, extra_vars=extras)
    assert run.rc == 0 and run.recap['web1']['changed'] == 0, run
    per_license, _listings = api_calls_by_license(sandbox)
    assert per_license == {lic['id']: 1 for lic in licenses.values()}, sandbox.calls()
    assert 'clnreg_ks' not in run.stdout  # said once, on the run that ordered it
    assert not [call for call in sandbox.calls() if not call.endswith(('soft', 'softexternal', 'platform', '.edit'))]

    # Decommissioned with park: the IP-bound licenses go to the pool, the platform one cannot and is deleted.
    park = dict(extras, licensed_server_state='absent', licensed_server_decommission='park')
    run = provision(tmp_path, sandbox, inv, extra_vars=park)
    assert run.rc == 0, run
    after = {lic['id']: lic for lic in sandbox.licenses()}
    for name in ('web1', 'web1-cloudlinux', 'web1-softaculous'):
        assert (after[licenses[name]['id']]['ip'], after[licenses[name]['id']]['licname']) == ('0.0.0.0', 'free.lic')
    assert after[licenses['web1-vmmanager6']['id']]['status'] == 4


@pytest.mark.parametrize('clash', ['licname', 'ip'])
def test_two_hosts_that_want_one_license_fail_before_any_call(sandbox, tmp_path, clash):
    hosts = servers(tmp_path, ('web1', '127.0.0.95'), ('web2', '127.0.0.96'), ('web3', '127.0.0.97'))
    if clash == 'licname':
        hosts['web3']['licensed_server_licname'] = 'web1'
        expected = 'licname web1: wanted by web1, web3'
    else:
        hosts['web3']['licensed_server_license_ip'] = '127.0.0.95'
        expected = 'ispmanager6_lite on IP 127.0.0.95: wanted by web1, web3'
    run = provision(tmp_path, sandbox, inventory(tmp_path, sandbox, hosts))
    assert run.rc != 0, run
    assert {name: stats['failed'] for name, stats in run.recap.items()} == {'web1': 1, 'web2': 1, 'web3': 1}
    assert expected in run.stdout, run
    assert sandbox.calls() == []
    assert files_under(tmp_path / 'servers') == [] and panel_log(sandbox) == []


def test_decommission_parks_and_a_new_server_reuses_the_license(sandbox, tmp_path):
    """The pool: a parked license keeps its paid time; the next server of that tariff takes it, no order."""
    hosts = servers(tmp_path, ('old1', '127.0.0.71'), ('new1', '127.0.0.72'))
    lic = sandbox.add_license(licname='old1', ip='127.0.0.71', pricelist=ISPMGR6_LITE, expiredate='2099-01-01')
    inv = inventory(tmp_path, sandbox, hosts)
    park = {'licensed_server_state': 'absent', 'licensed_server_decommission': 'park'}

    run = provision(tmp_path, sandbox, inv, extra_vars=park, args=['--limit', 'old1'], verbosity=1)
    assert run.rc == 0 and run.recap['old1']['changed'] == 1, run
    assert lic['lickey'] not in run.output  # a parked record carries no key, even at -v
    parked = sandbox.license(lic['id'])
    assert (parked['ip'], parked['licname'], parked['status']) == ('0.0.0.0', 'free.lic', 3)
    assert 'soft.delete' not in sandbox.calls()

    run = provision(tmp_path, sandbox, inv, extra_vars=park, args=['--limit', 'old1'])
    assert run.rc == 0 and run.recap['old1']['changed'] == 0, run  # a parked license never matches by name
    clear_logs(sandbox)

    run = provision(tmp_path, sandbox, inv, extra_vars={'licensed_server_reuse_parked': True},
                    args=['--limit', 'new1'])
    assert run.rc == 0, run
    assert 'soft.order.param' not in sandbox.calls()
    assert lic['lickey'] not in run.output
    reused = sandbox.license(lic['id'])
    assert (reused['ip'], reused['licname'], reused['status'], reused['expiredate']) == (
        '127.0.0.72', 'new1', 2, '2099-01-01')
    assert licctl_info(hosts['new1']['licensed_server_panel_root']) == lic['id']
    assert 'new1: license %d (ispmanager6_lite): reuse' % lic['id'] in run.stdout, run
