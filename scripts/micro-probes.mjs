// Micro-benchmarks behind figures quoted in docs/performance.md, CHANGELOG.md, ADR 0002 and code comments:
//   sort   — the native BigUint64Array sort of 200k values vs Array#sort of 200k 16-byte strings (key-sort.ts)
//   pread  — fs.readSync of 1 B, 4, 8 and 16 KiB at random and sequential offsets of DIR's .sst files
//   suffix — writing a 6-byte key suffix: charCodeAt loop vs slice() + latin1Write (block-builder.ts)
//   keyout — a 16-byte binary-string key to a Buffer: allocUnsafe + loop vs Buffer.from(s, 'latin1') (bytes.ts)
//   crc    — zlib's crc32 of a 4 KiB block, as a block read from disk is checked (util/checksum.ts)
//   bloom  — a whole-table bloom check of a present key (util/bloom.ts, 10 bits per key, 500k and 8M keys)
//            against a cache-line-blocked variant (every probe in one 64-byte line, RocksDB's newer filters)
//   seek   — seekInBlock in one 4 KiB data block of 16-byte keys and 100-byte values, restart interval 16 and
//            4: the same block every time (in the CPU cache) and one of 20,000 copies spread over 80 MiB
//   free   — RSS before and after freeBeforeGc (util/free-before-gc.ts) of three written 40 MiB buffers: right
//            after the call, after setImmediate, after setTimeout 0; no garbage collection runs (ADR 0022)
//   keys   — the bench harness's KeySpace.key (src/bench/data.ts, ADR 0024) for 1M sequential and 1M random
//            indexes, against a view into a 16 MiB arena of all the keys (the harness before ADR 0024)
//   copy   — TypedArray#set against Buffer#fill (memcpy) into shared and unshared memory at misaligned
//            offsets, for 16 B to 128 KiB: the choice in copyRange (util/bytes.ts, ADR 0025)
//   weakref — how many of 1000 WeakRef targets, dead since creation, are still alive after two minor GCs and
//            after a major one (why a dead WriteBatch cannot be told apart in time, ADR 0025; needs --expose-gc)
// Usage: node scripts/micro-probes.mjs sort|suffix|keyout|crc|bloom|seek|free|keys|copy|weakref   or   node scripts/micro-probes.mjs pread DIR
//        (seek, free and keys need `npm run -s build` first; weakref: node --expose-gc scripts/micro-probes.mjs weakref)
import { openSync, readSync, fstatSync, readdirSync } from 'node:fs';

const [what, dir] = process.argv.slice(2);
const ns = (t0) => Number(process.hrtime.bigint() - t0);

/** Best of `rounds` timings of fn() (which runs `ops` operations), in ns per operation. */
function best(rounds, ops, fn) {
  let b = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    b = Math.min(b, ns(t0) / ops);
  }
  return b.toFixed(1);
}

