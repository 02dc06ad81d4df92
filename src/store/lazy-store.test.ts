import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LazyStore } from './lazy-store.js';
import { MemoryStore } from './store.js';

test('the store is opened on first use only; closing an unopened one opens nothing', () => {
  let opened = 0;
  const unused = new LazyStore(() => {
    opened++;
    return new MemoryStore();
  });
  unused.close();
  assert.equal(opened, 0);
  const used = new LazyStore(() => {
    opened++;
    return new MemoryStore();
  });
  assert.equal(used.read().revision, 0);
  used.update(() => ({ result: undefined, state: { schema: 1, profile: 'default', networks: [], containers: [], host: {} as never, subnetRotatingIndex: 0, nextPid: 1 } }));
  assert.equal(used.read().revision, 1);
  assert.equal(opened, 1, 'opened once, then reused');
  used.close();
});
