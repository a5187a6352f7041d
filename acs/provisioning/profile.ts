// A loaded firmware profile: the definition from its file plus what the loader
// resolved (every mapped parameter's data-model definition), and the error a
// bad profile stops start-up with.
import type { BbfParam } from "../../agent/datamodel/schema.ts";
import type { ProfileDefinition } from "../../firmware-profiles/lib/types.ts";

export interface ResolvedParameter {
  /** From the BBF extract, or built from the profile's vendorParameters for X_ paths. */
  def: BbfParam;
  /** For enumerationRef parameters (ModeEnabled → ModesSupported): the target's enumeration. */
  allowed?: readonly string[];
}

export interface Profile extends ProfileDefinition {
  /** Source file the profile was loaded from. */
  readonly file: string;
  /** Mapped parameter path → its definition. */
  readonly parameters: ReadonlyMap<string, ResolvedParameter>;
}

/** A profile that cannot be used: names the file, the field and the reason. */
export class ProfileError extends Error {
  readonly code = "FLX_ERR_PROFILE";
  constructor(
    readonly file: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${file}: ${field}: ${reason}`);
    this.name = "ProfileError";
  }
}
