# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The AWX / Automation controller credential type and job template variables.

No AWX runs here. The credential type is checked against the rules AWX
applies when one is created (its JSON schema for ``inputs`` and
``injectors``, and its trial rendering of every template), and AWX's
injection (awx/main/models/credential.py, ``inject_credential``) is played
here with the same rules: a field the credential does not set is missing
from the template namespace (an empty string), a boolean it does not set is
false, each ``file`` template is written to a file whose name
``tower.filename.<name>`` gives. Real ``ansible-playbook`` and
``ansible-inventory`` runs then get exactly the environment a job would get,
and nothing else, against the sandbox (over HTTPS with a private CA too).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re
import shutil
import stat
import subprocess
import tempfile

import pytest
import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.ispsystem.billmanager.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.ispsystem.billmanager.plugins.module_utils._connection import (
    PASSWORD_FILE_VARIABLE,
    connection_argument_spec,
)
from ecosystem_helpers import REPO, run, tool
from playbook_runner import ansible_env, run_playbook
from sandbox_control import SandboxControl

AWX = os.path.join(REPO, 'extensions', 'awx')
CREDENTIAL_TYPE = os.path.join(AWX, 'credential_type_billmanager.yml')
JOB_TEMPLATE_VARS = os.path.join(AWX, 'job_template_vars.yml')

# AWX's CredentialTypeInputField schema (the keys a field may have) and its rules.
FIELD_KEYS = {'id', 'label', 'type', 'format', 'choices', 'help_text', 'multiline', 'secret', 'ask_at_runtime',
              'default'}
VARIABLE_NAME = re.compile(r'^[a-zA-Z_]+[a-zA-Z0-9_]*$')
FILE_TEMPLATE = re.compile(r'^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$')
# A few of AWX's ENV_BLOCKLIST, besides every ANSIBLE_* name.
ENV_BLOCKLIST = {'PATH', 'PYTHONPATH', 'VIRTUAL_ENV', 'JOB_ID', 'INVENTORY_ID', 'INVENTORY_SOURCE_ID',
                 'INVENTORY_UPDATE_ID', 'AD_HOC_COMMAND_ID', 'REST_API_URL', 'REST_API_TOKEN', 'MAX_EVENT_RES',
                 'CALLBACK_QUEUE', 'CALLBACK_CONNECTION', 'CACHE', 'JOB_CALLBACK_DEBUG', 'INVENTORY_HOSTVARS',
                 'AWX_HOST', 'PROJECT_REVISION', 'SUPERVISOR_CONFIG_PATH'}

# Which credential field feeds which module option.
FIELD_OF_OPTION = {
    'api_url': 'api_url', 'api_username': 'username', 'api_password': 'password', 'auth_method': 'auth_method',
    'validate_certs': 'validate_certs', 'ca_path': 'ca_cert', 'api_timeout': 'api_timeout',
    'api_retries': 'api_retries',
}


