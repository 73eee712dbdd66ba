// The queue time section's server (see queue.go): node queueserver.js PORT
// WORK_MICROSECONDS. Every request holds the event loop, busy, for the
// work's time, so requests of the other connections wait unread.
const http = require("http");
const port = Number(process.argv[2]);
const work = BigInt(process.argv[3]) * 1000n;
http.createServer((req, res) => {
  const end = process.hrtime.bigint() + work;
  while (process.hrtime.bigint() < end) {}
  res.writeHead(200, {"content-type": "text/plain", "content-length": "2"});
  res.end("ok");
}).listen(port, "127.0.0.1");
