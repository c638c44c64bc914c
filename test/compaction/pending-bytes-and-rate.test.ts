// Pending-compaction-bytes back-pressure, the compaction rate limiter, and the space / cache statistics
// (issue #3: back-pressure on "pending compaction bytes", compactionRateLimit, space amplification, cache
// hits and misses per block kind). Counts only, never timings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraniteDB, WriteBatch, type Options } from '../../src/index.js';
import { MemoryFileSystem } from '../../src/fs/index.js';
import { compactionOptions, makeTempDir, removeDir } from '../../src/testing/index.js';

const key = (i: number): string => `key${String(i).padStart(7, '0')}`;
const value = (i: number, round: number): string =>
  `v${round}-${i}-`.padEnd(120, String.fromCharCode(97 + (i % 26)));

async function fill(db: GraniteDB, n: number, round: number, stride = 7919): Promise<void> {
  const b = new WriteBatch();
  for (let i = 0; i < n; i += 100) {
    b.clear();
    for (let j = i; j < Math.min(i + 100, n); j++)
      b.put(key((j * stride) % n), value((j * stride) % n, round));
    await db.write(b);
  }
}

for (const c of [
  {
    name: 'soft limit: write groups are slowed',
    soft: 8 * 1024,
    hard: 1 << 30,
    counter: 'pendingBytesSlowdowns',
  },
  { name: 'hard limit: writers wait', soft: 8 * 1024, hard: 8 * 1024, counter: 'pendingBytesStops' },
] as const) {
  test(`pending compaction bytes back-pressure, ${c.name}, and every write lands`, async () => {
    const fs = new MemoryFileSystem();
    const options: Partial<Options> = compactionOptions('leveled', {
      fileSystem: fs,
      level0CompactionTrigger: 2,
      level0SlowdownTrigger: 1000, // L0 count never triggers: only the pending bytes do
      level0StopTrigger: 1000,
      softPendingCompactionBytesLimit: c.soft,
      hardPendingCompactionBytesLimit: c.hard,
      maxBytesForLevelBase: 16 * 1024,
    });
    const db = await GraniteDB.open('/db', options);
    try {
      const N = 3000;
      for (let i = 0; i < N; i += 16) {
        const writes: Promise<void>[] = [];
        for (let j = i; j < i + 16; j++) writes.push(db.put(key(j), value(j, 0)));
        await Promise.all(writes); // every write succeeds: a rejection fails the test here
      }
      const counters = db.stats().counters;
      assert.ok(counters[c.counter] > 0, `${c.counter} ${counters[c.counter]}`);
      assert.ok(counters.slowdowns >= counters.pendingBytesSlowdowns);
      assert.ok(counters.stopStalls >= counters.pendingBytesStops);
      await db.waitForCompaction();
      for (let i = 0; i < N; i++) assert.equal(db.getSync(key(i))?.toString(), value(i, 0));
    } finally {
      await db.close();
    }
  });
}

test('pendingCompactionBytes is 0 on a compacted tree and counts L0 at its trigger', async () => {
  const fs = new MemoryFileSystem();
  const db = await GraniteDB.open('/db', {
    fileSystem: fs,
    memtableSize: 16 * 1024,
    level0CompactionTrigger: 4,
    backgroundThreads: 0,
  });
  try {
    await fill(db, 2000, 0);
    await db.flush();
    await db.compactRange();
    await db.waitForCompaction();
    assert.equal(db.stats().pendingCompactionBytes, 0);
    const sa = db.stats().spaceAmplification;
    assert.ok(sa >= 1 && sa < 1.01, `space amplification after a full compaction: ${sa}`);
  } finally {
    await db.close();
  }
});

test('space amplification counts overwritten versions still in upper levels', async () => {
  const fs = new MemoryFileSystem();
  const db = await GraniteDB.open('/db', {
    fileSystem: fs,
    memtableSize: 16 * 1024,
    level0CompactionTrigger: 100, // keep the new L0 tables above L1
    level0SlowdownTrigger: 100,
    level0StopTrigger: 100,
    backgroundThreads: 0,
  });
  try {
    await fill(db, 2000, 0);
    await db.flush();
    await db.compactRange(); // round 0 now in L1
    await fill(db, 2000, 1); // a second copy of every key, in L0
    await db.flush();
    const s = db.stats();
    assert.ok(s.levels[0]!.files > 0 && s.levels[1]!.files > 0);
    assert.ok(s.spaceAmplification > 1.8, `space amplification ${s.spaceAmplification}`);
  } finally {
    await db.close();
  }
});

test('cache statistics per block kind: data through the cache, index and filter pinned per open table', async () => {
  const fs = new MemoryFileSystem();
  const db = await GraniteDB.open('/db', { fileSystem: fs, memtableSize: 32 * 1024, backgroundThreads: 0 });
  try {
    await fill(db, 2000, 0);
    await db.flush();
    for (let i = 0; i < 2000; i++) db.getSync(key(i));
    for (let i = 0; i < 2000; i++) db.getSync(key(i));
    for (let i = 0; i < 100; i++) db.getSync(`missing${i}`);
    const s = db.stats();
    const bc = s.blockCache;
    assert.ok(bc.data.misses > 0 && bc.data.hits > bc.data.misses, JSON.stringify(bc.data));
    assert.equal(bc.data.hits, s.counters.cacheHits);
    assert.equal(bc.index.misses, s.counters.tableOpens);
    // Every table has a filter at 10 bits per key: each open read it, or took it from the table's writer.
    assert.ok(s.counters.tableOpens > 0);
    assert.equal(bc.filter.misses + s.counters.tableHandovers, s.counters.tableOpens);
    assert.ok(bc.index.hits >= 4000, `index lookups ${bc.index.hits}`);
    assert.equal(bc.filter.hits, s.counters.bloomChecks);
  } finally {
    await db.close();
  }
});

test('compactionRateLimit makes compactions wait for the token bucket; unlimited never waits', async () => {
  for (const limit of [0, 256 * 1024]) {
    const dir = makeTempDir('granite-ratelimit-');
    try {
      const db = await GraniteDB.open(dir, {
        memtableSize: 64 * 1024,
        level0CompactionTrigger: 2,
        compactionRateLimit: limit,
        backgroundThreads: 1,
      });
      await fill(db, 6000, 0);
      await db.flush();
      await db.compactRange();
      await db.waitForCompaction();
      const c = db.stats().counters;
      assert.ok(c.compactionBytesWritten > 512 * 1024, `compactions wrote ${c.compactionBytesWritten}`);
      if (limit === 0) assert.equal(c.rateLimitWaits, 0);
      else assert.ok(c.rateLimitWaits > 0 && c.rateLimitMillis > 0, `waits ${c.rateLimitWaits}`);
      for (let i = 0; i < 6000; i += 13) assert.equal(db.getSync(key(i))?.toString(), value(i, 0));
      await db.close();
    } finally {
      removeDir(dir);
    }
  }
});

test('soft pending-bytes limit above the hard one is INVALID_ARGUMENT', async () => {
  await assert.rejects(
    GraniteDB.open('/db', {
      fileSystem: new MemoryFileSystem(),
      softPendingCompactionBytesLimit: 1 << 20,
      hardPendingCompactionBytesLimit: 1 << 19,
    }),
    (err: unknown) => (err as { code?: string }).code === 'INVALID_ARGUMENT',
  );
});
