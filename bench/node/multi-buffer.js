// Node's benchmark/dgram/multi-buffer.js, rewritten: as single-buffer, but
// each datagram is a list of `chunks` Buffers of round(len / chunks) bytes.
'use strict';
const common = require('./common.js');
const dgram = require('node:dgram');

const conf = common.parse({ len: 256, n: 100, chunks: 4, type: 'send', dur: 1 });
common.deadline(conf.dur + 10);

const list = [];
for (let i = 0; i < conf.chunks; i++)
  list.push(Buffer.allocUnsafe(Math.round(conf.len / conf.chunks)));
const size = list.reduce((a, b) => a + b.length, 0);
const socket = dgram.createSocket('udp4');
let sent = 0;
let received = 0;
let port;

function onsend() {
  if (sent++ % conf.n === 0) {
    setImmediate(() => {
      for (let i = 0; i < conf.n; i++)
        socket.send(list, port, '127.0.0.1', onsend);
    });
  }
}

socket.on('message', () => { received++; });
socket.on('listening', () => {
  port = socket.address().port;
  const t0 = common.clock();
  onsend();
  setTimeout(() => {
    const ops = conf.type === 'send' ? sent : received;
    common.report('multi-buffer', conf, ops, common.clock() - t0, size);
    process.exit(0);
  }, conf.dur * 1000);
});
socket.bind(0, '127.0.0.1');
