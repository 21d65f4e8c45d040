// Node's benchmark/dgram/get-send-queue-info.js, rewritten: the cost of
// getSendQueueSize() / getSendQueueCount() on a connected socket with 999
// sends pending. Node needs --test-udp-no-try-send for sends to stay queued;
// this script re-runs itself with that flag when it was started without.
'use strict';
const FLAG = '--test-udp-no-try-send';
if (!process.execArgv.includes(FLAG)) {
  const { spawnSync } = require('node:child_process');
  const r = spawnSync(process.execPath, [FLAG, __filename, ...process.argv.slice(2)],
                      { stdio: 'inherit', timeout: 60000 });
  process.exit(r.status === null ? 2 : r.status);
}
const common = require('./common.js');
const dgram = require('node:dgram');

const conf = common.parse({ n: 5e6, method: 'size' });
common.deadline(60);

const server = dgram.createSocket('udp4');
const client = dgram.createSocket('udp4');
server.bind(0, '127.0.0.1', () => {
  client.connect(server.address().port, '127.0.0.1', () => {
    for (let i = 0; i < 999; i++) client.send('Hello');
    const pending = `${client.getSendQueueCount()}`;
    let t0;
    if (conf.method === 'size') {
      t0 = common.clock();
      for (let i = 0; i < conf.n; i++) client.getSendQueueSize();
    } else {
      t0 = common.clock();
      for (let i = 0; i < conf.n; i++) client.getSendQueueCount();
    }
    const secs = common.clock() - t0;
    common.report('get-send-queue-info', conf, conf.n, secs);
    process.stderr.write(`(queued sends while measuring: ${pending})\n`);
    client.close();
    server.close();
  });
});
