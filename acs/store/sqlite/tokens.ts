// API tokens (only their SHA-256 is stored). Contract decisions (checked by the
// contract suite): addToken rejects a name already in use; listTokens is sorted by name.

import type { ApiToken } from "../store.ts";
import type { Db } from "./sql-util.ts";

export class TokenTable {
  private readonly insert;
  private readonly byHash;
  private readonly all;
  private readonly deleteRow;

  constructor(db: Db) {
    this.insert = db.prepare<[string, string, string, number], unknown>(
      "INSERT INTO tokens (name, role, hash, created_at) VALUES (?, ?, ?, ?)",
    );
    const select = "SELECT name, role, hash, created_at AS createdAt FROM tokens";
    this.byHash = db.prepare<[string], ApiToken>(`${select} WHERE hash = ?`);
    this.all = db.prepare<[], ApiToken>(`${select} ORDER BY name`);
    this.deleteRow = db.prepare<[string], unknown>("DELETE FROM tokens WHERE name = ?");
  }

  add(token: ApiToken): void {
    try {
      this.insert.run(token.name, token.role, token.hash, token.createdAt);
    } catch (err) {
      if ((err as { code?: string }).code?.startsWith("SQLITE_CONSTRAINT")) {
        throw new Error(`API token "${token.name}" already exists (or its hash is in use)`, { cause: err });
      }
      throw err;
    }
  }

  findByHash(hash: string): ApiToken | null {
    return this.byHash.get(hash) ?? null;
  }

  list(): ApiToken[] {
    return this.all.all();
  }

  delete(name: string): boolean {
    return this.deleteRow.run(name).changes > 0;
  }
}
