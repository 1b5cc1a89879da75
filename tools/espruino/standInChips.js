/*
 * Stand-in chips for running zbms firmware bundles on Linux Espruino (tests only: never part of a
 * firmware bundle). Linux Espruino has no I2C chips, no ADC and no ESP32 module, so this file,
 * evaluated before the bundle (a RAM script prefix, or Storage `.boot0` in flash mode), puts:
 *   - I2C1: an ADS1115 (TI SBAS444: pointer, config/conversion/threshold registers, single-shot
 *     conversion started by OS = 1 that completes after 1/DR on getTime(), OS reads 0 meanwhile)
 *     and an INA226 (TI SBOS547: config with RST, shunt/bus/current/power, calibration,
 *     mask/enable, IDs; continuous results) at the addresses the host lists;
 *   - analogRead(pin): the ESP32 ADC code the host computed for that pin, / 4096;
 *   - ESP32.setAtten: records the attenuation.
 * Inputs: the global ZBMS_PINS, set by the host (tools/espruino/standIns.ts, from the board's
 * analog front end, host/virtualBoard/frontEnd.ts) before this file runs, and replaceable over the
 * console at any time: { ads: { "<addr>": [vAIN0..vAIN3] }, ina: { "<addr>": [shuntV, busV] },
 * esp: { "<pin>": code } }. An address not listed NACKs (throws, as Espruino's I2C does).
 * Register logic mirrors host/virtualBoard/chips (the virtual board's emulators). Plain ES5 for Espruino
 * 2v29; comments stay outside the functions (function text costs JsVars).
 */
var ZBMS_CHIPS = {};
I2C1 = {
  setup: function (o) {
    ZBMS_CHIPS.setup = o;
  },
  writeTo: function (a, d) {
    var c = zbmsChip(a);
    c.p = d[0];
    if (d.length < 3) return;
    var v = ((d[1] << 8) | d[2]) & 0xffff;
    if (c.ina) zbmsInaWrite(c, v);
    else zbmsAdsWrite(c, v);
  },
  readFrom: function (a, n) {
    var c = zbmsChip(a);
    var v = c.ina ? zbmsInaRead(c, a) : zbmsAdsRead(c, a);
    var out = new Uint8Array(n);
    for (var i = 0; i < n; i++) out[i] = i % 2 ? v & 0xff : (v >> 8) & 0xff;
    return out;
  },
};
function zbmsChip(a) {
  var c = ZBMS_CHIPS[a];
  if (c) return c;
  var ina = ZBMS_PINS.ina && ZBMS_PINS.ina[a];
  if (!ina && !(ZBMS_PINS.ads && ZBMS_PINS.ads[a])) throw new Error("I2C NACK at " + a);
  c = ina ? { ina: 1, p: 0, r: { 0: 0x4127, 5: 0, 6: 0, 7: 0, 254: 0x5449, 255: 0x2260 } } : { p: 0, r: [0, 0x8583, 0x8000, 0x7fff], done: -1 };
  ZBMS_CHIPS[a] = c;
  return c;
}
/* ADS1115: FSR per PGA code, SPS per DR code, MUX code -> AINp, AINn (-1 = GND); SBAS444 table 8 */
var ZBMS_ADS = { fsr: [6.144, 4.096, 2.048, 1.024, 0.512, 0.256, 0.256, 0.256], sps: [8, 16, 32, 64, 128, 250, 475, 860], mp: [0, 0, 1, 2, 0, 1, 2, 3], mn: [1, 3, 3, 3, -1, -1, -1, -1] };
function zbmsAdsConvert(cfg, a) {
  var ins = ZBMS_PINS.ads[a];
  var m = (cfg >> 12) & 7;
  var v = ins[ZBMS_ADS.mp[m]] - (ZBMS_ADS.mn[m] < 0 ? 0 : ins[ZBMS_ADS.mn[m]]);
  var n = Math.round((v / ZBMS_ADS.fsr[(cfg >> 9) & 7]) * 32768);
  return (n > 32767 ? 32767 : n < -32768 ? -32768 : n) & 0xffff;
}
function zbmsAdsWrite(c, v) {
  c.p &= 3;
  if (c.p === 0) return;
  if (c.p !== 1) {
    c.r[c.p] = v;
    return;
  }
  var busy = c.done >= 0;
  if (v & 0x8000 && !busy) c.done = getTime() + 1 / ZBMS_ADS.sps[(v >> 5) & 7];
  c.r[1] = (v & 0x7fff) | (busy || v & 0x8000 ? 0 : 0x8000);
}
function zbmsAdsRead(c, a) {
  var cfg = c.r[1];
  if (!(cfg & 0x100)) c.r[0] = zbmsAdsConvert(cfg, a);
  else if (c.done >= 0 && getTime() >= c.done) {
    c.r[0] = zbmsAdsConvert(cfg, a);
    c.r[1] = cfg | 0x8000;
    c.done = -1;
  }
  return c.r[c.p & 3];
}
/* INA226 (SBOS547): shunt LSB 2.5 uV, bus LSB 1.25 mV, current = shunt x CAL / 2048, power = current x bus / 20000 */
function zbmsInaWrite(c, v) {
  if (c.p === 0) {
    if (v & 0x8000) c.r[0] = 0x4127;
    else c.r[0] = v;
  } else if (c.p === 5) c.r[5] = v & 0x7fff;
  else if (c.p === 6 || c.p === 7) c.r[c.p] = v;
}
function zbmsInaRead(c, a) {
  var pv = ZBMS_PINS.ina[a];
  var sh = Math.round(pv[0] / 2.5e-6);
  var bus = Math.round(pv[1] / 1.25e-3);
  var cur = Math.round((sh * c.r[5]) / 2048);
  var r = { 1: sh, 2: bus, 3: Math.round((Math.abs(cur) * bus) / 20000), 4: cur };
  var v = r[c.p] !== undefined ? r[c.p] : c.r[c.p];
  return v === undefined ? 0 : v & 0xffff;
}
global.analogRead = function (pin) {
  var code = ZBMS_PINS.esp && ZBMS_PINS.esp[pin];
  return code === undefined ? 0 : code / 4096;
};
ESP32 = {
  setAtten: function (pin, code) {
    ZBMS_CHIPS[pin] = code;
  },
};
