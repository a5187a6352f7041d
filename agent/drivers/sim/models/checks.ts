// Write rules real CPEs enforce beyond the BBF syntax (shared with the linux driver).

export { channelCheck } from "../../../datamodel/model-rules.ts";
