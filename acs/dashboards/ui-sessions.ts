// Dashboard sessions. One logs in with an API token (acs/api/tokens.ts): the
// token is the identity (its name is the audit actor) and its role the rights,
// so the dashboards need no user store of their own and a revoked token ends
// its sessions. The session keeps the token in memory only, to call the API on
// the user's behalf; the browser holds a random session id in an HttpOnly,
// SameSite=Strict cookie, plus a CSRF token it must echo on every change.
// Sessions live in this process: a restart asks users to log in again.

import { randomBytes } from "node:crypto";
import type { Role } from "../store/store.ts";

export interface UiSession {
  readonly id: string;
  readonly csrf: string;
  /** The API token in clear: never logged, never sent to the browser. */
  readonly token: string;
  readonly tokenHash: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: number;
  lastSeenAt: number;
}

export interface UiSessionLimits {
  /** A session unused this long ends (a wall screen's open live socket counts as use). */
  idleMs: number;
  /** A session ends this long after login, used or not. */
  maxAgeMs: number;
  /** Most sessions kept; the least recently used one goes first. */
  max: number;
}

export const DEFAULT_SESSION_LIMITS: UiSessionLimits = { idleMs: 12 * 3_600_000, maxAgeMs: 7 * 86_400_000, max: 10_000 };

export class UiSessions {
  /** Map order is recency of use. */
  private readonly byId = new Map<string, UiSession>();
  private readonly endListeners = new Set<(s: UiSession) => void>();

  constructor(private readonly limits: UiSessionLimits = DEFAULT_SESSION_LIMITS) {}

  create(token: { clear: string; hash: string; name: string; role: Role }, now: number = Date.now()): UiSession {
    if (this.byId.size >= this.limits.max) this.end(this.byId.values().next().value!);
    const session: UiSession = {
      id: randomBytes(32).toString("base64url"),
      csrf: randomBytes(32).toString("base64url"),
      token: token.clear,
      tokenHash: token.hash,
      name: token.name,
      role: token.role,
      createdAt: now,
      lastSeenAt: now,
    };
    this.byId.set(session.id, session);
    return session;
  }

  /** The live session with this id (its use recorded), or null when unknown or expired. */
  use(id: string, now: number = Date.now()): UiSession | null {
    const s = this.byId.get(id);
    if (!s) return null;
    if (now - s.lastSeenAt > this.limits.idleMs || now - s.createdAt > this.limits.maxAgeMs) {
      this.end(s);
      return null;
    }
    s.lastSeenAt = now;
    this.byId.delete(id);
    this.byId.set(id, s);
    return s;
  }

  end(s: UiSession): void {
    if (!this.byId.delete(s.id)) return;
    for (const listener of this.endListeners) listener(s);
  }

  /** Ends every session opened with this token (revoked). */
  endByTokenHash(hash: string): void {
    for (const s of [...this.byId.values()]) if (s.tokenHash === hash) this.end(s);
  }

  onEnd(listener: (s: UiSession) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  get size(): number {
    return this.byId.size;
  }
}
