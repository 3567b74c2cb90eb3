import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tlsReason } from './tls-reason.ts';

test('tlsReason: verify codes and server alerts get a reason and a fix; others none', () => {
  assert.match(tlsReason('CERT_HAS_EXPIRED') ?? '', /expired.*certs issue/);
  assert.match(tlsReason('UNABLE_TO_VERIFY_LEAF_SIGNATURE') ?? '', /not signed by a CA.*tls\.ca_file/);
  assert.match(tlsReason('SELF_SIGNED_CERT_IN_CHAIN') ?? '', /tls\.ca_file/);
  assert.match(tlsReason('ERR_TLS_CERT_ALTNAME_INVALID') ?? '', /host/);
  assert.match(
    tlsReason('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED') ?? '',
    /got none.*couchmesh certs issue/,
  );
  assert.match(tlsReason('ERR_TLS_CLIENT_CERT_REFUSED') ?? '', /refused our client certificate.*mesh CA/);
  assert.match(tlsReason('ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED') ?? '', /client certificate as expired/);
  assert.match(tlsReason('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA') ?? '', /does not trust our client certificate/);
  assert.equal(tlsReason('EPROTO'), undefined);
});
