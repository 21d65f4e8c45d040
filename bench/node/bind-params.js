// Node's benchmark/dgram/bind-params.js, rewritten: the synchronous cost of
// createSocket('udp4').bind(...).on('error', noop).unref(), n times, for the
// bind argument shapes port=true|false (true: 0) and address=true|false
// (true: an address; Node's uses '0.0.0.0', here '127.0.0.1' to stay on
// loopback). Like Node's, port=false address=true measures nothing.
// Reports binds/s; exits before the (asynchronous) binds complete.
'use strict';
const common = require('./common.js');
const dgram = require('node:dgram');

const conf = common.parse({ n: 1e4, port: 'true', address: 'true' });
common.deadline(30);
const noop = () => {};
const port = conf.port === 'true' ? 0 : undefined;
const address = conf.address === 'true' ? '127.0.0.1' : undefined;

let t0;
if (port !== undefined && address !== undefined) {
  t0 = common.clock();
  for (let i = 0; i < conf.n; i++)
    dgram.createSocket('udp4').bind(port, address).on('error', noop).unref();
} else if (port !== undefined) {
  t0 = common.clock();
  for (let i = 0; i < conf.n; i++)
    dgram.createSocket('udp4').bind(port).on('error', noop).unref();
} else if (address === undefined) {
  t0 = common.clock();
  for (let i = 0; i < conf.n; i++)
    dgram.createSocket('udp4').bind().on('error', noop).unref();
}
if (t0 !== undefined)
  common.report('bind-params', conf, conf.n, common.clock() - t0);
process.exit(0);
