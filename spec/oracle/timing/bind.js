const dgram = require('dgram'); const log = [];
const s = dgram.createSocket('udp4');
s.on('listening', () => log.push('listening'));
s.bind(0, '127.0.0.1', () => { log.push('bind cb'); s.close(() => log.push('close cb')); log.push('after close()'); });
process.nextTick(() => log.push('tick'));
setImmediate(() => log.push('immediate'));
log.push('sync');
process.on('exit', () => console.log(log.join(',')));
