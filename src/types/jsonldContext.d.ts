// jsonld's internal context module (CommonJS, no types), reached by src/signing/jsonldContextClone.ts.
declare module 'jsonld/lib/context.js' {
  const api: unknown;
  export default api;
}
