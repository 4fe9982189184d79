// The part of Framework's standard library a component imports itself (a page has it built in).
declare module "observablehq:stdlib" {
  export function FileAttachment(name: string): { json(): Promise<unknown>; url(): Promise<string> };
}
