/** FX fixtures for tests: the pairs of the preset corridor, named (tests may name currencies). */
import type { CurrencyPair } from "../../src/domain/fx/rate-source.js";

/** GBP per USD (the shipped series' pair). */
export const USD_GBP: CurrencyPair = Object.freeze({ base: "USD", quote: "GBP" });
/** EUR per USD. */
export const USD_EUR: CurrencyPair = Object.freeze({ base: "USD", quote: "EUR" });
