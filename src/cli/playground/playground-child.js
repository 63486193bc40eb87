'use strict';
// Runs the Microsoft 365 Agents Playground CLI (arguments as given), with two guards:
// - it exits as soon as the parent's end of stdin closes, so a parent that crashes or is killed
//   never leaves a playground server behind holding its port;
// - it listens on loopback only. The playground calls `listen(port)`, i.e. every interface, and
//   it drives a dev-mode Argus whose Bot Framework authentication is off: like Argus itself in
//   dev mode, it must not be reachable from the network.
const http = require('node:http');

process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function listenOnLoopback(port, ...rest) {
  if (typeof port === 'number' && (rest.length === 0 || typeof rest[0] === 'function')) return listen.call(this, port, '127.0.0.1', ...rest);
  return listen.call(this, port, ...rest);
};

require('@microsoft/m365agentsplayground/cli.js');
