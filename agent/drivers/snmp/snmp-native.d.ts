// Types for the part of snmp-native 1.2.0 (CommonJS, untyped) in use: the BER
// codec (the SNMP driver; transport.ts says why not its Session) and Session
// (the snmpd test peer's readiness probe).
declare module "snmp-native" {
  namespace snmpNative {
    interface VarBind {
      oid: number[];
      /** BER tag: 2 Integer, 4 OctetString, 65 Counter32, 66 Gauge32, 67 TimeTicks, 70 Counter64, 128/129/130 exceptions. */
      type: number;
      /** Decoded value; Counter64 above 2^53 is rounded here: use valueRaw. */
      value: unknown;
      /** The value's BER content octets, exact. */
      valueRaw: Buffer;
    }
    interface Pdu {
      type: number;
      reqid: number;
      error: number;
      errorIndex: number;
      varbinds: Array<Pick<VarBind, "oid" | "type" | "value">>;
    }
    interface Packet {
      version: number;
      community: string;
      pdu: Pdu;
    }
    interface ParsedPacket extends Packet {
      pdu: Pdu & { varbinds: VarBind[] };
    }
    interface SessionOptions {
      host: string;
      port: number;
      community: string;
      /** Per-attempt timeouts, ms; the error after the last one is "Timeout". */
      timeouts: number[];
    }
    interface Session {
      get(options: { oid: number[] }, callback: (err: Error | null, varbinds?: VarBind[]) => void): void;
      close(): void;
      /** Parse errors are emitted here: without a listener they crash the process. */
      on(event: "error", listener: (err: Error) => void): this;
    }
  }
  const snmpNative: {
    Packet: new () => snmpNative.Packet;
    Session: new (options: snmpNative.SessionOptions) => snmpNative.Session;
    encode(pkt: snmpNative.Packet): Buffer;
    parse(buf: Buffer): snmpNative.ParsedPacket;
    Versions: { SNMPv1: number; SNMPv2c: number };
    PduTypes: Record<string, number>;
    DataTypes: Record<string, number>;
    Errors: Record<string, number>;
  };
  export = snmpNative;
}
