// The oracle side of spec/oracle_spec.lua: runs each case of the JSON file
// given on a Node dgram socket and prints what happened, as JSON: what the
// call raised or returned and, for the 'peer' and 'create' cases, what
// followed (see oracle_spec.lua for the states and the outcomes).
const dgram = require('dgram');
const fs = require('fs');
const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const decode = (v) => v === '__undef__' ? undefined : v === '__inf__' ? Infinity : v;
const [EPHEMERAL_LOW, EPHEMERAL_HIGH] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
  .trim().split(/\s+/).map(Number);

// P written as the placeholders of spec/oracle/numbers.json ask.
const FORMAT = {
  d: (n) => String(n),
  x: (n) => n.toString(16),
  X: (n) => n.toString(16).toUpperCase(),
  o: (n) => n.toString(8),
  b: (n) => n.toString(2),
  e: (n) => n.toExponential(),
  E: (n) => n.toExponential().toUpperCase().replace('+', ''),
};

// The case's arguments with the peer's port P in: '{P}' is P, and each
// {d} {x} ... inside a string is P written so. `pairs` gets [written,
// template] for each string changed, to write messages back in terms of P.
function expand(v, P, pairs) {
  if (v === '{P}') {
    pairs.used = true;
    return P;
  }
  if (typeof v === 'string') {
    const s = v.replace(/\{([dxXobeE])\}/g, (_, f) => FORMAT[f](P));
    if (s !== v) {
      pairs.push([s, v]);
      pairs.used = true;
    }
    return s;
  }
  if (Array.isArray(v)) return v.map((x) => expand(x, P, pairs));
  if (v !== null && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v)) o[k] = expand(v[k], P, pairs);
    return o;
  }
  return v;
}

function syncResult(f) {
  try {
    const v = f();
    return { ok: true, value: (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') ? v : null };
  } catch (e) {
    return { ok: false, name: e.name, code: e.code ?? null, message: e.message };
  }
}

// A port as both sides can compare it: P, 65536 - P, any other port the
// kernel picks, or the number.
function portOf(port, P) {
  if (port === P) return 'P';
  if (port === 65536 - P) return '65536-P';
  if (port >= EPHEMERAL_LOW && port <= EPHEMERAL_HIGH) return 'ephemeral';
  return port;
}

// An error thrown from a callback or listener (Node lets it reach the
// process, dgram raises it out of dgram.run()) ends the current case.
let onUncaught = null;
process.on('uncaughtException', (e) => {
  if (!onUncaught) throw e;
  onUncaught({ ok: true, event: 'raised', name: e.name, code: e.code ?? null, message: e.message });
});

// 'peer': a socket P listens on 127.0.0.1 (reuseAddr, so that a case may
// bind to P too); the case calls the method on a fresh reuseAddr socket,
// then waits for what the call leads to.
function runPeer(method, args, done) {
  const peer = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  peer.bind(PEER_PORT, '127.0.0.1', () => {
    const P = peer.address().port;
    const pairs = [];
    const a = expand(args, P, pairs).map(decode);
    const s = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    let result;
    let timer;
    const finish = (r) => {
      if (result) return;
      if (r.message) for (const [written, template] of pairs) r.message = r.message.split(written).join(template);
      result = r;
      onUncaught = null;
      clearTimeout(timer);
      try { s.close(); } catch (e) {}
      peer.close();
      done(result);
    };
    onUncaught = finish;
    s.on('error', (e) => finish({ ok: true, event: 'error', code: e.code }));
    if (method === 'bind') s.on('listening', () => finish({ ok: true, event: 'listening', port: portOf(s.address().port, P) }));
    if (method === 'connect') {
      // a connect to port 0 passes, and leaves the socket with no peer
      s.on('connect', () => {
        let port;
        try { port = portOf(s.remoteAddress().port, P); } catch (e) { port = e.code; }
        finish({ ok: true, event: 'connect', port });
      });
    }
    if (method === 'send') {
      // to P: what P gets; elsewhere: what the callback says
      peer.on('message', (m) => finish({ ok: true, event: 'message', msg: String(m) }));
      a.push((err, n) => {
        if (err) finish({ ok: true, event: 'error', code: err.code });
        else if (!pairs.used) finish({ ok: true, event: 'sent', bytes: n });
      });
    }
    timer = setTimeout(() => finish({ ok: true, event: 'timeout' }), 3000);
    const r = syncResult(() => s[method](...a));
    if (!r.ok) finish(r);
  });
}

// 'create': createSocket(options), then, if that passed, a bind.
function runCreate(args, done) {
  let s;
  const r = syncResult(() => { s = dgram.createSocket(...args.map(decode)); });
  if (!r.ok) return done(r);
  s.on('error', (e) => { s.close(); done({ ok: true, event: 'error', code: e.code }); });
  s.bind(0, '127.0.0.1', () => { s.close(); done({ ok: true, event: 'listening' }); });
}

// P lies outside the kernel's ephemeral range, and so does 65536 - P: a
// case's socket shares ports with the peer (reuseAddr), so the kernel's
// pick for it could otherwise be P itself. The first such port that is
// free; none (0): the kernel picks P.
let PEER_PORT = 0;
function findPeerPort(port, found) {
  if (port >= Math.min(EPHEMERAL_LOW, 65536 - EPHEMERAL_HIGH)) return found(0);
  const probe = dgram.createSocket('udp4');
  probe.on('error', () => {
    probe.close();
    findPeerPort(port + 1, found);
  });
  probe.bind(port, '127.0.0.1', () => probe.close(() => found(port)));
}

const results = [];
let i = 0;
function next() {
  if (i === cases.length) {
    console.log(JSON.stringify(results));
    return;
  }
  const [state, method, args] = cases[i++];
  const done = (r) => {
    results.push(r);
    setImmediate(next);
  };
  if (state === 'peer') return runPeer(method, args, done);
  if (state === 'create') return runCreate(args, done);
  const s = dgram.createSocket('udp4');
  s.on('error', () => {});
  const run = () => {
    const r = syncResult(() => s[method](...args.map(decode)));
    try { s.close(); } catch (e) {}
    done(r);
  };
  if (state === 'bound') {
    s.bind(0, '127.0.0.1', run);
  } else if (state === 'closed') {
    s.close();
    run();
  } else {
    run();
  }
}
findPeerPort(1024, (port) => {
  PEER_PORT = port;
  next();
});
