#!/usr/bin/env node
// bench echo's workload from Node, to drive our echo server with another
// loop: N connections each keeping --pipeline messages of --size bytes in
// flight (closed loop); tcp through `net` (raw bytes, which a byte echo
// returns as they are), ws through node-ws (one binary message each; run
// with NODE_PATH=/usr/share/nodejs). Every echo is checked, length and
// bytes. Warm-up, then a measured window per repeat; prints a results
// document (schema loopbench.results/2, loop "node") like the other peers.
//
//   echo_client_node.js --url tcp://HOST:PORT | ws://HOST:PORT/echo
//                       --connections N --size BYTES [--pipeline P]
//                       [--duration S] [--warmup S] [--repeat N] [--timeout S]
'use strict';
const crypto = require('crypto');
const net = require('net');
const { parseArgs } = require('util');

const LAG_PERIOD_MS = 50;
const KEPT_ERRORS = 5;
const { values: a } = parseArgs({
  options: {
    url: { type: 'string' },
    connections: { type: 'string', default: '100' },
    size: { type: 'string', default: '1024' },
    pipeline: { type: 'string', default: '1' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    repeat: { type: 'string', default: '3' },
    timeout: { type: 'string', default: '10' },
  },
});
const connections = Number(a.connections);
const size = Number(a.size);
const pipeline = Number(a.pipeline);
const repeats = Number(a.repeat);
const transport = (a.url || '').startsWith('tcp://') ? 'tcp'
  : (a.url || '').startsWith('ws://') ? 'ws' : '';
if (!transport || !(connections >= 1) || !(size >= 1) || !(pipeline >= 1) || !(repeats >= 1) ||
    !(Number(a.duration) > 0)) {
  console.error('usage: echo_client_node.js --url tcp://HOST:PORT|ws://HOST:PORT/echo ' +
                '--connections N --size BYTES [--pipeline P] [--duration S] ...');
  process.exit(2);
}
const payload = crypto.randomBytes(size);
const WebSocket = transport === 'ws' ? require('ws') : null;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// One repeat; resolves to {messages, windowS, user, sys, latencyNs[], lagNs[], errors[]}.
async function oneRepeat() {
  const t = { inWindow: false, running: true, messages: 0, latencyNs: [], errors: [] };
  const fail = (why) => { if (t.errors.length < KEPT_ERRORS) t.errors.push(why); };
  const echoed = (sent) => {
    if (!t.inWindow) return;
    t.messages += 1;
    t.latencyNs.push(Number(process.hrtime.bigint() - sent));
  };
  const lagNs = [];
  let lagTimer = null;
  const probe = () => {
    const due = process.hrtime.bigint() + BigInt(LAG_PERIOD_MS * 1e6);
    lagTimer = setTimeout(() => {
      lagNs.push(Math.max(0, Number(process.hrtime.bigint() - due)));
      probe();
    }, LAG_PERIOD_MS);
  };
  probe();

  const conns = [];
  const open = () => new Promise((resolve) => {
    const c = { sent: [], closed: false };
    conns.push(c);
    const send = () => { c.sent.push(process.hrtime.bigint()); c.write(payload); };
    const lost = (why) => {
      if (c.closed) return;
      c.closed = true;
      if (t.running || c.sent.length) fail(why);
      resolve();
    };
    if (transport === 'tcp') {
      const [host, port] = [a.url.slice(6, a.url.lastIndexOf(':')), a.url.slice(a.url.lastIndexOf(':') + 1)];
      const s = net.connect({ host, port: Number(port), noDelay: true });
      let buffer = Buffer.alloc(0);
      c.write = (b) => s.write(b);
      c.end = () => s.destroy();
      s.on('connect', () => { for (let i = 0; i < pipeline; ++i) send(); resolve(); });
      s.on('data', (d) => {
        buffer = buffer.length ? Buffer.concat([buffer, d]) : d;
        while (buffer.length >= size) {
          if (!buffer.subarray(0, size).equals(payload)) {
            fail('an echo differs from the message sent');
            s.destroy();
            return;
          }
          buffer = buffer.subarray(size);
          echoed(c.sent.shift());
          if (t.running) send();
        }
      });
      s.on('error', (e) => lost(`connection: ${e.message}`));
      s.on('close', () => lost('connection closed by the server'));
    } else {
      const ws = new WebSocket(a.url, { maxPayload: 0, perMessageDeflate: false });
      c.write = (b) => ws.send(b);
      c.end = () => ws.terminate();
      ws.on('open', () => { for (let i = 0; i < pipeline; ++i) send(); resolve(); });
      ws.on('message', (d, binary) => {
        if (!binary || !Buffer.from(d).equals(payload)) {
          fail('an echo differs from the message sent');
          ws.terminate();
          return;
        }
        echoed(c.sent.shift());
        if (t.running) send();
      });
      ws.on('error', (e) => lost(`connection: ${e.message}`));
      ws.on('close', () => lost('connection closed by the server'));
    }
  });
  for (let i = 0; i < connections; i += 100)  // connects in batches, as bench does
    await Promise.all(Array.from({ length: Math.min(100, connections - i) }, open));

  await sleep(Number(a.warmup) * 1000);
  t.inWindow = true;
  lagNs.length = 0;
  const before = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await sleep(Number(a.duration) * 1000);
  t.inWindow = false;
  const windowS = Number(process.hrtime.bigint() - t0) / 1e9;
  const used = process.cpuUsage(before);
  t.running = false;
  // The messages in flight come back, then every connection closes.
  const deadline = Date.now() + Number(a.timeout) * 1000;
  while (conns.some((c) => c.sent.length && !c.closed) && Date.now() < deadline) await sleep(10);
  if (conns.some((c) => c.sent.length && !c.closed)) fail(`no echo for ${a.timeout} s`);
  for (const c of conns) { c.sent.length = 0; c.closed = true; c.end(); }
  clearTimeout(lagTimer);
  return { messages: t.messages, windowS, user: used.user / 1e6, sys: used.system / 1e6,
           latencyNs: t.latencyNs, lagNs, errors: t.errors };
}

async function main() {
  const run = {
    bench: 'echo', client: transport === 'tcp' ? 'net' : 'ws',
    client_version: transport === 'tcp' ? process.versions.node : require('ws/package.json').version,
    loop: 'node', mode: 'closed', size_bytes: size, tls: false, repeats: [],
  };
  const latency = [], lag = [], errors = [];
  for (let i = 0; i < repeats; ++i) {
    const r = await oneRepeat();
    if (r.errors.length) { errors.push(...r.errors); break; }
    for (const v of r.latencyNs) latency.push(v);
    for (const v of r.lagNs) lag.push(v);
    run.repeats.push({ duration_s: r.windowS, bytes: r.messages * size, requests: r.messages,
                       cpu_user_s: r.user, cpu_sys_s: r.sys });
  }
  run.summary = { errors: errors.length, connections: connections * run.repeats.length };
  if (errors.length) run.error_messages = errors;
  run.latency_ns_samples = latency;
  run.loop_lag_ns_samples = lag;
  const doc = { schema: 'loopbench.results/2', tool: { name: run.client, version: run.client_version },
                machine: { node: process.versions.node, pid: process.pid },
                started: new Date().toISOString(), runs: [run] };
  process.stdout.write(JSON.stringify(doc) + '\n', () => process.exit(errors.length ? 1 : 0));
}

main().catch((e) => { console.error(`echo_client_node.js: ${e.message}`); process.exit(1); });
