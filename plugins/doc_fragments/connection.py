# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    # The connection options of every module (see options.connection_argument_spec).
    DOCUMENTATION = r'''
options:
  api_url:
    description:
      - URL of the BILLmanager API endpoint that sells the licenses.
      - Any reseller can run its own BILLmanager; ISPsystem's own are
        C(https://api.ispsystem.com/manager/billmgr) and C(https://api.ispmanager.com/billmgr).
      - A URL with credentials in it (C(https://user:password@...)) is refused before any call;
        give them in O(api_username) and O(api_password).
      - An C(http://) URL works, but the task warns that the password travels in clear text,
        unless the host is this machine (C(localhost), C(127.0.0.0/8), C(::1)).
      - If not set, the environment variable E(BILLMANAGER_URL) is used.
    type: str
    default: https://api.ispsystem.com/manager/billmgr
  api_username:
    description:
      - User name of the reseller's account in the billing system.
      - Required. If not set, the environment variable E(BILLMANAGER_USERNAME) is used; when
        neither is there, the task fails and names both.
    type: str
  api_password:
    description:
      - Password of O(api_username). It is sent in the body of a POST request, never in a URL,
        and never appears in the output of a task.
      - Required. If not set, the environment variable E(BILLMANAGER_PASSWORD) is used.
      - If that is not set either, the password is read from the file that the environment
        variable E(BILLMANAGER_PASSWORD_FILE) names (one trailing newline is not part of it).
        This keeps the password out of a process environment that gets recorded, such as
        AWX's job artifacts; the collection's AWX credential type injects it that way.
      - When none of them gives a password, the task fails and names all three.
    type: str
  auth_method:
    description:
      - V(authinfo) sends the credentials with every request.
      - V(session) logs in once (C(func=auth)) and sends the session id; an expired
        session is renewed once, transparently.
      - If not set, the environment variable E(BILLMANAGER_AUTH_METHOD) is used.
    type: str
    choices: [authinfo, session]
    default: authinfo
  validate_certs:
    description:
      - Whether to check the TLS certificate of O(api_url). Set to V(false) only for a
        test system; the task then warns.
      - If not set, the environment variable E(BILLMANAGER_VALIDATE_CERTS) is used.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file with the CA certificate(s) that signed the certificate of O(api_url),
        for a billing system with a private CA.
      - If not set, the environment variable E(BILLMANAGER_CA_PATH) is used.
    type: path
  api_timeout:
    description:
      - Seconds to wait for each answer of the API.
      - If not set, the environment variable E(BILLMANAGER_TIMEOUT) is used.
    type: int
    default: 30
  api_retries:
    description:
      - How many times a read-only call is tried again after a connection error, a
        timeout or an HTTP 5xx answer. The pauses grow and are random (at least half a
        second, then full jitter below 2, 4 and 8 seconds), so that parallel tasks do not
        retry in lockstep.
      - Calls that change something (orders, renewals, edits, suspend, resume, delete)
        are never repeated, because an order costs money. When their answer is lost, the
        module reads the license again to find out what happened.
      - If not set, the environment variable E(BILLMANAGER_RETRIES) is used.
    type: int
    default: 3
requirements:
  - requests (on the host that talks to the API)
'''

    # The same connection options for the inventory plugin, which reads them
    # with get_option: the environment variables are config sources here
    # (env: entries), not module fallbacks.  api_username and api_password are
    # not marked required, so that the plugin can name both ways to set them
    # when one is missing.
    INVENTORY = r'''
options:
  api_url:
    description:
      - URL of the BILLmanager API endpoint that sells the licenses.
      - Any reseller can run its own BILLmanager; ISPsystem's own are
        C(https://api.ispsystem.com/manager/billmgr) and C(https://api.ispmanager.com/billmgr).
      - A URL with credentials in it (C(https://user:password@...)) is refused; an C(http://)
        URL to another host than this one makes the plugin warn that the password travels in
        clear text.
    type: str
    default: https://api.ispsystem.com/manager/billmgr
    env:
      - name: BILLMANAGER_URL
  api_username:
    description:
      - User name of the reseller's account in the billing system.
      - Required, in the inventory source or in the environment.
    type: str
    env:
      - name: BILLMANAGER_USERNAME
  api_password:
    description:
      - Password of O(api_username). It is sent in the body of a POST request, never in a URL,
        and never appears in an error message.
      - Required, in the inventory source or in the environment. Keep it out of the inventory
        source file, or encrypt it with Ansible Vault.
      - When neither is set, the password is read from the file that the environment variable
        E(BILLMANAGER_PASSWORD_FILE) names (one trailing newline is not part of it), as the
        collection's AWX credential type injects it.
    type: str
    env:
      - name: BILLMANAGER_PASSWORD
  auth_method:
    description:
      - V(authinfo) sends the credentials with every request.
      - V(session) logs in once (C(func=auth)) and sends the session id.
    type: str
    choices: [authinfo, session]
    default: authinfo
    env:
      - name: BILLMANAGER_AUTH_METHOD
  validate_certs:
    description:
      - Whether to check the TLS certificate of O(api_url). Set to V(false) only for a
        test system.
    type: bool
    default: true
    env:
      - name: BILLMANAGER_VALIDATE_CERTS
  ca_path:
    description:
      - A PEM file with the CA certificate(s) that signed the certificate of O(api_url),
        for a billing system with a private CA.
    type: path
    env:
      - name: BILLMANAGER_CA_PATH
  api_timeout:
    description:
      - Seconds to wait for each answer of the API.
    type: int
    default: 30
    env:
      - name: BILLMANAGER_TIMEOUT
  api_retries:
    description:
      - How many times a read is tried again after a connection error, a timeout or an
        HTTP 5xx answer, after growing random pauses. The plugin only reads.
    type: int
    default: 3
    env:
      - name: BILLMANAGER_RETRIES
requirements:
  - requests (on the controller)
'''
