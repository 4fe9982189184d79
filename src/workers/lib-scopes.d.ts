/** The virtual module scripts/module-scope.ts serves to the run-code worker's bundle: each editable module's scope. */
declare module "lib-scopes" {
  const scopes: Readonly<Record<string, Record<string, unknown>>>;
  export default scopes;
}
