#!/usr/bin/env node
// bench ws's workloads with Node's `ws` (Debian node-ws; run with
// NODE_PATH=/usr/share/nodejs): one connection per repeat to a /ws test
// server; download, upload or both at once; every received message checked
// (ws_check.js); done at the server's close 1000. Prints a results document
// (schema loopbench.results/2, loop "node") like the Python peers.
//
//   ws_node.js --url ws(s)://HOST:PORT/ws --mode download|upload|concurrent
//              --total BYTES [--chunk BYTES] [--cacert FILE | --insecure]
//              [--repeat N] [--warmup N] [--timeout S]
'use strict';
const fs = require('fs');
const path = require('path');
const { parseArgs } = require('util');
const WebSocket = require('ws');

const { checker, sendAll } = require(path.join(__dirname, 'ws_check.js'));

const LAG_PERIOD_MS = 50;
const { values: a } = parseArgs({
  options: {
    url: { type: 'string' },
    mode: { type: 'string' },
    total: { type: 'string' },
    chunk: { type: 'string', default: '65536' },
    cacert: { type: 'string' },
    insecure: { type: 'boolean', default: false },
    repeat: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    timeout: { type: 'string', default: '10' },
  },
});
if (!a.url || !['download', 'upload', 'concurrent'].includes(a.mode) || !(Number(a.total) > 0)) {
  console.error('usage: ws_node.js --url URL --mode download|upload|concurrent --total BYTES ...');
  process.exit(2);
}
const total = Number(a.total);
const chunk = Number(a.chunk);
const timeoutMs = Number(a.timeout) * 1000;

// One repeat; resolves to {bytes, messages, lagNs[], error}.
function transfer() {
  return new Promise((resolve) => {
    const result = { bytes: 0, messages: 0, lagNs: [], error: null };
    const want = a.mode === 'upload' ? 0 : total;
    const check = checker(want, chunk);
    let progress = 0;
    let seen = -1;
    let lagTimer = null;
    const probe = () => {
      const due = process.hrtime.bigint() + BigInt(LAG_PERIOD_MS * 1e6);
      lagTimer = setTimeout(() => {
        result.lagNs.push(Math.max(0, Number(process.hrtime.bigint() - due)));
        probe();
      }, LAG_PERIOD_MS);
    };
    probe();
    const ws = new WebSocket(`${a.url}?test=${a.mode}&total=${total}&chunk=${chunk}`, {
      maxPayload: 0,
      rejectUnauthorized: !a.insecure,
      ca: a.cacert ? fs.readFileSync(a.cacert) : undefined,
      perMessageDeflate: false,
    });
    const watchdog = setInterval(() => {
      if (progress === seen) {
        result.error = `no progress for ${a.timeout} s`;
        ws.terminate();
      }
      seen = progress;
    }, timeoutMs);
    ws.on('open', () => {
      if (a.mode === 'download') return;
      sendAll(
        ws,
        chunk,
        total,
        (err) => {
          if (err) {
            result.error = `send: ${err.message}`;
            ws.terminate();
          }
        },
        (n) => {
          progress += n;
        },
      );
    });
    ws.on('message', (data) => {
      check.take(data);
      progress += data.length;
      result.messages++;
    });
    ws.on('error', (err) => {
      result.error = result.error || err.message;
    });
    ws.on('close', (code, reason) => {
      clearTimeout(lagTimer);
      clearInterval(watchdog);
      if (!result.error) result.error = check.error();
      if (!result.error && check.got() !== want) result.error = `got ${check.got()} of ${want} bytes`;
      if (!result.error && code !== 1000) result.error = `closed with ${code} ${reason}`;
      if (a.mode !== 'download') result.messages += Math.ceil(total / chunk);
      result.bytes = check.got() + (a.mode === 'download' ? 0 : total);
      resolve(result);
    });
  });
}

const spread = (v) => {
  const s = [...v].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return {
    min: s[0],
    median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2,
    max: s[s.length - 1],
  };
};

async function main() {
  const version = require('ws/package.json').version;
  const run = {
    bench: 'ws',
    client: 'ws',
    client_version: version,
    loop: 'node',
    mode: a.mode,
    size_bytes: total,
    tls: a.url.startsWith('wss://'),
    params: { url: a.url, total_bytes: total, chunk_bytes: chunk, repeat: +a.repeat, warmup: +a.warmup },
    repeats: [],
  };
  const lag = [];
  let connections = 0;
  let errors = 0;
  for (let i = 0; i < Number(a.warmup) + Number(a.repeat); i++) {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const r = await transfer();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    connections++;
    if (r.error) {
      errors++;
      run.error_messages = [`${a.url}: ${r.error}`];
      break;
    }
    if (i < Number(a.warmup)) continue;
    lag.push(...r.lagNs);
    run.repeats.push({
      duration_s: seconds,
      bytes: r.bytes,
      requests: r.messages,
      cpu_user_s: cpu.user / 1e6,
      cpu_sys_s: cpu.system / 1e6,
    });
  }
  const reps = run.repeats;
  run.summary = { connections, errors };
  if (reps.length) {
    run.summary.duration_s = spread(reps.map((r) => r.duration_s));
    run.summary.bytes_per_s = spread(reps.map((r) => r.bytes / r.duration_s));
    run.summary.cpu_s_per_gib = spread(
      reps.map((r) => ((r.cpu_user_s + r.cpu_sys_s) * 2 ** 30) / r.bytes));
  }
  if (lag.length) {
    const s = [...lag].sort((x, y) => x - y);
    run.summary.loop_lag_ms = { p99: s[Math.min(s.length - 1, Math.floor(0.99 * s.length))] / 1e6, max: s[s.length - 1] / 1e6 };
  }
  run.latency_ns_samples = [];
  run.loop_lag_ns_samples = lag;
  const doc = {
    schema: 'loopbench.results/2',
    tool: { name: 'ws', version },
    machine: { node: process.version, pid: process.pid },
    started: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    runs: [run],
  };
  process.stdout.write(JSON.stringify(doc) + '\n');
  process.exitCode = errors ? 1 : 0;
}

main();