def credential_type():
    with open(CREDENTIAL_TYPE, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def fields():
    return {field['id']: field for field in credential_type()['inputs']['fields']}


def module_env_names():
    """option -> the environment variable the modules fall back to (options.connection_argument_spec)."""
    names = {}
    for option, spec in connection_argument_spec().items():
        fallback = spec.get('fallback')
        assert fallback, '%s has no environment fallback' % option
        assert len(fallback[1]) == 1, fallback
        names[option] = fallback[1][0]
    return names


def inventory_env_names():
    doc = yaml.safe_load(ModuleDocFragment.INVENTORY)
    return {option: [entry['name'] for entry in spec.get('env', [])] for option, spec in doc['options'].items()}


class _Tower:
    pass


def inject(inputs, private_dir):
    """AWX's injection of a credential with these ``inputs``: returns the job's added environment."""
    ctype = credential_type()
    namespace = {}
    for name, value in inputs.items():
        if isinstance(value, bool) or len(value):
            namespace[name] = value
    for field in ctype['inputs']['fields']:
        if field.get('type', 'string') == 'boolean' and field['id'] not in inputs:
            namespace[field['id']] = False
    tower = _Tower()
    namespace['tower'] = tower
    env = ImmutableSandboxedEnvironment()
    for label, template in ctype['injectors'].get('file', {}).items():
        handle, path = tempfile.mkstemp(dir=str(private_dir))
        with os.fdopen(handle, 'w') as out:
            out.write(env.from_string(template).render(**namespace))
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        if '.' not in label:
            tower.filename = path
        else:
            if not hasattr(tower, 'filename'):
                tower.filename = _Tower()
            setattr(tower.filename, label.split('.', 1)[1], path)
    return {name: env.from_string(template).render(**namespace)
            for name, template in ctype['injectors'].get('env', {}).items()}


# --- the file, as AWX validates it ---------------------------------------------------


def test_the_credential_type_is_what_awx_accepts():
    ctype = credential_type()
    assert set(ctype) <= {'name', 'description', 'kind', 'inputs', 'injectors'}
    assert ctype['name'] and ctype['kind'] in ('cloud', 'net')
    assert set(ctype['inputs']) <= {'fields', 'required'}
    ids = []
    for field in ctype['inputs']['fields']:
        assert set(field) <= FIELD_KEYS, field
        assert 'id' in field and 'label' in field, field
        assert VARIABLE_NAME.match(field['id']) and field['id'] != 'tower', field
        assert not field.get('ask_at_runtime'), "'ask_at_runtime' is not supported for custom credentials"
        kind = field.get('type', 'string')
        assert kind in ('string', 'boolean'), field
        if 'format' in field:
            assert field['format'] in ('ssh_private_key', 'url'), field
        for key in ('choices', 'multiline', 'format', 'secret'):
            assert key not in field or kind == 'string', '%s not allowed for a %s field' % (key, kind)
        if 'choices' in field:
            choices = field['choices']
            assert choices and len(set(choices)) == len(choices) and all(isinstance(c, str) for c in choices)
        if 'default' in field:
            # AWX compares type(default) with str or bool exactly.
            assert type(field['default']).__name__ == {'string': 'str', 'boolean': 'bool'}[kind], field
            if 'choices' in field:
                # AWX fills an unset choice field with the first choice: the same as the default.
                assert field['default'] == field['choices'][0], field
        ids.append(field['id'])
    assert len(ids) == len(set(ids))
    assert set(ctype['inputs'].get('required', [])) <= set(ids)

    injectors = ctype['injectors']
    assert set(injectors) <= {'file', 'env', 'extra_vars'}
    assert all(FILE_TEMPLATE.match(name) for name in injectors.get('file', {}))
    for name, template in injectors.get('env', {}).items():
        assert VARIABLE_NAME.match(name) and not name.startswith('ANSIBLE_') and name not in ENV_BLOCKLIST, name
        assert isinstance(template, str) and all(ord(c) < 128 for c in template), name
    # AWX renders every template with each field set to 'EXAMPLE' and StrictUndefined.
    tower = _Tower()
    tower.filename = _Tower()
    for label in injectors.get('file', {}):
        setattr(tower.filename, label.split('.', 1)[1], 'EXAMPLE_FILENAME')
    strict = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    namespace = dict((field_id, 'EXAMPLE') for field_id in ids)
    namespace['tower'] = tower
    for kind in injectors.values():
        for template in kind.values():
            strict.from_string(template).render(namespace)


def test_the_injectors_set_exactly_the_variables_the_modules_and_the_inventory_plugin_read():
    env = credential_type()['injectors']['env']
    module_names = module_env_names()
    # the password through a file AWX writes, never in the job's recorded environment
    module_names['api_password'] = PASSWORD_FILE_VARIABLE
    assert sorted(env) == sorted(module_names.values())
    assert sorted(env) == sorted(['BILLMANAGER_URL', 'BILLMANAGER_USERNAME', 'BILLMANAGER_PASSWORD_FILE',
                                  'BILLMANAGER_AUTH_METHOD', 'BILLMANAGER_VALIDATE_CERTS', 'BILLMANAGER_CA_PATH',
                                  'BILLMANAGER_TIMEOUT', 'BILLMANAGER_RETRIES'])
    inventory = inventory_env_names()
    module_names['api_password'] = 'BILLMANAGER_PASSWORD'
    assert {option: [name] for option, name in module_names.items()} == inventory


def test_each_option_gets_its_own_field_and_the_password_is_secret(tmp_path):
    by_id = fields()
    assert by_id['password'].get('secret') is True
    assert not any(field.get('secret') for name, field in by_id.items() if name != 'password')
    assert sorted(credential_type()['inputs']['required']) == ['password', 'username']
    inputs = {'api_url': 'https://billing.example.com/billmgr', 'username': 'u1', 'password': 'p1',
              'auth_method': 'session', 'validate_certs': 'false', 'ca_cert': 'PEM', 'api_timeout': '7',
              'api_retries': '0'}
    env = inject(inputs, tmp_path)
    names = module_env_names()
    for option, field in FIELD_OF_OPTION.items():
        if option == 'ca_path':
            with open(env[names[option]], encoding='utf-8') as handle:
                assert handle.read() == 'PEM'
        elif option == 'api_password':
            assert names[option] not in env
            with open(env[PASSWORD_FILE_VARIABLE], encoding='utf-8') as handle:
                assert handle.read().rstrip('\n') == 'p1'
        else:
            assert env[names[option]] == inputs[field], option
    assert sorted(FIELD_OF_OPTION) == sorted(names)


def test_the_choices_of_a_field_are_those_of_its_option():
    spec = connection_argument_spec()
    assert fields()['auth_method']['choices'] == spec['auth_method']['choices']
    assert fields()['validate_certs']['choices'] == ['true', 'false']


def _validated(env):
    saved = dict(os.environ)
    try:
        for name in list(os.environ):
            if name.startswith('BILLMANAGER_'):
                del os.environ[name]
        os.environ.update(env)
        return ArgumentSpecValidator(connection_argument_spec()).validate({})
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_a_credential_with_only_username_and_password_gives_the_modules_their_defaults(tmp_path):
    """AWX injects an empty string for every field left unset; the injectors put the defaults there."""
    env = inject({'username': 'u1', 'password': 'p1'}, tmp_path)
    assert all(isinstance(value, str) for value in env.values())
    result = _validated(env)
    assert result.error_messages == []
    defaults = dict((option, spec.get('default')) for option, spec in connection_argument_spec().items())
    got = result.validated_parameters
    for option, default in defaults.items():
        if option in ('api_username', 'api_password'):
            continue
        if option == 'ca_path':
            assert not got[option], 'an unset CA certificate must not name a file: %r' % got[option]
        else:
            assert got[option] == default, option
    assert (got['api_username'], got['api_password']) == ('u1', 'p1')


def test_a_credential_created_with_empty_values_gives_the_defaults_too(tmp_path):
    """The UI and the API send "" for a field left empty (AWX sets unset choices to the first one)."""
    inputs = dict((field_id, '') for field_id in fields())
    inputs.update(username='u1', password='p1', auth_method='authinfo', validate_certs='true')
    result = _validated(inject(inputs, tmp_path))
    assert result.error_messages == []
    assert result.validated_parameters['validate_certs'] is True
    assert result.validated_parameters['api_timeout'] == connection_argument_spec()['api_timeout']['default']


def test_injector_defaults_are_the_module_defaults():
    spec = connection_argument_spec()
    by_id = fields()
    for option, field in FIELD_OF_OPTION.items():
        default = spec[option].get('default')
        if default is None:
            continue
        assert str(by_id[field]['default']).lower() == str(default).lower(), option
        template = credential_type()['injectors']['env'][module_env_names()[option]]
        assert "default('%s', true)" % str(default).lower() in template.lower(), template


# --- a job with the credential, against the sandbox ---------------------------------------


@pytest.fixture
def tls_sandbox(tmp_path):
    if shutil.which('openssl') is None:
        pytest.skip('openssl is needed to make a test certificate')
    cert, key = tmp_path / 'cert.pem', tmp_path / 'key.pem'
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
                    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
                    '-keyout', str(key), '-out', str(cert)], check=True, capture_output=True, timeout=60)
    with SandboxControl(tmp_path / 'state.json', tls_cert=cert, tls_key=key) as control:
        yield control


