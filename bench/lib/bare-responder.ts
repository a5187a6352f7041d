// The baseline for the session benchmark: an HTTP server doing a CWMP
// periodic session's two round trips (Inform → InformResponse, empty POST →
// 204) with no logic at all. Run as a child process, like the ACS, so both
// get a core of their own. Prints its port on stdout. Like the ACS (and
// GenieACS), it closes the connection with the 204 that ends a session: the
// same HTTP exchange, so the ratio measures only the ACS's logic.

import { createServer } from "node:http";

const INFORM_RESPONSE =
  '<?xml version="1.0" encoding="UTF-8"?>\n<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" ' +
  'xmlns:cwmp="urn:dslforum-org:cwmp-1-2"><soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">1</cwmp:ID></soap-env:Header>' +
  "<soap-env:Body><cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse></soap-env:Body></soap-env:Envelope>";

const server = createServer((req, res) => {
  let size = 0;
  req.on("data", (chunk: Buffer) => (size += chunk.length));
  req.on("end", () => {
    if (size > 0) {
      res.writeHead(200, { "Content-Type": 'text/xml; charset="utf-8"', "Set-Cookie": "session=bare; HttpOnly" });
      res.end(INFORM_RESPONSE);
    } else {
      res.writeHead(204, { Connection: "close" });
      res.end();
    }
  });
});
server.keepAliveTimeout = 30_000;
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  const addr = server.address();
  console.log(typeof addr === "object" && addr ? addr.port : 0);
});
