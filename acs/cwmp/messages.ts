// Typed CWMP messages, shared by the ACS and the agent. Field names and order
// follow the BBF schemas (cwmp-1-2.xsd, extended by 1-3 and 1-4) so that the
// codec can serialise a message by walking its fields in declaration order.

/** xsi:type of a parameter value as it travels on the wire. */
export type XsdType =
  | "xsd:string"
  | "xsd:int"
  | "xsd:unsignedInt"
  | "xsd:long"
  | "xsd:unsignedLong"
  | "xsd:boolean"
  | "xsd:dateTime"
  | "xsd:base64"
  | "xsd:hexBinary";

/** Values stay strings end to end: 64-bit counters would lose precision as numbers. */
export interface ParameterValue {
  name: string;
  value: string;
  type: XsdType;
}

export interface ParameterInfo {
  name: string;
  writable: boolean;
}

export interface ParameterAttribute {
  name: string;
  notification: number;
  accessList: string[];
}

export interface SetParameterAttribute {
  name: string;
  notificationChange: boolean;
  notification: number;
  accessListChange: boolean;
  accessList: string[];
}

export interface DeviceId {
  manufacturer: string;
  oui: string;
  productClass: string;
  serialNumber: string;
}

export interface EventStruct {
  eventCode: string;
  commandKey: string;
}

export interface FaultStruct {
  faultCode: number;
  faultString: string;
}

export interface SetParameterValuesFault {
  parameterName: string;
  faultCode: number;
  faultString: string;
}

/** cwmp:Fault inside a SOAP Fault. */
export interface CwmpFault {
  kind: "Fault";
  /** SOAP faultcode: "Client" for bad requests, "Server" otherwise. */
  faultCode: "Client" | "Server";
  faultString: string;
  code: number;
  message: string;
  setParameterValuesFaults: SetParameterValuesFault[];
}

// ---- CPE -> ACS requests -------------------------------------------------

export interface Inform {
  kind: "Inform";
  deviceId: DeviceId;
  events: EventStruct[];
  maxEnvelopes: number;
  currentTime: string;
  retryCount: number;
  parameterList: ParameterValue[];
}

export interface TransferComplete {
  kind: "TransferComplete";
  commandKey: string;
  fault: FaultStruct;
  startTime: string;
  completeTime: string;
}

export interface AutonomousTransferComplete {
  kind: "AutonomousTransferComplete";
  announceURL: string;
  transferURL: string;
  isDownload: boolean;
  fileType: string;
  fileSize: number;
  targetFileName: string;
  fault: FaultStruct;
  startTime: string;
  completeTime: string;
}

/** GetRPCMethods travels both ways; the same shape serves both. */
export interface GetRPCMethods {
  kind: "GetRPCMethods";
}

// ---- ACS -> CPE responses to CPE requests --------------------------------

export interface InformResponse {
  kind: "InformResponse";
  maxEnvelopes: number;
}
export interface TransferCompleteResponse {
  kind: "TransferCompleteResponse";
}
export interface AutonomousTransferCompleteResponse {
  kind: "AutonomousTransferCompleteResponse";
}
export interface GetRPCMethodsResponse {
  kind: "GetRPCMethodsResponse";
  methodList: string[];
}

// ---- ACS -> CPE requests -------------------------------------------------

export interface GetParameterValues {
  kind: "GetParameterValues";
  parameterNames: string[];
}
export interface SetParameterValues {
  kind: "SetParameterValues";
  parameterList: ParameterValue[];
  parameterKey: string;
}
export interface GetParameterNames {
  kind: "GetParameterNames";
  parameterPath: string;
  nextLevel: boolean;
}
export interface GetParameterAttributes {
  kind: "GetParameterAttributes";
  parameterNames: string[];
}
export interface SetParameterAttributes {
  kind: "SetParameterAttributes";
  parameterList: SetParameterAttribute[];
}
export interface AddObject {
  kind: "AddObject";
  objectName: string;
  parameterKey: string;
}
export interface DeleteObject {
  kind: "DeleteObject";
  objectName: string;
  parameterKey: string;
}
export interface Reboot {
  kind: "Reboot";
  commandKey: string;
}
export interface FactoryReset {
  kind: "FactoryReset";
}
export interface Download {
  kind: "Download";
  commandKey: string;
  fileType: string;
  url: string;
  username: string;
  password: string;
  fileSize: number;
  targetFileName: string;
  delaySeconds: number;
  successURL: string;
  failureURL: string;
}
export interface ScheduleInform {
  kind: "ScheduleInform";
  delaySeconds: number;
  commandKey: string;
}

