// Node's benchmark/dgram/offset-length.js, rewritten: as single-buffer, but
// through the send(buf, offset, length, port, address, cb) overload.
'use strict';
const common = require('./common.js');
const dgram = require('node:dgram');

const conf = common.parse({ len: 64, n: 100, type: 'send', dur: 1 });
common.deadline(conf.dur + 10);

const chunk = Buffer.allocUnsafe(conf.len);
const socket = dgram.createSocket('udp4');
let sent = 0;
let received = 0;
let port;

function onsend() {
  if (sent++ % conf.n === 0) {
    setImmediate(() => {
      for (let i = 0; i < conf.n; i++)
        socket.send(chunk, 0, chunk.length, port, '127.0.0.1', onsend);
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
    common.report('offset-length', conf, ops, common.clock() - t0, conf.len);
    process.exit(0);
  }, conf.dur * 1000);
});
socket.bind(0, '127.0.0.1');
