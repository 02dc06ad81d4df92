import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProcNet } from './proc-net.js';

test('parseProcNet: LISTEN TCP sockets and bound UDP sockets, v4 and v6 addresses decoded', () => {
  const tcp = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0',
    '   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0 100 0 0 10 0',
    '   2: 020012AC:0050 030012AC:C350 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0 20 4 30 10 -1',
  ].join('\n');
  assert.deepEqual(parseProcNet(tcp, 'tcp'), [
    { port: 80, protocol: 'tcp', address: '0.0.0.0' },
    { port: 8080, protocol: 'tcp', address: '127.0.0.1' },
  ]);
  const tcp6 = [
    '  sl  local_address                         remote_address                        st',
    '   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 4 1',
    '   1: 00000000000000000000000001000000:1388 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 5 1',
    '   2: 0000E7FD0000000000000000030000FF:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 6 1',
  ].join('\n');
  assert.deepEqual(parseProcNet(tcp6, 'tcp').map((l) => `${l.address}:${l.port}`), [':::80', '::1:5000', 'fde7::ff00:3:22']);
  const udp = [
    '  sl  local_address rem_address   st',
    '   0: 0B00007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 7 2',
    '   1: 020012AC:A1B2 0B00007F:0035 01 00000000:00000000 00:00000000 00000000 0 0 8 2',
  ].join('\n');
  assert.deepEqual(parseProcNet(udp, 'udp'), [{ port: 53, protocol: 'udp', address: '127.0.0.11' }]);
});
