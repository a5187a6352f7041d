// Connection Request authentication (TR-069 §3.2.2): Digest only, with
// stateless signed nonces so one fleet-wide server needs no nonce table.

import {
  checkNonce,
  formatChallenge,
  ha1Of,
  makeNonce,
  parseDigestAuthorization,
  safeEqual,
  verifyDigest,
} from "../../acs/cwmp/digest.ts";

export const CR_REALM = "FlexACS-agent";
/** A nonce older than this is answered with stale=true (the ACS retries without asking its user). */
export const CR_NONCE_MAX_AGE_MS = 5 * 60_000;

export type CrAuthResult = { ok: true } | { ok: false; challenge: string };

export interface CrAuthInput {
  authorization: string | undefined;
  method: string;
  /** Request-target as received (path and query). */
  url: string;
  username: string;
  password: string;
  secret: string;
  now?: number;
}

export function checkConnectionRequest(i: CrAuthInput): CrAuthResult {
  const now = i.now ?? Date.now();
  const challenge = (stale = false): CrAuthResult => ({ ok: false, challenge: formatChallenge({ realm: CR_REALM, nonce: makeNonce(i.secret, now), stale }) });
  const c = i.authorization ? parseDigestAuthorization(i.authorization) : null;
  if (!c || c.realm !== CR_REALM || !safeEqual(c.username, i.username) || c.uri !== i.url) return challenge();
  const nonce = checkNonce(i.secret, c.nonce, CR_NONCE_MAX_AGE_MS, now);
  if (nonce === "invalid") return challenge();
  if (!verifyDigest(ha1Of(i.username, CR_REALM, i.password), i.method, c)) return challenge();
  return nonce === "stale" ? challenge(true) : { ok: true };
}