if (what === 'sort') {
  const n = 200_000;
  for (let r = 0; r < 3; r++) {
    const lanes = new BigUint64Array(n);
    const w = new Uint32Array(lanes.buffer);
    for (let i = 0; i < 2 * n; i++) w[i] = (Math.random() * 2 ** 32) >>> 0;
    let t0 = process.hrtime.bigint();
    lanes.sort();
    const packed = ns(t0) / 1e6;
    const strings = Array.from({ length: n }, () => Math.random().toString(36).slice(2, 18).padEnd(16, 'x'));
    t0 = process.hrtime.bigint();
    strings.sort();
    console.log(
      `sort of ${n}: BigUint64Array ${packed.toFixed(1)} ms, 16-byte strings ${(ns(t0) / 1e6).toFixed(1)} ms`,
    );
  }
} else if (what === 'pread' && dir !== undefined) {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sst'))
    .map((f) => {
      const fd = openSync(`${dir}/${f}`, 'r');
      return { fd, size: fstatSync(fd).size };
    });
  const buf = Buffer.allocUnsafe(65536);
  for (const len of [1, 4096, 8192, 16384])
    for (const sequential of [false, true]) {
      const n = 200_000;
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) {
        const f = files[i % files.length];
        const span = f.size - 65536;
        const off = sequential ? (i * 4096) % span : Math.floor(Math.random() * span);
        readSync(f.fd, buf, 0, len, off);
      }
      const c = process.cpuUsage(c0);
      console.log(
        `pread ${len} B ${sequential ? 'sequential' : 'random    '}: ${(ns(t0) / n).toFixed(0)} ns/op, ` +
          `user ${(c.user / n).toFixed(2)} µs, system ${(c.system / n).toFixed(2)} µs`,
      );
    }
} else if (what === 'suffix') {
  const out = Buffer.allocUnsafe(1 << 20);
  const keys = Array.from({ length: 1000 }, (_, i) => `key${String(i * 997).padStart(13, '0')}`);
  const viaWrite = (p, k) => p + out.latin1Write(k.slice(10), p, k.length - 10);
  const viaLoop = (p, k) => {
    for (let i = 10; i < k.length; i++) out[p++] = k.charCodeAt(i);
    return p;
  };
  for (const [name, f] of [
    ['slice + latin1Write', viaWrite],
    ['charCodeAt loop', viaLoop],
  ])
    console.log(
      name,
      best(20, 200_000, () => {
        for (let r = 0; r < 200; r++) for (let i = 0, p = 0; i < 1000; i++) p = f(p, keys[i]);
      }),
      'ns per 6-byte suffix',
    );
} else if (what === 'keyout') {
  const keys = Array.from({ length: 1000 }, (_, i) => `key${String(i * 997).padStart(13, '0')}`);
  let sink = 0;
  const viaFrom = (s) => Buffer.from(s, 'latin1');
  const viaLoop = (s) => {
    const b = Buffer.allocUnsafe(s.length);
    for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
    return b;
  };
  for (const [name, f] of [
    ['Buffer.from latin1', viaFrom],
    ['allocUnsafe + loop', viaLoop],
  ])
    console.log(
      name,
      best(20, 200_000, () => {
        for (let r = 0; r < 200; r++) for (let i = 0; i < 1000; i++) sink += f(keys[i]).length;
      }),
      'ns per 16-byte key',
    );
  if (sink === 0) console.log('');
} else if (what === 'crc') {
  const { crc32 } = await import('node:zlib');
  const arena = Buffer.allocUnsafe(32 << 20);
  for (let i = 0; i < arena.length; i++) arena[i] = (i * 2654435761) >>> 24;
  const blocks = arena.length / 4096;
  let at = 0;
  let sink = 0;
  console.log(
    'crc32 of a 4 KiB block (subarray + call), blocks of a 32 MiB arena in turn:',
    best(10, 8192, () => {
      for (let i = 0; i < 8192; i++, at = (at + 1) % blocks)
        sink += crc32(arena.subarray(at * 4096, at * 4096 + 4096));
    }),
    'ns',
  );
  if (sink === 0.5) console.log('');
} else if (what === 'bloom') {
  const { bloomMayContain, buildBloom, probesFor } = await import('../dist/src/util/bloom.js');
  const k = probesFor(10);
  for (const n of [500_000, 8_000_000]) {
    const hashes = new Uint32Array(n);
    for (let i = 0; i < n; i++) hashes[i] = (Math.random() * 2 ** 32) >>> 0;
    const filter = buildBloom(hashes, n, 10);
    const lines = Math.ceil((n * 10) / 512);
    const blocked = new Uint8Array(lines * 64);
    const lineOf = (h) => (Math.imul(h, 0x9e3779b1) >>> 0) % lines;
    for (const h0 of hashes) {
      const base = lineOf(h0) * 64;
      const delta = ((h0 >>> 17) | (h0 << 15)) >>> 0;
      for (let j = 0, h = h0; j < k; j++, h = (h + delta) >>> 0)
        blocked[base + ((h & 511) >>> 3)] |= 1 << (h & 7);
    }
    const blockedMayContain = (h0) => {
      const base = lineOf(h0) * 64;
      const delta = ((h0 >>> 17) | (h0 << 15)) >>> 0;
      for (let j = 0, h = h0; j < k; j++, h = (h + delta) >>> 0)
        if ((blocked[base + ((h & 511) >>> 3)] & (1 << (h & 7))) === 0) return false;
      return true;
    };
    const ops = 1_000_000;
    const pick = Uint32Array.from({ length: ops }, () => hashes[(Math.random() * n) | 0]);
    let found = 0;
    const run = (check) => () => {
      for (let i = 0; i < ops; i++) if (check(pick[i])) found++;
    };
    console.log(
      `${n} keys (${(filter.length / 1048576).toFixed(1)} MiB filter), present keys: whole-table ` +
        `${best(
          3,
          ops,
          run((h) => bloomMayContain(filter, 0, filter.length, h)),
        )} ns, blocked ` +
        `${best(3, ops, run(blockedMayContain))} ns per check`,
    );
    if (found === 0.5) console.log('');
  }
} else if (what === 'seek') {
  const { BlockBuilder } = await import('../dist/src/sstable/block-builder.js');
  const { seekInBlock } = await import('../dist/src/sstable/block.js');
  const mk = (i) => 'key' + String(500_000 + i * 29).padStart(13, '0');
  const value = Buffer.alloc(100, 7);
  const out = { trailer: 0, valueOffset: 0, valueLength: 0 };
  const seekTrailer = 2 ** 45 * 256;
  const ops = 2_000_000;
  const copies = 20_000;
  const order = Uint32Array.from({ length: ops }, () => (Math.random() * copies) | 0);
  for (const interval of [16, 4]) {
    const b = new BlockBuilder(interval);
    let n = 0;
    while (b.estimatedSize < 4096 - 130) b.add(mk(n), 1000 + n++, value, 0, 100);
    const block = Buffer.from(b.finish());
    const targets = Array.from({ length: n }, (_, i) => mk(i));
    const arena = Buffer.allocUnsafeSlow(copies * 4096);
    for (let c = 0; c < copies; c++) block.copy(arena, c * 4096);
    let found = 0;
    const hot = best(3, ops, () => {
      for (let i = 0; i < ops; i++)
        if (seekInBlock(block, 0, block.length, targets[i % n], seekTrailer, out, 'x', 0)) found++;
    });
    const cold = best(3, ops, () => {
      for (let i = 0; i < ops; i++) {
        const o = order[i] * 4096;
        if (seekInBlock(arena, o, o + block.length, targets[i % n], seekTrailer, out, 'x', 0)) found++;
      }
    });
    console.log(
      `seekInBlock, ${n} entries in ${block.length} bytes, restart interval ${interval}: ` +
        `same block ${hot} ns, one of ${copies} blocks over 80 MiB ${cold} ns (found ${found})`,
    );
  }
} else if (what === 'free') {
  const { freeBeforeGc } = await import('../dist/src/util/free-before-gc.js');
  const mib = () => (process.memoryUsage().rss / 1048576).toFixed(0);
  const before = mib();
  const buffers = [0, 1, 2].map((i) => Buffer.allocUnsafeSlow(40 << 20).fill(i).buffer);
  const written = mib();
  for (const ab of buffers) freeBeforeGc(ab);
  const called = mib();
  await new Promise((r) => setImmediate(r));
  const immediate = mib();
  await new Promise((r) => setTimeout(r, 0));
  console.log(
    `RSS ${before} MiB; 3 x 40 MiB written: ${written}; after freeBeforeGc: ${called}; after setImmediate: ` +
      `${immediate}; after setTimeout 0 (the loop's close phase has run): ${mib()} MiB ` +
      `(detached: ${buffers.every((ab) => ab.byteLength === 0)})`,
  );
} else if (what === 'weakref') {
  // Each step after a macrotask, so that no deref() of this job keeps a target alive (KeepDuringJob).
  const turn = () => new Promise((r) => setTimeout(r, 10));
  const refs = [];
  (() => {
    for (let i = 0; i < 1000; i++) refs.push(new WeakRef({ i, pad: new Array(10) }));
  })();
  await turn();
  globalThis.gc({ type: 'minor' });
  await turn();
  globalThis.gc({ type: 'minor' });
  await turn();
  const afterMinor = refs.filter((r) => r.deref() !== undefined).length;
  await turn();
  globalThis.gc();
  await turn();
  console.log(
    `WeakRef targets alive: after two minor GCs ${afterMinor} of 1000, after a major GC ${refs.filter((r) => r.deref() !== undefined).length}`,
  );
} else if (what === 'copy') {
  // Destinations at offset 3 mod 8, sources at 5 mod 8: what a batch's varint-prefixed keys and values meet.
  const shared = Buffer.from(new SharedArrayBuffer(1 << 20));
  const plain = Buffer.allocUnsafe(1 << 20);
  const srcMem = Buffer.allocUnsafe(256 * 1024 + 16);
  for (const size of [16, 100, 256, 512, 1024, 4096, 128 * 1024]) {
    const src = srcMem.subarray(5, 5 + size);
    const reps = Math.max(1, Math.floor((512 * 1024) / size));
    const row = [];
    for (const [name, dst] of [
      ['shared', shared],
      ['unshared', plain],
    ]) {
      const set = best(20, reps, () => {
        for (let i = 0, off = 3; i < reps; i++, off = ((off + size + 8) & 0x7fff8) | 3) dst.set(src, off);
      });
      const fill = best(20, reps, () => {
        for (let i = 0, off = 3; i < reps; i++, off = ((off + size + 8) & 0x7fff8) | 3)
          dst.fill(src, off, off + size);
      });
      row.push(`${name}: set ${set} ns, fill ${fill} ns`);
    }
    console.log(`${String(size).padStart(6)} B  ${row.join('   ')}`);
  }
} else if (what === 'keys') {
  const { KeySpace } = await import('../dist/src/bench/data.js');
  const n = 1_000_000;
  const arena = Buffer.allocUnsafe(n * 16);
  for (let i = 0; i < n; i++) arena.write('key' + String(i).padStart(13, '0'), i * 16, 'latin1');
  const view = (i) => arena.subarray(i * 16, i * 16 + 16);
  const keys = new KeySpace();
  const ring = (i) => keys.key(i);
  let sink = 0;
  const seq = (key) => () => {
    for (let i = 0; i < n; i++) sink += key(i)[15];
  };
  const rnd = (key) => () => {
    for (let i = 0; i < n; i++) sink += key((i * 7919) % n)[15];
  };
  console.log(
    `ns per key, best of 5 rounds of 1M: sequential — arena view ${best(5, n, seq(view))}, ` +
      `KeySpace.key ${best(5, n, seq(ring))}; random — arena view ${best(5, n, rnd(view))}, ` +
      `KeySpace.key ${best(5, n, rnd(ring))} (${sink > 0})`,
  );
} else {
  console.error(
    'usage: node scripts/micro-probes.mjs sort|suffix|keyout|crc|bloom|seek|free|keys|copy|weakref | pread DIR',
  );
  process.exit(2);
}
