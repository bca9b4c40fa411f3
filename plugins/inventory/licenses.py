# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: licenses
short_description: The servers licensed through a BILLmanager billing system, as hosts
version_added: 0.1.0
description:
  - Reads the ISPsystem software licenses of a reseller's account (one listing per license
    family, C(soft), C(platform) and C(softexternal)) and makes one host per licensed IP, named by the
    IP, with the license record in host variables. A license without an IP (family C(platform),
    VMmanager 6, DCImanager 6) makes a host named by its licname (its comment), or C(license<id>)
    when that is empty.
  - Groups the hosts by product and by status, and supports the standard O(compose),
    O(groups) and O(keyed_groups) options and inventory caching.
  - 'The inventory source is a YAML file whose name ends in C(billmanager.yml) or
    C(billmanager.yaml) (C(prod.billmanager.yml), say) and which says
    C(plugin: ispsystem.billmanager.licenses).'
  - 'Host variables: C(billmanager_licname) (the license name), C(billmanager_license) (the
    license record, in the shape M(ispsystem.billmanager.isp_license_info) returns) and
    C(billmanager_licenses) (the list of every license on that IP, ordered by id).'
  - B(Several licenses on one IP) (an ISPmanager and a DNSmanager license on the same server,
    say) make one host. C(billmanager_licenses) lists them all; C(billmanager_license) and
    C(billmanager_licname) are those of the first of them, live licenses before deleted ones,
    then by id. The host joins the product and status groups of every one of its licenses.
  - 'Groups: C(billmanager_product_<product>) for a tariff of the catalog (for example
    C(billmanager_product_ispmanager6_lite)), C(billmanager_pricelist_<id>) for any other
    tariff, C(billmanager_family_<family>) (for example C(billmanager_family_softexternal)) and
    C(billmanager_status_<status>) (for example C(billmanager_status_active)).'
  - Deleted licenses stay in the billing system's list; they are left out unless
    O(include_deleted=true). Parked licenses (in the reuse pool on IP C(0.0.0.0)) are no host;
    they are left out unless O(include_parked=true).
author:
  - ispsystem.billmanager maintainers (@ispsystem)
extends_documentation_fragment:
  - ispsystem.billmanager.connection.inventory
  - constructed
  - inventory_cache
options:
  plugin:
    description: The name of this plugin; makes the file an inventory source of this plugin.
    type: str
    required: true
    choices: [ispsystem.billmanager.licenses]
  include_deleted:
    description:
      - Also make hosts of deleted licenses (status V(deleted)).
    type: bool
    default: false
  include_parked:
    description:
      - Also make hosts of parked licenses (the reuse pool, IP C(0.0.0.0)); they all share the
        host C(0.0.0.0).
    type: bool
    default: false
  include_key:
    description:
      - Read each license's key (one C(soft.edit) call per license) and put it in
        C(billmanager_license.key) and C(billmanager_licenses[].key). Without it the key is null.
      - With O(cache=true) the keys are stored by the cache plugin too (a JSON file, say), so
        protect that storage as you would the keys.
    type: bool
    default: false
notes:
  - The host name is the license's IP, so Ansible connects to the licensed server itself; set
    C(ansible_host) with O(compose) to connect some other way.
  - A license without an IP (an order not yet bound to one) makes no host.
seealso:
  - module: ispsystem.billmanager.isp_license_info
  - module: ispsystem.billmanager.isp_license
'''

EXAMPLES = r'''
# The smallest source, prod.billmanager.yml (the credentials come from
# BILLMANAGER_USERNAME and BILLMANAGER_PASSWORD):
#
#   plugin: ispsystem.billmanager.licenses
#   api_url: https://my.billing.example.com/billmgr
#
# ansible-inventory -i prod.billmanager.yml --graph
#   @billmanager_product_ispmanager6_lite:
#     |--203.0.113.10
#   @billmanager_status_active:
#     |--203.0.113.10

# A source with keys too, a variable from the record, groups by expiry month,
# and a cache for an hour
plugin: ispsystem.billmanager.licenses
api_username: reseller
api_password: "{{ lookup('ansible.builtin.env', 'RESELLER_PASSWORD') }}"
include_key: true
compose:
  isp_license_key: billmanager_license.key
  license_ends: billmanager_license.expiredate
groups:
  renew_soon: billmanager_license.expiredate is not none and
    (billmanager_license.expiredate | to_datetime('%Y-%m-%d') - now()).days < 30
