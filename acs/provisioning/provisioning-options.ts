// What the provisioning source is built from: its dependencies and the
// operator's choices (intervals, drift policies, verification, retries).
import type { LineRepository } from "../lines/line-repository.ts";
import type { RetryPolicy } from "../tasks/retry-policy.ts";
import type { RentalLookup } from "./device-standing.ts";
import type { ProfileRegistry } from "./profile-registry.ts";
import type { DriftPolicies } from "./reconcile.ts";

export interface ProvisioningOptions {
  /** Base periodic Inform interval in seconds (default: the profile's, else 3600). */
  periodicInformInterval?: number;
  /** Per-device deterministic spread of the interval, ± this fraction (default 0.1). */
  informJitter?: number;
  /** NTP servers (default: the profile's). */
  ntpServers?: string[];
  /** POSIX TZ (default: the catalogue's Europe/Paris). */
  timeZone?: string;
  /** Drift check interval for PERIODIC sessions (default 24 h; a BOOT always checks). */
  driftCheckIntervalMs?: number;
  /** Enforce or report drift, per key or key prefix (default: Wi-Fi reported, the rest enforced). */
  driftPolicies?: DriftPolicies;
  /** Read the settings back after a set (default true); false relies on the status and ParameterKey alone. */
  verify?: boolean;
  retry?: RetryPolicy;
}

export interface ProvisioningDeps {
  lines: LineRepository;
  profiles: ProfileRegistry;
  /** The rented-router inventory, to tell returned or charged routers (optional: without it they count as unknown). */
  rentals?: RentalLookup;
  /** The CWMP Digest realm: the CPE credential is stored as its HA1. */
  realm: string;
  options?: ProvisioningOptions;
}
