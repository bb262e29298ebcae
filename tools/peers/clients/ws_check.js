// What the Node peers share: sending `total` bytes as chunk-sized binary
// messages of one random chunk, and checking every received message: each
// is one chunk (the last may be shorter) and carries the same bytes as the
// first, since both ends of the /ws protocol repeat one chunk.
'use strict';
const crypto = require('crypto');

function checker(total, chunk) {
  let got = 0;
  let first = null;
  let error = null;
  return {
    take(data) {
      if (!first) first = Buffer.from(data);
      const want = Math.min(chunk, total - got);
      if (!error && (data.length !== want || !data.equals(first.subarray(0, want))))
        error = `message at byte ${got}: ${data.length} bytes, expected ${want} of the repeated chunk`;
      got += data.length;
    },
    got: () => got,
    error: () => error,
  };
}

// Sends `total` bytes as chunk-sized binary messages, at most 16 in flight;
// onSent(bytes), when given, hears of every message the socket took.
function sendAll(ws, chunk, total, done, onSent) {
  const payload = crypto.randomBytes(chunk);
  let sent = 0;
  let inflight = 0;
  let over = false;
  const finish = (err) => {
    if (!over) {
      over = true;
      done(err);
    }
  };
  const pump = () => {
    while (sent < total && inflight < 16) {
      const n = Math.min(chunk, total - sent);
      sent += n;
      inflight++;
      ws.send(payload.subarray(0, n), { binary: true }, (err) => {
        inflight--;
        if (err) return finish(err);
        if (onSent) onSent(n);
        if (sent >= total && inflight === 0) return finish(null);
        pump();
      });
    }
  };
  if (total === 0) return finish(null);
  pump();
}

module.exports = { checker, sendAll };
