const dgram = require('dgram'); const log = [];
const s = dgram.createSocket('udp4');
s.on('listening', () => log.push('listening'));
s.on('close', () => log.push('close event'));
s.send('a', 9, '127.0.0.1', (err) => log.push('send cb a ' + (err ? err.code : 'ok')));
s.send('b', 9, '127.0.0.1', (err) => log.push('send cb b ' + (err ? err.code : 'ok')));
s.close(() => log.push('close cb'));
log.push('sync');
process.on('exit', () => console.log(log.join(',')));
