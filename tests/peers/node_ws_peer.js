#!/usr/bin/env node
// A real WebSocket peer nobody here wrote: Node's `ws` (Debian node-ws; run
// with NODE_PATH=/usr/share/nodejs). Same protocol and command line as
// websockets_peer.py:
//
//   node_ws_peer.js server PORT [CERT KEY]   serves /ws?test=download|upload|concurrent
//                                            &total=N&chunk=N, prints "listening on
//                                            127.0.0.1:PORT", closes with 1000 when done
//   node_ws_peer.js client URL DIRECTION TOTAL CHUNK [--insecure]
//                                            one transfer; every message checked; exit 0 on
//                                            success
//
// Every message is checked (tools/peers/clients/ws_check.js).
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');
const path = require('path');
const { WebSocket, WebSocketServer } = require('ws');

const { checker, sendAll } = require(path.join(__dirname, '../../tools/peers/clients/ws_check.js'));

function serve(port, cert, key) {
  const server = cert
    ? https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) })
    : http.createServer();
  const wss = new WebSocketServer({ server, path: '/ws', maxPayload: 0 });
  wss.on('connection', (ws, req) => {
    const q = new URL(req.url, 'http://x').searchParams;
    const test = q.get('test') || 'download';
    const total = Number(q.get('total') || 10 * 2 ** 30);
    const chunk = Number(q.get('chunk') || 65536);
    let pending = 0;
    const partDone = () => {
      if (--pending === 0) ws.close(1000, 'done');
    };
    if (test === 'download' || test === 'concurrent') {
      pending++;
      sendAll(ws, chunk, total, (err) => (err ? ws.terminate() : partDone()));
    }
    if (test === 'upload' || test === 'concurrent') {
      pending++;
      const check = checker(total, chunk);
      ws.on('message', (data) => {
        check.take(data);
        if (check.error()) {
          console.error(check.error());
          return ws.close(1008, 'bad message');
        }
        if (check.got() === total) partDone();
      });
    }
    if (pending === 0) ws.close(1000, 'done');
  });
  server.listen(port, '127.0.0.1', () => {
    console.log(`listening on 127.0.0.1:${server.address().port}`);
  });
}

function client(url, direction, total, chunk, insecure) {
  const full = `${url}?test=${direction}&total=${total}&chunk=${chunk}`;
  const ws = new WebSocket(full, { rejectUnauthorized: !insecure, maxPayload: 0 });
  const want = direction === 'upload' ? 0 : total;
  const check = checker(want, chunk);
  ws.on('open', () => {
    if (direction !== 'download') sendAll(ws, chunk, total, (err) => err && ws.terminate());
  });
  ws.on('message', (data) => check.take(data));
  ws.on('error', (err) => {
    console.error(`node ws client: ${err.message}`);
    process.exitCode = 1;
  });
  ws.on('close', (code) => {
    if (check.error() || check.got() !== want || code !== 1000) {
      console.error(check.error() || `got ${check.got()} of ${want} bytes, close code ${code}`);
      process.exitCode = 1;
      return;
    }
    console.log(`ok ${direction} ${total}`);
  });
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'server') serve(Number(args[0]), args[1], args[2]);
else if (mode === 'client')
  client(args[0], args[1], Number(args[2]), Number(args[3]), args.includes('--insecure'));
else {
  console.error('usage: node_ws_peer.js server PORT [CERT KEY] | client URL DIRECTION TOTAL CHUNK');
  process.exit(2);
}
