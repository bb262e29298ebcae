#!/usr/bin/env node
// bench echo's peer server on Node: `net` echoing every byte (tcp), or
// Debian's node-ws sending each message back (ws, path /echo; run with
// NODE_PATH=/usr/share/nodejs). Prints "listening on 127.0.0.1:PORT" once it
// listens; runs until SIGTERM or SIGINT.
//
//   echo_server_node.js --transport tcp|ws [--port N]
'use strict';
const net = require('net');
const { parseArgs } = require('util');

const { values: a } = parseArgs({
  options: { transport: { type: 'string', default: 'tcp' }, port: { type: 'string', default: '0' } },
});

let server;
if (a.transport === 'tcp') {
  server = net.createServer({ noDelay: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    socket.pipe(socket);
  });
} else if (a.transport === 'ws') {
  const WebSocket = require('ws');
  server = require('http').createServer();
  const wss = new WebSocket.Server({ server, path: '/echo', maxPayload: 1 << 21 });
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on('close', (code) => { if (ws.readyState === WebSocket.OPEN) ws.close(code); });
    ws.on('error', () => ws.terminate());
  });
} else {
  console.error(`echo_server_node.js: --transport must be tcp or ws, not ${a.transport}`);
  process.exit(2);
}
server.listen({ host: '127.0.0.1', port: Number(a.port), backlog: 4096 }, () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
