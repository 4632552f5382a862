// Who is on the other end of an mTLS connection: the agency and agent come from the client certificate
// (SAN URI spiffe://<trust-domain>/agency/<agency>/agent/<agent>, or optionally CN "<agent>.<agency>"),
// never from the payload. Pure: takes the peer certificate's fields, returns an identity or an error.
import { CirtError } from '../../proto/errors.ts';

export class IdentityError extends CirtError {}

export interface PeerIdentity {
  agency: string;
  agent: string;
  /** The certificate's serial number (hex), for deny lists and audit. */
  serial: string;
  /** Certificate expiry (ISO), reported in agency health. */
  validTo?: string;
}

export interface IdentityOptions {
  trustDomain: string;
  /** Accept CN "<agent>.<agency>" when the certificate has no SPIFFE SAN. */
  allowCommonName: boolean;
}

export interface PeerCertificateFields {
  subject?: { CN?: string | string[] };
  subjectaltname?: string;
  serialNumber?: string;
  valid_to?: string;
}

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function identityFromCertificate(cert: PeerCertificateFields | undefined, opts: IdentityOptions): PeerIdentity {
  if (!cert || (!cert.subject && !cert.subjectaltname)) {
    throw new IdentityError('ERR_GATEWAY_NO_CLIENT_CERT', 'the connection presented no client certificate');
  }
  const serial = (cert.serialNumber ?? '').toUpperCase();
  const validTo = cert.valid_to ? toIso(cert.valid_to) : undefined;
  const prefix = `URI:spiffe://${opts.trustDomain}/`;
  for (const entry of (cert.subjectaltname ?? '').split(',').map((s) => s.trim())) {
    if (!entry.startsWith(prefix)) continue;
    const m = /^agency\/([^/]+)\/agent\/([^/]+)$/.exec(entry.slice(prefix.length));
    if (m && NAME.test(m[1]!) && NAME.test(m[2]!)) return { agency: m[1]!, agent: m[2]!, serial, validTo };
    throw new IdentityError('ERR_GATEWAY_BAD_IDENTITY', `certificate SAN '${entry}' is not spiffe://${opts.trustDomain}/agency/<agency>/agent/<agent>`);
  }
  if (opts.allowCommonName) {
    const cn = Array.isArray(cert.subject?.CN) ? cert.subject?.CN[0] : cert.subject?.CN;
    const m = cn ? /^([^.]+)\.([^.]+)$/.exec(cn) : null;
    if (m && NAME.test(m[1]!) && NAME.test(m[2]!)) return { agency: m[2]!, agent: m[1]!, serial, validTo };
  }
  throw new IdentityError('ERR_GATEWAY_BAD_IDENTITY', `client certificate carries no agent identity (expected SAN URI spiffe://${opts.trustDomain}/agency/<agency>/agent/<agent>)`);
}

function toIso(opensslDate: string): string | undefined {
  const d = new Date(opensslDate);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
