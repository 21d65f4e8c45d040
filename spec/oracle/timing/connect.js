const dgram = require('dgram'); const log = [];
const r = dgram.createSocket('udp4');
r.bind(0, '127.0.0.1', () => {
  const s = dgram.createSocket('udp4');
  s.on('listening', () => log.push('listening'));
  s.on('connect', () => log.push('connect event'));
  s.connect(r.address().port, '127.0.0.1', () => {
    log.push('connect cb');
    s.send('x', (err, n) => { log.push('send cb ' + n); s.disconnect(); log.push('disconnected'); s.close(); r.close(); });
    process.nextTick(() => log.push('tick after send'));
  });
  setImmediate(() => log.push('immediate'));
  process.nextTick(() => log.push('tick'));
});
process.on('exit', () => console.log(log.join(',')));
