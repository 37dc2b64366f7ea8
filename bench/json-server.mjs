// A keep-alive JSON server in its own process, so the client under test does not share its event loop
// (nor its CPU core) with the server. Prints its URL, exits on any IPC message.
import http from 'node:http';

const payload = JSON.stringify({ id: 'x1', name: 'anvil', size: 3 });
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': payload.length });
    res.end(payload);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${server.address().port}\n`));
process.on('message', () => process.exit(0));
// Also when the parent crashed and never said so (its IPC channel closed).
process.on('disconnect', () => process.exit(0));
