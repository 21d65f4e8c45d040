// The oracle side of spec/oracle_spec.lua: runs each case of cases.json on
// a Node dgram socket and prints what happened synchronously, as JSON.
const dgram = require('dgram');
const fs = require('fs');
const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const decode = (v) => v === '__undef__' ? undefined : v === '__inf__' ? Infinity : v;
const results = [];
let i = 0;
function next() {
  if (i === cases.length) {
    console.log(JSON.stringify(results));
    return;
  }
  const [state, method, args] = cases[i++];
  const s = dgram.createSocket('udp4');
  s.on('error', () => {});
  const run = () => {
    let r;
    try {
      const v = s[method](...args.map(decode));
      r = { ok: true, value: (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') ? v : null };
    } catch (e) {
      r = { ok: false, name: e.name, code: e.code ?? null, message: e.message };
    }
    results.push(r);
    try { s.close(); } catch (e) {}
    setImmediate(next);
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
next();
