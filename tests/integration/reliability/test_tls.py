# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""HTTPS against the sandbox with a certificate made for the test (its own CA, for 127.0.0.1).

- by default an unknown CA is refused, with a TLS error in plain words that
  says what was tried and points at ca_path / BILLMANAGER_CA_PATH;
- ca_path (the option or BILLMANAGER_CA_PATH) trusts that CA;
- another CA, or a name the certificate is not for, is refused too (the
  latter saying so, and pointing at api_url);
- validate_certs: false works and warns, once per task, in the collection's words.

Each task has its own API path, so the sandbox's request log shows which
tasks got through the handshake.  Host ``fast`` runs on the controller's
fast path; host ``module`` (test connection plugin) takes the module path.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import re
import sys

import pytest

from playbook_runner import CONNECTION_PLUGINS
from reliability_helpers import INFO, LICENSE, MODULE_PATH_CONNECTION, by_host
from playbook_runner import run_playbook
from sandbox_control import SandboxControl

WARNING = 'validate_certs is false: the certificate of https://127.0.0.1:%d/billmgr/%s is not checked'


@pytest.fixture
def tls_sandbox(tmp_path, tls_files):
    with SandboxControl(tmp_path / 'state.json', tls_cert=tls_files.cert, tls_key=tls_files.key) as control:
        yield control


def test_tls(tls_sandbox, tmp_path, tls_files):
    sandbox = tls_sandbox
    base = sandbox.url + '/'
    localhost = base.replace('127.0.0.1', 'localhost')
    both, fast_only = 'all', "inventory_hostname == 'fast'"
    # name -> (module, options, environment, hosts, words the output of a failure must hold, or None)
    cases = [
        ('default refuses the unknown CA', INFO, dict(api_url=base + 'default'), None, both,
         ['TLS: the certificate of https://127.0.0.1:%d/billmgr/default is not trusted' % sandbox.port,
          'certificate verify failed', 'Tried https://127.0.0.1:%d/billmgr/default once.' % sandbox.port,
          "set ca_path (or BILLMANAGER_CA_PATH) to that CA's certificate"]),
        ('ca_path trusts it', LICENSE, dict(api_url=base + 'ca_path', ca_path=tls_files.ca, ip='127.60.0.{{ n }}',
                                            product='ispmanager6_lite'), None, both, None),
        ('BILLMANAGER_CA_PATH trusts it', INFO, dict(api_url=base + 'env', ip='127.60.0.{{ n }}', details=True),
         {'BILLMANAGER_CA_PATH': tls_files.ca}, fast_only, None),
        ('another CA is refused', INFO, dict(api_url=base + 'other', ca_path=tls_files.other_ca), None, fast_only,
         ['TLS: the certificate of https://127.0.0.1:%d/billmgr/other is not trusted' % sandbox.port,
          'certificate verify failed', 'ca_path (or BILLMANAGER_CA_PATH)']),
        ('a name the certificate is not for is refused', INFO, dict(api_url=localhost + 'name', ca_path=tls_files.ca),
         None, fast_only, ['TLS: the certificate of https://localhost:%d/billmgr/name is not made for the name '
                           'localhost' % sandbox.port, 'match', 'Make api_url (or BILLMANAGER_URL) name the host']),
        # a path per host: Ansible shows a warning text once per run
        ('validate_certs false warns', INFO, dict(api_url=base + 'off-{{ inventory_hostname }}', validate_certs=False),
         None, both, None),
        ('BILLMANAGER_VALIDATE_CERTS false warns', INFO, dict(api_url=base + 'offenv'),
         {'BILLMANAGER_VALIDATE_CERTS': 'false'}, fast_only, None),
    ]
    tasks = []
    for name, module, options, environment, hosts, _words in cases:
        task = {'name': name, module: options, 'ignore_errors': True}
        if environment:
            task['environment'] = environment
        if hosts != both:
            task['when'] = hosts
        tasks.append(task)
    inventory = tmp_path / 'inventory.json'
    inventory.write_text(json.dumps({'all': {'hosts': {
        'fast': {'ansible_connection': 'local', 'n': 1},
        'module': {'ansible_connection': MODULE_PATH_CONNECTION, 'n': 2},
    }, 'vars': {'ansible_python_interpreter': sys.executable}}}))
    run = run_playbook([{'name': 'tls', 'hosts': 'all', 'gather_facts': False, 'tasks': tasks}], tmp_path,
                       sandbox=sandbox, inventory=str(inventory), callback='default', verbosity=1,
                       env={'ANSIBLE_CONNECTION_PLUGINS': CONNECTION_PLUGINS}, args=['--forks', '2'])
    assert run.rc == 0, run
    sections = dict((chunk.split(']', 1)[0], chunk) for chunk in re.split(r'^TASK \[', run.stdout, flags=re.M)[1:])
    reached = by_host(sandbox.log())
    for name, _module, options, _env, hosts, words in cases:
        text = sections[name]
        for host in ('fast', 'module') if hosts == both else ('fast',):
            path = options['api_url'].rsplit('/', 1)[-1].replace('{{ inventory_hostname }}', host)
            if words:
                assert 'fatal: [%s]: FAILED!' % host in text, (name, host, text)
            else:
                assert re.search(r'^(ok|changed): \[%s\]' % host, text, flags=re.M), (name, host, text)
        for word in words or ():
            assert word in text, (name, word, text)
            if words:
                assert path not in reached, (name, 'a refused handshake sent a request', reached.get(path))
            else:
                assert reached.get(path), (name, 'no request arrived')
        if words:
            assert '"kind": "tls"' in text and '"ambiguous": false' in text, text
            # plain words, not urllib3's internals
            for internal in ('HTTPSConnectionPool', 'Max retries', 'SSLError(', 'object at 0x', '_ssl.c'):
                assert internal not in text, (name, internal, text)
    # validate_certs false: the collection's warning, once per task and host, and no urllib3 noise
    # ansible-core before 2.19 wraps a warning at 80 columns: compare with the line breaks undone
    output = ' '.join((run.stdout + run.stderr).split())
    for path in ('off-fast', 'off-module', 'offenv'):
        warning = WARNING % (sandbox.port, path)
        assert output.count(warning) == 1, (warning, output[-4000:])
    assert output.count('validate_certs is false') == 3
    assert 'InsecureRequestWarning' not in output and 'errantly sent data' not in output
    # the order made over HTTPS is a normal one: active, with its key
    licenses = sandbox.licenses()
    assert sorted(lic['ip'] for lic in licenses) == ['127.60.0.1', '127.60.0.2']
    assert all(lic['lickey'] and lic['status'] == 2 for lic in licenses)
