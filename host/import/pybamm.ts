/**
 * PyBaMM / PyBOP synthetic CSV: "Time [s]", "Current function [A]" (or "Current [A]"),
 * "Voltage [V]" (or "Terminal voltage [V]"). PyBaMM's convention is the opposite of zbms's:
 * **positive current discharges**, so the sign is flipped here. An experiment's current is a
 * step function and each output row ends one period, so a change of current is emitted at the
 * previous row's time (see `currentHeldBackward`).
 */
import { tabularImporter, type TabularFormat } from "./tabular";

/** PyBaMM: "positive current corresponds to discharge" (PyBaMM docs, current function). */
const PYBAMM_CURRENT_SIGN = -1;

export const PYBAMM_FORMAT: TabularFormat = {
  format: "pybamm",
  description: "PyBaMM/PyBOP CSV",
  columns: {
    time: [{ header: "Time [s]", scale: 1 }, { header: "Time [h]", scale: 3600 }],
    voltage: [{ header: "Voltage [V]", scale: 1 }, { header: "Terminal voltage [V]", scale: 1 }],
    current: [{ header: "Current function [A]", scale: 1 }, { header: "Current [A]", scale: 1 }],
    temp: [{ header: "Cell temperature [C]", scale: 1 }],
  },
  required: ["time", "voltage", "current"],
  currentSign: PYBAMM_CURRENT_SIGN,
  // PyBaMM experiments apply piecewise-constant current; each output row closes a period.
  currentHeldBackward: true,
};

export const pybammImporter = tabularImporter(PYBAMM_FORMAT);
