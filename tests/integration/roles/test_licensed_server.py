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

import json
import os
import re
import subprocess
import sys
import urllib.request

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


def inventory(tmp_path, sandbox, hosts):
    """An inventory of the group licensed_servers; returns its path."""
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
        },
    }
    path = tmp_path / 'inventory.yml'
    path.write_text(yaml.safe_dump({'licensed_servers': {'hosts': hosts, 'vars': group_vars}}))
    return str(path)


def provision(tmp_path, sandbox, inventory_path, check=False, extra_vars=None, verbosity=0):
    run = run_playbook(PLAYBOOK, tmp_path, sandbox=sandbox, check=check, extra_vars=extra_vars,
                       inventory=inventory_path, callback='default', verbosity=verbosity, timeout=300)
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


def fetches(sandbox):
    return [(e['client'], e['result'], e['license']) for e in panel_log(sandbox) if e['server'] == 'licserver']


# Reading only: every family's listing (a lookup by licname may find a license of any family) and
# the soft license's read.
READS = ('soft', 'platform', 'softexternal', 'soft.edit')


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
    # each IP is checked twice: by the role's isp_license_check, then by isp_license before its order
    checks = sandbox.calls('soft.checkip')
    assert sorted(check['params']['ip'] for check in checks) == [
        '127.0.0.21', '127.0.0.21', '127.0.0.22', '127.0.0.22', '127.0.0.23', '127.0.0.23']
    for order in orders:
        before = [check for check in checks if check['params']['ip'] == order['params']['ip']]
        assert all(check['seq'] < order['seq'] for check in before), (order, before)
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

    # Again: nothing changes, nothing is ordered, downloaded or fetched; no password even at -vvv.
    run = provision(tmp_path, sandbox, inv, verbosity=3)
    assert run.rc == 0, run
    assert {name: stats['changed'] for name, stats in run.recap.items()} == {'web1': 0, 'web2': 0, 'web3': 0}
    assert not [call for call in sandbox.calls() if call not in READS]
    assert panel_log(sandbox) == []
    assert sandbox.password not in run.output
    assert 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER' in run.output


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
    assert not [call for call in sandbox.calls() if call not in READS]
    assert sandbox.license(lic['id'])['status'] == 3
    assert fetches(sandbox) == [('127.0.0.31', 'refused', None)]
    assert licctl_info(root) == 0  # installed, not licensed

    # Told to resume it, in check mode: resume and activation predicted, neither done.
    clear_logs(sandbox)
    resume = {'licensed_server_resume_suspended': True}
    run = provision(tmp_path, sandbox, inv, check=True, extra_vars=resume)
    assert run.rc == 0 and run.recap['web1']['changed'] == 2, run
    assert 'would run: licctl fetch ispmgr <the key of license %d>' % lic['id'] in run.stdout
    assert sandbox.license(lic['id'])['status'] == 3 and 'soft.resume' not in sandbox.calls()
    assert licctl_info(root) == 0 and panel_log(sandbox) == []

    # For real: the installed panel gets the license with licctl fetch.
    run = provision(tmp_path, sandbox, inv, extra_vars=resume)
    assert run.rc == 0, run
    assert len(sandbox.calls('soft.resume')) == 1
    assert licctl_info(root) == lic['id']
    assert fetches(sandbox) == [('127.0.0.31', 'granted', lic['id'])]
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
    run = provision(tmp_path, sandbox, inventory(tmp_path, sandbox, hosts))
    assert run.rc != 0 and run.recap['web1']['failed'] == 1, run
    assert ('127.0.0.51 cannot take a license of ispmanager6_lite: A license of this type for IP 127.0.0.51 '
            'already exists. Nothing was ordered.') in run.stdout
    assert 'soft.order.param' not in sandbox.calls()
    assert files_under(tmp_path / 'servers') == [] and panel_log(sandbox) == []


def test_a_wrong_variable_type_fails_before_anything(sandbox, tmp_path):
    hosts = servers(tmp_path, ('web1', '127.0.0.61'))
    run = provision(tmp_path, sandbox, inventory(tmp_path, sandbox, hosts),
                    extra_vars={'licensed_server_period': 'monthly', 'licensed_server_state': 'gone'})
    assert run.rc != 0, run
    assert 'Validation of arguments failed' in run.stdout
    assert 'licensed_server_period' in run.stdout and 'licensed_server_state' in run.stdout
    assert sandbox.calls() == []