READ = [{'name': 'A job template with the BILLmanager credential', 'hosts': 'localhost', 'gather_facts': False,
         'tasks': [{'name': 'Read', 'ispsystem.billmanager.isp_license_info': {}}]}]


def _run_job(tmp_path, env, monkeypatch, playbook=None, **kwargs):
    for name in list(os.environ):
        if name.startswith('BILLMANAGER_'):
            monkeypatch.delenv(name)
    return run_playbook(playbook or READ, tmp_path, env=env, **kwargs)


def test_a_job_with_the_credential_reaches_an_api_with_a_private_ca(tls_sandbox, tmp_path, monkeypatch):
    lic = tls_sandbox.add_license(licname='web1', ip='203.0.113.10')
    with open(tls_sandbox.tls_cert, encoding='utf-8') as handle:
        pem = handle.read()
    private = tmp_path / 'private'
    private.mkdir()
    env = inject({'api_url': tls_sandbox.url, 'username': tls_sandbox.username, 'password': tls_sandbox.password,
                  'auth_method': 'session', 'validate_certs': 'true', 'ca_cert': pem, 'api_timeout': '20',
                  'api_retries': '1'}, private)
    result = _run_job(tmp_path, env, monkeypatch)
    assert result.rc == 0, result
    assert [item['id'] for item in result.result('Read')['licenses']] == [lic['id']]
    assert tls_sandbox.calls()[:2] == ['auth', 'soft'], tls_sandbox.calls()  # auth_method=session came through
    assert tls_sandbox.password not in result.output


