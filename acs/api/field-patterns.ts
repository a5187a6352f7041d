// Patterns used in the API's JSON schemas, each with the phrase a client sees
// when a value does not match (ajv would only print the regular expression).

export interface FieldPattern {
  pattern: string;
  phrase: string;
}

const SEGMENTS = "[A-Za-z_][A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]+)*";

export const PARAMETER_PATH: FieldPattern = { pattern: `^${SEGMENTS}$`, phrase: "must be a parameter path (e.g. Device.WiFi.SSID.1.SSID)" };
export const ANY_PATH: FieldPattern = { pattern: `^${SEGMENTS}\\.?$`, phrase: "must be a parameter or object path (e.g. Device.WiFi. or Device.WiFi.SSID.1.SSID)" };
export const OBJECT_PATH: FieldPattern = { pattern: `^${SEGMENTS}\\.$`, phrase: "must be an object path ending with \".\" (e.g. Device.IP.Interface.)" };
export const FILE_TYPE: FieldPattern = { pattern: "^([1-9] |X ).+$", phrase: "must be a TR-069 file type such as \"1 Firmware Upgrade Image\"" };
export const TRANSFER_URL: FieldPattern = { pattern: "^(https?|ftp)://[^\\s]+$", phrase: "must be an http, https or ftp URL" };

const PHRASES = new Map([PARAMETER_PATH, ANY_PATH, OBJECT_PATH, FILE_TYPE, TRANSFER_URL].map((p) => [p.pattern, p.phrase]));

export const phraseForPattern = (pattern: string): string | undefined => PHRASES.get(pattern);
