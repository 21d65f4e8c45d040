// Shared by bench/node/*.js: key=value arguments and the result line, in the
// same format as the Lua ports (bench/node/common.lua), so the two can be
// compared line for line. Our own code, in the spirit of Node's
// benchmark/common.js (createBenchmark/start/end).
'use strict';

// parse(defaults): process.argv key=value pairs over the defaults; numbers
// stay numbers when the default is a number.
function parse(defaults) {
  const conf = { ...defaults };
  for (const a of process.argv.slice(2)) {
    const i = a.indexOf('=');
    if (i < 0) throw new Error(`bad argument ${a} (want key=value)`);
    const k = a.slice(0, i), v = a.slice(i + 1);
    if (!(k in defaults)) throw new Error(`unknown parameter ${k}`);
    conf[k] = typeof defaults[k] === 'number' ? Number(v) : v;
  }
  return conf;
}

function clock() {
  return Number(process.hrtime.bigint()) / 1e9;
}

// report(name, conf, ops, secs[, bytesPerOp]): one line; rate is ops/s, and
// for throughput benchmarks gbits is Node's own figure (Gbit/s, 2^30).
function report(name, conf, ops, secs, bytesPerOp) {
  const params = Object.keys(conf).sort().map((k) => `${k}=${conf[k]}`).join(',');
  let line = `nodebench name=${name} impl=node params=${params} ops=${ops}` +
             ` secs=${secs.toFixed(3)} rate=${(ops / secs).toFixed(0)}`;
  if (bytesPerOp !== undefined)
    line += ` gbits=${((ops * bytesPerOp * 8) / (1024 ** 3) / secs).toFixed(4)}`;
  process.stdout.write(line + '\n');
}

// Backstop: no benchmark process outlives this, whatever it does.
function deadline(secs) {
  setTimeout(() => {
    process.stderr.write('benchmark over its deadline, exiting\n');
    process.exit(2);
  }, secs * 1000).unref();
}

module.exports = { parse, clock, report, deadline };
