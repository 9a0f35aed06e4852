export * from "./rate-source.js";
export * from "./historical.js";
export * from "./ornstein-uhlenbeck.js";
export * from "./quote.js";
