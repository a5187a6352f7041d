// Every message kind mapped to its codec; the mapped type makes a missing kind a compile error.
import type { CwmpKind, CwmpMessage } from "../messages.ts";
import { cpeRequestCodecs } from "./cpe-requests.ts";
import { deviceControlCodecs } from "./device-control.ts";
import { faultCodecs } from "./fault.ts";
import { parameterCodecs } from "./parameters.ts";
import type { Codecs, MessageCodec } from "./types.ts";
import type { WriteOptions } from "./write.ts";

const CODECS: Codecs<CwmpKind> = {
  ...cpeRequestCodecs,
  ...parameterCodecs,
  ...deviceControlCodecs,
  ...faultCodecs,
};

/** The codec for a Body element's local name, or undefined for a method we do not know. */
export function codecFor(wireName: string): MessageCodec<CwmpKind> | undefined {
  // Widened on purpose: the wire name picks the codec, so its read/write agree on the kind.
  return Object.hasOwn(CODECS, wireName) ? (CODECS[wireName as CwmpKind] as MessageCodec<CwmpKind>) : undefined;
}

export function writeBody(msg: CwmpMessage, o: WriteOptions): string {
  const codec = codecFor(msg.kind);
  if (!codec) throw new TypeError(`cannot serialise unknown message kind ${JSON.stringify(msg.kind)}`);
  return codec.write(msg, o);
}