keyed_groups:
  - prefix: expires
    key: billmanager_license.expiredate[:7]
  - prefix: tariff
    key: billmanager_licenses | map(attribute='pricelist') | list
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible-inventory
cache_timeout: 3600
'''

from ansible.errors import AnsibleError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.display import Display

from ansible_collections.ispsystem.billmanager.plugins.module_utils._catalog import FAMILIES
from ansible_collections.ispsystem.billmanager.plugins.module_utils._client import HAS_REQUESTS
from ansible_collections.ispsystem.billmanager.plugins.module_utils._connection import (
    client_from_params, connection_problem, connection_warnings, read_password_file)
from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import BillmanagerError, LicenseError
from ansible_collections.ispsystem.billmanager.plugins.module_utils._input import normalize_ip
from ansible_collections.ispsystem.billmanager.plugins.module_utils._listing import list_licenses, read_license

try:
    # Ansible before 2.19: mark the API's strings unsafe, so that a license name holding
    # "{{ ... }}" is never templated. From 2.19 on, data from a plugin is untrusted anyway.
    from ansible.utils.unsafe_proxy import wrap_var
except ImportError:  # pragma: no cover - a future ansible-core without the module
    def wrap_var(value):
        return value

CONNECTION_OPTIONS = ('api_url', 'api_username', 'api_password', 'auth_method',
                      'validate_certs', 'ca_path', 'api_timeout', 'api_retries')
REQUIRED = (('api_username', 'BILLMANAGER_USERNAME'), ('api_password', 'BILLMANAGER_PASSWORD'))
VAR_PREFIX = 'billmanager_'

display = Display()


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = 'ispsystem.billmanager.licenses'

    def verify_file(self, path):
        """Accept only ``*billmanager.yml`` / ``*billmanager.yaml`` files."""
        return super(InventoryModule, self).verify_file(path) and \
            path.endswith(('billmanager.yml', 'billmanager.yaml'))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)

        cache_key = self.get_cache_key(path)
        use_cache = self.get_option('cache') and cache
        update_cache = self.get_option('cache') and not cache
        records = None
        if use_cache:
            try:
                records = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if records is None:
            records = self._fetch()
        if update_cache:
            self._cache[cache_key] = records
        self._populate(records)

    def get_cache_key(self, path):
        # The same source file against another billing system, account or key setting is
        # another inventory: keep their caches apart.
        account = '%s|%s|%s|%s' % (self.get_option('api_url'), self.get_option('api_username'),
                                   bool(self.get_option('include_key')),
                                   bool(self.get_option('include_deleted')))
        return '%s_%s' % (super(InventoryModule, self).get_cache_key(path),
                          self._get_cache_prefix(account)[1:])

    # -- reading ---------------------------------------------------------------

    def _connection_params(self):
        params = {}
        for name in CONNECTION_OPTIONS:
            value = self.get_option(name)
            if isinstance(value, str) and self.templar.is_template(value):
                # A source may say api_password: "{{ lookup('ansible.builtin.env', 'X') }}"
                value = self.templar.template(value)
            params[name] = value
        params['api_password'] = params['api_password'] or read_password_file()  # BILLMANAGER_PASSWORD_FILE
        missing = ['%s (or the environment variable %s)' % (name, env)
                   for name, env in REQUIRED if not params.get(name)]
        if missing:
            raise AnsibleError('The %s inventory plugin needs %s to read the licenses.'
                               % (self.NAME, ' and '.join(missing)))
        problem = connection_problem(params)
        if problem:
            raise AnsibleError('The %s inventory plugin cannot use its options: %s' % (self.NAME, problem))
        return params

    def _fetch(self):
        """Every license of the account as records (keys with include_key), by id."""
        params = self._connection_params()
        if not HAS_REQUESTS:
            raise AnsibleError('The %s inventory plugin needs the Python library requests on the '
                               'controller (pip install requests).' % self.NAME)
        for warning in connection_warnings(params):
            display.warning('%s: %s' % (self.NAME, warning))
        try:
            client = client_from_params(params)
            # Only licenses that make hosts: not deleted nor parked unless asked for; an IP-bound
            # license without its IP yet (ordered, not bound) is no server.
            records = [r for r in list_licenses(client).records
                       if (self.get_option('include_deleted') or r['status'] != 'deleted')
                       and (self.get_option('include_parked') or not r['parked'])
                       and (r['ip'] or not FAMILIES[r['family']].ip_bound)]
            if self.get_option('include_key'):
                records = [read_license(client, r) for r in records]
        except BillmanagerError as exc:
            # The client has already taken the password out of the message.
            raise AnsibleError('The %s inventory plugin could not read the licenses from %s: %s'
                               % (self.NAME, params['api_url'], exc))
        return sorted(records, key=lambda r: r['id'] or 0)

    # -- building ---------------------------------------------------------------

    def _populate(self, records):
        include_deleted = self.get_option('include_deleted')
        by_host = {}
        for record in records:
            if record.get('status') == 'deleted' and not include_deleted:
                continue
            if not self.get_option('include_key'):
                record = dict(record, key=None)
            by_host.setdefault(self._host_name(record), []).append(record)

        strict = self.get_option('strict')
        for host in sorted(by_host):
            licenses = sorted(by_host[host], key=lambda r: (r['status'] == 'deleted', r['id'] or 0))
            primary = licenses[0]
            licenses = sorted(licenses, key=lambda r: r['id'] or 0)
            self.inventory.add_host(host)
            self.inventory.set_variable(host, VAR_PREFIX + 'licname', wrap_var(primary['licname']))
            self.inventory.set_variable(host, VAR_PREFIX + 'license', wrap_var(primary))
            self.inventory.set_variable(host, VAR_PREFIX + 'licenses', wrap_var(licenses))
            for record in licenses:
                for group in self._groups_of(record):
                    self.inventory.add_group(group)
                    self.inventory.add_child(group, host)

            hostvars = self.inventory.get_host(host).get_vars()
            self._set_composite_vars(self.get_option('compose'), hostvars, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), hostvars, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), hostvars, host, strict=strict)

    @staticmethod
    def _host_name(record):
        """The IP in its canonical form, so that one address written two ways is one host;
        a license without an IP (platform) by its licname, else ``license<id>``."""
        ip = record.get('ip')
        if not ip:
            return record.get('licname') or 'license%s' % record.get('id')
        try:
            return normalize_ip('ip', ip)
        except LicenseError:
            return ip

    def _groups_of(self, record):
        if record.get('product'):
            tariff = 'product_%s' % record['product']
        else:
            tariff = 'pricelist_%s' % (record.get('pricelist') or 'unknown')
        return [self._sanitize_group_name(VAR_PREFIX + name)
                for name in (tariff, 'family_%s' % (record.get('family') or 'soft'),
                             'status_%s' % (record.get('status') or 'unknown'))]
