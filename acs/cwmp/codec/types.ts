import type { CwmpKind, CwmpMessage } from "../messages.ts";
import type { Reader } from "./read.ts";
import type { WriteOptions } from "./write.ts";

export type MessageOf<K extends CwmpKind> = Extract<CwmpMessage, { kind: K }>;

/** Reads and writes one Body element. The wire element name equals the message kind. */
export interface MessageCodec<K extends CwmpKind> {
  read(r: Reader): MessageOf<K>;
  /** The complete Body child element, arguments in XSD sequence order. */
  write(msg: MessageOf<K>, o: WriteOptions): string;
}

export type Codecs<K extends CwmpKind> = { [P in K]: MessageCodec<P> };