def test_without_the_ca_certificate_the_same_job_fails_on_tls(tls_sandbox, tmp_path, monkeypatch):
    """The test above passes because of the CA file, not in spite of it."""
    private = tmp_path / 'private'
    private.mkdir()
    env = inject({'api_url': tls_sandbox.url, 'username': tls_sandbox.username, 'password': tls_sandbox.password},
                 private)
    assert env['BILLMANAGER_CA_PATH'] == '' and env['BILLMANAGER_VALIDATE_CERTS'] == 'true'
    result = _run_job(tmp_path, env, monkeypatch)
    assert result.rc != 0
    assert 'TLS' in result.output or 'certificate' in result.output.lower(), result


def test_an_inventory_source_with_the_credential(sandbox, tmp_path, monkeypatch):
    """An AWX inventory source (plugin ispsystem.billmanager.licenses) gets the same environment."""
    sandbox.add_license(licname='web1', ip='203.0.113.10', pricelist=55227)
    env = inject({'api_url': sandbox.url, 'username': sandbox.username, 'password': sandbox.password},
                 tmp_path)
    source = tmp_path / 'awx.billmanager.yml'
    source.write_text('plugin: ispsystem.billmanager.licenses\n')
    for name in list(os.environ):
        if name.startswith('BILLMANAGER_'):
            monkeypatch.delenv(name)
    out = run([tool('ansible-inventory'), '-i', str(source), '--list'], env=ansible_env(extra=env),
              cwd=str(tmp_path))
    inventory = yaml.safe_load(out)
    assert '203.0.113.10' in inventory['_meta']['hostvars'], out


def _role_spec():
    with open(os.path.join(REPO, 'roles', 'licensed_server', 'meta', 'argument_specs.yml'), encoding='utf-8') as f:
        return yaml.safe_load(f)['argument_specs']['main']['options']


def test_the_job_template_variables_are_valid_for_the_role_and_the_playbook(tmp_path):
    with open(JOB_TEMPLATE_VARS, encoding='utf-8') as handle:
        variables = yaml.safe_load(handle)
    assert isinstance(variables, dict) and variables
    role_vars = dict((name, value) for name, value in variables.items() if name.startswith('licensed_server_'))
    assert role_vars, 'the example sets no variable of the role'
    spec = _role_spec()
    unknown = sorted(set(role_vars) - set(spec))
    assert unknown == [], 'not variables of the role licensed_server: %s' % unknown
    result = ArgumentSpecValidator(spec).validate(role_vars)
    assert result.error_messages == [], result.error_messages
    playbook_vars = set(variables) - set(role_vars)
    with open(os.path.join(REPO, 'playbooks', 'provision.yml'), encoding='utf-8') as handle:
        provision = handle.read()
    for name in playbook_vars:
        assert name in provision, '%s is not a variable of the provision playbook' % name
    assert not any(name.startswith('billmanager_api_password') for name in variables), \
        'the password belongs in the credential, not in job template variables'
    # AWX passes extra variables as -e @file.
    run([tool('ansible-playbook'), '--syntax-check', '-i', 'localhost,', '-e', '@' + JOB_TEMPLATE_VARS,
         'ispsystem.billmanager.provision'], env=ansible_env(), cwd=str(tmp_path))


def test_the_license_report_job_runs_with_the_credential(sandbox, tmp_path, monkeypatch):
    """A second job template: the report playbook, its one variable, the credential's environment."""
    sandbox.add_license(licname='soon', ip='203.0.113.40', expiredate='2000-01-01')
    env = inject({'api_url': sandbox.url, 'username': sandbox.username, 'password': sandbox.password},
                 tmp_path)
    result = _run_job(tmp_path, env, monkeypatch, playbook='ispsystem.billmanager.license_report',
                      extra_vars={'license_report_days': 14}, callback='default')
    assert result.rc == 0, result
    assert 'soon' in result.stdout and '203.0.113.40' in result.stdout, result
