import { Writable } from "node:stream";

/** A Writable that keeps what was written, as stderr would show it. */
export function capture(): { output: Writable; text: () => string } {
  let text = "";
  const output = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      text += String(chunk);
      callback();
    },
  });
  return { output, text: () => text };
}
