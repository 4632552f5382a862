import assert from 'node:assert/strict';
import { test } from 'node:test';
import { identityFromCertificate, IdentityError } from '../gateway/identity.ts';

const opts = { trustDomain: 'cirt.local', allowCommonName: false };

test('the agency and agent come from the SPIFFE SAN URI', () => {
  const id = identityFromCertificate({ subject: { CN: 'ignored.other' }, subjectaltname: 'DNS:x, URI:spiffe://cirt.local/agency/moh/agent/agent-01', serialNumber: 'ab01', valid_to: 'Mar  1 12:00:00 2028 GMT' }, opts);
  assert.deepEqual(id, { agency: 'moh', agent: 'agent-01', serial: 'AB01', validTo: '2028-03-01T12:00:00.000Z' });
});

test('a SAN from another trust domain or with a bad shape is refused with a code', () => {
  assert.throws(() => identityFromCertificate({ subjectaltname: 'URI:spiffe://evil.local/agency/moh/agent/a' }, opts), (e: IdentityError) => e.code === 'ERR_GATEWAY_BAD_IDENTITY');
  assert.throws(() => identityFromCertificate({ subjectaltname: 'URI:spiffe://cirt.local/agency/MOH/agent/a' }, opts), /is not spiffe/);
  assert.throws(() => identityFromCertificate({ subjectaltname: 'URI:spiffe://cirt.local/agency/moh/../agent/a' }, opts), /is not spiffe/);
});

test('no certificate at all is ERR_GATEWAY_NO_CLIENT_CERT', () => {
  assert.throws(() => identityFromCertificate(undefined, opts), (e: IdentityError) => e.code === 'ERR_GATEWAY_NO_CLIENT_CERT');
  assert.throws(() => identityFromCertificate({}, opts), (e: IdentityError) => e.code === 'ERR_GATEWAY_NO_CLIENT_CERT');
});

test('CN "<agent>.<agency>" is accepted only when configured', () => {
  const cert = { subject: { CN: 'agent-07.mofa' }, subjectaltname: 'DNS:agent' };
  assert.throws(() => identityFromCertificate(cert, opts), (e: IdentityError) => e.code === 'ERR_GATEWAY_BAD_IDENTITY');
  assert.deepEqual(identityFromCertificate(cert, { ...opts, allowCommonName: true }), { agency: 'mofa', agent: 'agent-07', serial: '', validTo: undefined });
});
