const dgram = require('dgram'); const log = [];
const r = dgram.createSocket('udp4');
r.bind(0, '127.0.0.1', () => {
  const port = r.address().port;
  r.on('message', (m) => { log.push('message ' + m); if (String(m) === 'b') r.close(); });
  const s = dgram.createSocket('udp4');
  s.on('listening', () => log.push('listening'));
  s.send('a', port, '127.0.0.1', (err, n) => { log.push('send cb a ' + n);
    s.send('b', port, '127.0.0.1', (err, n) => { log.push('send cb b ' + n); s.close(); });
    process.nextTick(() => log.push('tick after send b'));
  });
  process.nextTick(() => log.push('tick after send a'));
  log.push('sent');
});
process.on('exit', () => console.log(log.join(',')));
