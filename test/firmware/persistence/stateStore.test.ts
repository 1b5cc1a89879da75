import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { crc32 as zlibCrc32 } from "node:zlib";
import {
  crcCarry,
  createStateStore,
  eraseState,
  flashWear,
  loadState,
  RECORD_CHUNK_B,
  recordBytes,
  saveState,
  STATE_HEADER_B,
  STATE_LAYOUT_VERSION,
  STATE_MAGIC,
  SLOT_NAMES,
} from "../../../firmware/persistence/stateStore";
import { byteCrc, FakeStorage } from "../storageFake";

function payload(n: number, k: number): Float64Array {
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) p[i] = k * 1000 + i + 0.1 * Math.PI * i;
  return p;
}

describe("state store", () => {
  it("round-trips a payload exactly, with its save time, from the newest slot", () => {
    const s = new FakeStorage();
    const st = createStateStore(s, byteCrc, 40, 1234);
    const p = payload(40, 1);
    p[3] = NaN;
    p[4] = -0;
    p[5] = 1 / 3;
    expect(saveState(st, p, 12.5)).toBe(true);
    expect(saveState(st, payload(40, 2), 13.5)).toBe(true);
    expect(Object.keys(s.files).sort()).toEqual(SLOT_NAMES);
    const st2 = createStateStore(s, byteCrc, 40, 1234);
    const r = loadState(st2);
    expect(r.state!.seq).toBe(2);
    expect(r.state!.savedAtS).toBe(13.5);
    expect(Array.from(r.state!.payload)).toEqual(Array.from(payload(40, 2)));
    expect(st2.seq).toBe(2);
    saveState(st2, p, 14);
    const r3 = loadState(createStateStore(s, byteCrc, 40, 1234)).state!;
    expect(r3.seq).toBe(3);
    expect(Object.is(r3.payload[4], -0)).toBe(true);
    expect(r3.payload[3]).toBeNaN();
    expect(r3.payload[5]).toBe(1 / 3);
  });

  it("CRC carry: the CRC of (carry word ++ b) is the CRC of (a ++ b), checked against zlib", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (a, b) => {
        const carried = new Uint8Array(4 + b.length);
        new DataView(carried.buffer).setUint32(0, crcCarry(byteCrc(a)), true);
        carried.set(b, 4);
        const whole = new Uint8Array(a.length + b.length);
        whole.set(a);
        whole.set(b, a.length);
        expect(byteCrc(carried)).toBe(zlibCrc32(whole));
      }),
      { numRuns: 300 },
    );
  });

  it("a record is written in chunks of RECORD_CHUNK_B and reads back as the one-piece layout", () => {
    const n = 100;
    const s = new FakeStorage();
    const st = createStateStore(s, byteCrc, n, 0xdeadbeef);
    expect(saveState(st, payload(n, 3), 42.25)).toBe(true);
    expect(s.writes).toBe(Math.ceil(recordBytes(n) / RECORD_CHUNK_B));
    // the layout of the header comment, built here independently (CRC by zlib)
    const want = new DataView(new ArrayBuffer(recordBytes(n)));
    [STATE_MAGIC, STATE_LAYOUT_VERSION, 1, n, 0xdeadbeef, 0].forEach((u, i) => want.setUint32(4 * i, u, true));
    want.setFloat64(STATE_HEADER_B - 8, 42.25, true);
    payload(n, 3).forEach((x, i) => want.setFloat64(STATE_HEADER_B + 8 * i, x, true));
    const crcAt = STATE_HEADER_B + 8 * n;
    want.setUint32(crcAt, zlibCrc32(new Uint8Array(want.buffer, 0, crcAt)), true);
    expect(Array.from(s.files[SLOT_NAMES[1]]!)).toEqual(Array.from(new Uint8Array(want.buffer)));
  });

  it("a power cut at any byte of a write leaves the previous good copy (or the new one when complete)", () => {
    const n = 100; // 4 chunks: the cut may fall in any of them
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: recordBytes(n) }), (goodSaves, cut) => {
        const s = new FakeStorage();
        const st = createStateStore(s, byteCrc, n, 77);
        for (let k = 1; k <= goodSaves; k++) saveState(st, payload(n, k), k);
        s.cutAt = cut;
        const ok = saveState(st, payload(n, 99), 99);
        expect(ok).toBe(false);
        const r = loadState(createStateStore(s, byteCrc, n, 77));
        const got = r.state!;
        if (cut === recordBytes(n)) {
          // every byte reached flash before the cut: the new copy is complete and valid
          expect(got.seq).toBe(goodSaves + 1);
          expect(Array.from(got.payload)).toEqual(Array.from(payload(n, 99)));
        } else {
          expect(got.seq).toBe(goodSaves);
          expect(Array.from(got.payload)).toEqual(Array.from(payload(n, goodSaves)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("any single flipped bit in the newest copy falls back to the older one", () => {
    const n = 40;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: recordBytes(n) * 8 - 1 }), (bit) => {
        const s = new FakeStorage();
        const st = createStateStore(s, byteCrc, n, 5);
        saveState(st, payload(n, 1), 1);
        saveState(st, payload(n, 2), 2);
        const f = s.files[SLOT_NAMES[0]]; // seq 2 went to slot 0
        f[bit >> 3] ^= 1 << (bit & 7);
        const r = loadState(createStateStore(s, byteCrc, n, 5));
        expect(r.state!.seq).toBe(1);
        expect(r.reason).toMatch(/^ok \(slot0: .*; slot1: ok seq 1\)$/);
      }),
      { numRuns: 200 },
    );
  });

  it("says why nothing was restored: none, another config, another payload length", () => {
    const s = new FakeStorage();
    expect(loadState(createStateStore(s, byteCrc, 8, 1)).reason).toBe("slot0: none; slot1: none");
    saveState(createStateStore(s, byteCrc, 8, 1), payload(8, 1), 1);
    expect(loadState(createStateStore(s, byteCrc, 8, 2)).reason).toBe("slot0: none; slot1: made with another config");
    expect(loadState(createStateStore(s, byteCrc, 9, 1)).reason).toBe("slot0: none; slot1: holds 8 values, this config needs 9");
    const st = createStateStore(s, byteCrc, 8, 1);
    eraseState(st);
    expect(s.files).toEqual({});
  });

  it("refuses a payload of the wrong length without writing", () => {
    const s = new FakeStorage();
    const st = createStateStore(s, byteCrc, 8, 1);
    expect(saveState(st, new Float64Array(7), 0)).toBe(false);
    expect(s.writes).toBe(0);
    expect(st.failedSaves).toBe(1);
  });

  it("flash-wear budget: a 300-double state every 300 s + 5 cycle ends/day lasts decades", () => {
    const w = flashWear(300, 300, 5);
    expect(w.writesPerDay).toBe(293);
    expect(w.bytesPerDay).toBe(293 * (recordBytes(300) + 32));
    expect(w.lifetimeYears).toBeGreaterThan(20);
    console.log("flash wear (300 doubles, 300 s):", JSON.stringify(w));
  });
});
