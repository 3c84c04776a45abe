export * from "./logger.js";
export * from "./exit.js";
export * from "./main.js";
export * from "./wasm-tier.js";
