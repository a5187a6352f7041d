// Query strings of the API's list endpoints, one definition for all: only
// the parameters an endpoint names are accepted (an unknown one is a 400
// naming it), and pages are offset + limit with the same bounds everywhere.

export const OFFSET_QUERY = { type: "integer", minimum: 0, default: 0 } as const;
export const LIMIT_QUERY = { type: "integer", minimum: 1, maximum: 1000, default: 100 } as const;
export const PAGE_QUERY = { offset: OFFSET_QUERY, limit: LIMIT_QUERY } as const;

/** A query-string schema accepting exactly `properties`. */
export const queryOnly = <P extends object>(properties: P) => ({ type: "object", additionalProperties: false, properties }) as const;
