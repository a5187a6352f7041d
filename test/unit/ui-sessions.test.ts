// Dashboard sessions: idle and absolute expiry, the size bound, ending all
// sessions of a revoked token, and the end listeners the live channel uses.

import { expect, test } from "vitest";
import { UiSessions } from "../../acs/dashboards/ui-sessions.ts";

const token = (name: string) => ({ clear: `flx_${name}`, hash: `hash-${name}`, name, role: "noc" as const });

test("a session ends after idleMs without use, and after maxAgeMs in any case", () => {
  const sessions = new UiSessions({ idleMs: 1000, maxAgeMs: 5000, max: 10 });
  const s = sessions.create(token("a"), 0);
  expect(sessions.use(s.id, 900)).toBe(s);
  expect(sessions.use(s.id, 1800)).toBe(s); // 900 ms after its last use
  expect(sessions.use(s.id, 2801)).toBeNull(); // 1001 ms idle
  const t = sessions.create(token("b"), 0);
  for (let now = 900; now <= 4500; now += 900) expect(sessions.use(t.id, now)).toBe(t);
  expect(sessions.use(t.id, 5001)).toBeNull();
  expect(sessions.size).toBe(0);
});

test("ids and CSRF tokens are random and distinct; the least recently used session goes first when full", () => {
  const ended: string[] = [];
  const sessions = new UiSessions({ idleMs: 1e9, maxAgeMs: 1e9, max: 2 });
  sessions.onEnd((s) => ended.push(s.name));
  const a = sessions.create(token("a"), 0);
  const b = sessions.create(token("b"), 0);
  expect(a.id).not.toBe(b.id);
  expect(a.csrf).not.toBe(a.id);
  expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
  sessions.use(a.id, 1);
  sessions.create(token("c"), 2);
  expect(ended).toEqual(["b"]);
  expect(sessions.use(a.id, 3)).toBe(a);
});

test("endByTokenHash ends every session of that token only", () => {
  const sessions = new UiSessions({ idleMs: 1e9, maxAgeMs: 1e9, max: 10 });
  const a1 = sessions.create(token("a"), 0);
  const a2 = sessions.create(token("a"), 0);
  const b = sessions.create(token("b"), 0);
  sessions.endByTokenHash("hash-a");
  expect([sessions.use(a1.id, 1), sessions.use(a2.id, 1), sessions.use(b.id, 1)]).toEqual([null, null, b]);
});