// ---- CPE -> ACS responses to ACS requests --------------------------------

export interface GetParameterValuesResponse {
  kind: "GetParameterValuesResponse";
  parameterList: ParameterValue[];
}
export interface SetParameterValuesResponse {
  kind: "SetParameterValuesResponse";
  status: number;
}
export interface GetParameterNamesResponse {
  kind: "GetParameterNamesResponse";
  parameterList: ParameterInfo[];
}
export interface GetParameterAttributesResponse {
  kind: "GetParameterAttributesResponse";
  parameterList: ParameterAttribute[];
}
export interface SetParameterAttributesResponse {
  kind: "SetParameterAttributesResponse";
}
export interface AddObjectResponse {
  kind: "AddObjectResponse";
  instanceNumber: number;
  status: number;
}
export interface DeleteObjectResponse {
  kind: "DeleteObjectResponse";
  status: number;
}
export interface RebootResponse {
  kind: "RebootResponse";
}
export interface FactoryResetResponse {
  kind: "FactoryResetResponse";
}
export interface DownloadResponse {
  kind: "DownloadResponse";
  status: number;
  startTime: string;
  completeTime: string;
}
export interface ScheduleInformResponse {
  kind: "ScheduleInformResponse";
}

/** Requests the ACS sends to a CPE. */
export type AcsRequest =
  | GetRPCMethods
  | GetParameterValues
  | SetParameterValues
  | GetParameterNames
  | GetParameterAttributes
  | SetParameterAttributes
  | AddObject
  | DeleteObject
  | Reboot
  | FactoryReset
  | Download
  | ScheduleInform;

/** Responses a CPE sends back to AcsRequest, or a Fault. */
export type CpeResponse =
  | GetRPCMethodsResponse
  | GetParameterValuesResponse
  | SetParameterValuesResponse
  | GetParameterNamesResponse
  | GetParameterAttributesResponse
  | SetParameterAttributesResponse
  | AddObjectResponse
  | DeleteObjectResponse
  | RebootResponse
  | FactoryResetResponse
  | DownloadResponse
  | ScheduleInformResponse
  | CwmpFault;

/** Requests a CPE sends to the ACS. */
export type CpeRequest = Inform | TransferComplete | AutonomousTransferComplete | GetRPCMethods;

/** Responses the ACS sends back to CpeRequest, or a Fault. */
export type AcsResponse =
  | InformResponse
  | TransferCompleteResponse
  | AutonomousTransferCompleteResponse
  | GetRPCMethodsResponse
  | CwmpFault;

export type CwmpMessage = AcsRequest | CpeResponse | CpeRequest | AcsResponse;
export type CwmpKind = CwmpMessage["kind"];

/** The five cwmp namespaces seen in the field; 1-3 and 1-4 are not BBF-defined but deployed. */
export const CWMP_NAMESPACES = [
  "urn:dslforum-org:cwmp-1-0",
  "urn:dslforum-org:cwmp-1-1",
  "urn:dslforum-org:cwmp-1-2",
  "urn:dslforum-org:cwmp-1-3",
  "urn:dslforum-org:cwmp-1-4",
] as const;
export type CwmpNamespace = (typeof CWMP_NAMESPACES)[number];

/** A SOAP envelope: CWMP headers and at most one body message (null = empty body). */
export interface Envelope {
  /** The cwmp namespace URI used by the sender; replies use the same one. */
  namespace: CwmpNamespace;
  /** cwmp:ID header, absent when the sender omitted it. */
  id?: string;
  holdRequests?: boolean;
  /** CWMP 1.3+: the CPE's session timeout in seconds. */
  sessionTimeout?: number;
  /** CWMP 1.4: e.g. "1.0,1.1,1.2,1.3,1.4" from the CPE. */
  supportedCWMPVersions?: string;
  /** CWMP 1.4: the version the ACS selects, in the InformResponse. */
  useCWMPVersion?: string;
  /** Legacy header some CPEs still send; parsed, never relied on. */
  noMoreRequests?: boolean;
  body: CwmpMessage;
}
