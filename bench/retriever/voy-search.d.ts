// voy-search ships types for its bundler entry only; bench/retriever/systems.ts loads the glue
// module behind it and instantiates the WASM itself (see loadVoy there).
declare module 'voy-search/voy_search_bg.js' {
  export * from 'voy-search';
  export function __wbg_set_wasm(wasm: WebAssembly.Exports): void;
}
