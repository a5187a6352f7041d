// What /api/rentals returns for each rental record (times as ISO 8601 UTC,
// money in integer cents), and the request schemas of its routes.

import { RENTAL_STATES } from "../rentals/lifecycle.ts";
import { ACTION_TARGETS, RETURN_CONDITIONS } from "../rentals/router-actions.ts";
import type {
  Charge, ChargeEvidence, ContactEvidence, ContractEventRecord, ExportBatchSummary, FlaggingRun, RentalContact, RentalRouter,
  RentalTransition, Reversal, ReviewFlag,
} from "../rentals/rental-repository.ts";
import { LIMIT_QUERY, queryOnly } from "./list-query.ts";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export const routerView = (r: RentalRouter) => ({ ...r, createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt) });

export const transitionView = ({ key: _key, ...t }: RentalTransition) => ({ ...t, at: iso(t.at) });

const contactEvidenceView = (c: ContactEvidence) => ({ ...c, firstAt: iso(c.firstAt), lastAt: iso(c.lastAt) });
export const contactView = (c: RentalContact) => ({ ...c, firstAt: iso(c.firstAt), lastAt: iso(c.lastAt) });

const evidenceView = (e: ChargeEvidence) => {
  const rec = (r: ChargeEvidence["shipping"]) => r && { ...r, at: iso(r.at) };
  return { ...e, shipping: rec(e.shipping), dueBack: rec(e.dueBack), returns: e.returns.map(rec), contactsAfterDue: e.contactsAfterDue.map(contactEvidenceView) };
};

export const chargeView = (c: Charge) => ({ ...c, flaggedAt: iso(c.flaggedAt), statusAt: iso(c.statusAt), evidence: evidenceView(c.evidence) });
export const reversalView = (r: Reversal) => ({ ...r, at: iso(r.at) });
export const eventView = (e: ContractEventRecord) => ({ ...e, receivedAt: iso(e.receivedAt) });
export const reviewView = (f: ReviewFlag) => ({ ...f, at: iso(f.at) });
export const runView = (r: FlaggingRun) => ({ ...r, startedAt: iso(r.startedAt), finishedAt: iso(r.finishedAt) });
export const batchSummaryView = (b: ExportBatchSummary) => ({ ...b, createdAt: iso(b.createdAt) });

const id = { type: "string", minLength: 1, maxLength: 128 } as const;
const text = { type: "string", minLength: 1, maxLength: 500 } as const;

export const SERIAL_PARAMS = { type: "object", properties: { serial: id }, required: ["serial"] } as const;
export const ID_PARAMS = { type: "object", properties: { id }, required: ["id"] } as const;

export const ROUTER_LIST_QUERY = queryOnly({ state: { type: "string", enum: [...RENTAL_STATES] }, lineId: id, subscriberId: id, after: id, limit: LIMIT_QUERY });

export const NEW_ROUTERS_BODY = {
  type: "object",
  additionalProperties: false,
  required: ["routers"],
  properties: {
    routers: {
      type: "array", minItems: 1, maxItems: 1000,
      items: {
        type: "object", additionalProperties: false, required: ["serial", "mac", "model"],
        properties: {
          serial: { type: "string", pattern: "^[A-Za-z0-9._-]{1,64}$" },
          mac: { type: "string", pattern: "^[0-9A-Fa-f]{2}([:-]?[0-9A-Fa-f]{2}){5}$" },
          model: { type: "string", minLength: 1, maxLength: 64 },
        },
      },
    },
  },
} as const;

export const TRANSITION_BODY = {
  type: "object",
  additionalProperties: false,
  required: ["to"],
  properties: {
    to: { type: "string", enum: [...ACTION_TARGETS] },
    condition: { type: "string", enum: [...RETURN_CONDITIONS] },
    reason: text, note: text, tracking: { type: "string", minLength: 1, maxLength: 64 }, reference: { type: "string", minLength: 1, maxLength: 128 },
    lineId: id, subscriberId: id,
  },
  allOf: [
    { if: { properties: { to: { const: "returned" } } }, then: { required: ["condition"] } },
    { if: { properties: { to: { const: "waived" } } }, then: { required: ["reason"] } },
  ],
} as const;

export interface TransitionBody {
  to: (typeof ACTION_TARGETS)[number];
  condition?: (typeof RETURN_CONDITIONS)[number];
  reason?: string;
  note?: string;
  tracking?: string;
  reference?: string;
  lineId?: string;
  subscriberId?: string;
}

export const CHARGE_LIST_QUERY = queryOnly({ status: { type: "string", enum: ["flagged", "exported", "paid", "waived", "reversed"] }, serial: id, after: id, limit: LIMIT_QUERY });

export const EVENT_LIST_QUERY = queryOnly({ lineId: id, limit: LIMIT_QUERY });
export const LIMIT_ONLY_QUERY = queryOnly({ limit: LIMIT_QUERY });
export const REVIEW_QUERY = queryOnly({ serial: id, limit: LIMIT_QUERY });
export const IMPORT_QUERY = queryOnly({ goodRowsOnly: { type: "boolean", default: false } });
export const FORMAT_QUERY = queryOnly({ format: { type: "string", enum: ["csv", "json"] } });
