// Echo server / sink on Node's own dgram, written the way a Node user would.
// usage: node node_echo.js PORT [echo|sink] [MAXCOUNT] [LIFETIME_S]
// Binds 127.0.0.1:PORT (0: any free port) and prints the port as the first
// line of stdout. sink counts datagrams and answers "STAT?" with the count.
// MAXCOUNT > 0: close after that many datagrams; LIFETIME_S (default 900):
// close after that long, whatever happens.
'use strict';
const dgram = require('node:dgram');

const port = Number(process.argv[2] || 0);
const mode = process.argv[3] || 'echo';
const maxcount = Number(process.argv[4] || 0);
const lifetime = Number(process.argv[5] || 900);

const s = dgram.createSocket('udp4');
let count = 0;
let handled = 0;

if (mode === 'sink') {
  s.on('message', (msg, rinfo) => {
    if (msg.length === 5 && msg.toString('latin1') === 'STAT?')
      s.send(String(count), rinfo.port, rinfo.address);
    else
      count++;
    if (maxcount && ++handled >= maxcount) s.close();
  });
} else if (maxcount) {
  s.on('message', (msg, rinfo) => {
    s.send(msg, rinfo.port, rinfo.address);
    if (++handled >= maxcount) s.close();
  });
} else {
  s.on('message', (msg, rinfo) => {
    s.send(msg, rinfo.port, rinfo.address);
  });
}

s.bind(port, '127.0.0.1', () => {
  process.stdout.write(`${s.address().port}\n`);
});

setTimeout(() => {
  process.stderr.write('node_echo: lifetime over, exiting\n');
  s.close();
}, lifetime * 1000).unref();
