// Node's benchmark/dgram/array-vs-concat.js, rewritten: send throughput of
// a list of `chunks` Buffers (type=multi) against Buffer.concat of the same
// list on every send (type=concat). Counts sends.
'use strict';
const common = require('./common.js');
const dgram = require('node:dgram');

const conf = common.parse({ len: 256, n: 100, chunks: 4, type: 'multi', dur: 1 });
common.deadline(conf.dur + 10);

const list = [];
for (let i = 0; i < conf.chunks; i++)
  list.push(Buffer.allocUnsafe(Math.round(conf.len / conf.chunks)));
const socket = dgram.createSocket('udp4');
let sent = 0;
let port;

function onsendConcat() {
  if (sent++ % conf.n === 0) {
    setImmediate(() => {
      for (let i = 0; i < conf.n; i++)
        socket.send(Buffer.concat(list), port, '127.0.0.1', onsendConcat);
    });
  }
}
function onsendMulti() {
  if (sent++ % conf.n === 0) {
    setImmediate(() => {
      for (let i = 0; i < conf.n; i++)
        socket.send(list, port, '127.0.0.1', onsendMulti);
    });
  }
}
const onsend = conf.type === 'concat' ? onsendConcat : onsendMulti;

socket.on('listening', () => {
  port = socket.address().port;
  const t0 = common.clock();
  onsend();
  setTimeout(() => {
    common.report('array-vs-concat', conf, sent, common.clock() - t0, conf.len);
    process.exit(0);
  }, conf.dur * 1000);
});
socket.bind(0, '127.0.0.1');
