// API tokens: random bearer secrets shown once at creation; the store keeps
// only their SHA-256, so a database leak does not hand out API access.

import { createHash, randomBytes } from "node:crypto";
import type { ApiToken, Role, Store } from "../store/store.ts";

export const ROLES: readonly Role[] = ["noc", "support", "admin"];
const TOKEN_NAME = /^[A-Za-z0-9._@-]{1,64}$/;

export const hashToken = (token: string): string => createHash("sha256").update(token).digest("hex");

export class TokenError extends Error {
  override name = "TokenError";
}

/** Creates a token and returns it in clear: the only time it is ever available. */
export async function createApiToken(store: Store, name: string, role: Role, now: number = Date.now()): Promise<{ token: string; record: ApiToken }> {
  if (!TOKEN_NAME.test(name)) throw new TokenError(`token name must be 1-64 letters, digits, ".", "_", "@" or "-" (got "${name}")`);
  if (!ROLES.includes(role)) throw new TokenError(`role must be one of ${ROLES.join(", ")} (got "${role}")`);
  if ((await store.listTokens()).some((t) => t.name === name)) throw new TokenError(`a token named "${name}" already exists: revoke it first`);
  const token = `flx_${randomBytes(32).toString("base64url")}`;
  const record: ApiToken = { name, role, hash: hashToken(token), createdAt: now };
  await store.addToken(record);
  return { token, record };
}

/**
 * First start: with no token at all the API would be unusable, so an admin
 * token named "admin" is created and returned for the caller to print once.
 * Returns null when tokens exist (or another instance created one first).
 */
export async function createInitialAdminToken(store: Store): Promise<string | null> {
  if ((await store.listTokens()).length > 0) return null;
  try {
    return (await createApiToken(store, "admin", "admin")).token;
  } catch (err) {
    if ((await store.listTokens()).length > 0) return null;
    throw err;
  }
}
