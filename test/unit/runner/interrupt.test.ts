import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { InterruptedError } from "../../../src/errors.js";
import { installInterruptHandler, type InterruptSignal } from "../../../src/runner/interrupt.js";

function setup() {
  const source = new EventEmitter();
  const controller = new AbortController();
  const calls: string[] = [];
  const dispose = installInterruptHandler({
    controller,
    source,
    onFirst: (signal: InterruptSignal) => calls.push(`first ${signal}`),
    onSecond: (signal: InterruptSignal) => calls.push(`second ${signal}`),
  });
  return { source, controller, calls, dispose };
}

describe("installInterruptHandler", () => {
  it("aborts on the first signal, then hands every further one to onSecond", () => {
    const { source, controller, calls } = setup();

    source.emit("SIGINT", "SIGINT");
    expect(controller.signal.aborted).toBe(true);
    expect(controller.signal.reason).toBeInstanceOf(InterruptedError);
    expect((controller.signal.reason as InterruptedError).message).toBe("interrupted by SIGINT");
    expect(calls).toEqual(["first SIGINT"]);

    source.emit("SIGTERM", "SIGTERM");
    source.emit("SIGINT", "SIGINT");
    expect(calls).toEqual(["first SIGINT", "second SIGTERM", "second SIGINT"]);
  });

  it("treats SIGTERM like Ctrl-C", () => {
    const { source, controller, calls } = setup();
    source.emit("SIGTERM", "SIGTERM");
    expect(controller.signal.aborted).toBe(true);
    expect(calls).toEqual(["first SIGTERM"]);
  });

  it("removes its listeners when disposed, and may be disposed twice", () => {
    const { source, controller, calls, dispose } = setup();
    expect(source.listenerCount("SIGINT")).toBe(1);
    expect(source.listenerCount("SIGTERM")).toBe(1);

    dispose();
    dispose();

    expect(source.listenerCount("SIGINT")).toBe(0);
    expect(source.listenerCount("SIGTERM")).toBe(0);
    source.emit("SIGINT", "SIGINT");
    expect(controller.signal.aborted).toBe(false);
    expect(calls).toEqual([]);
  });

  it("listens on the real process by default and leaves it as it was", () => {
    const before = process.listenerCount("SIGINT");
    const dispose = installInterruptHandler({ onSecond: () => {} });
    expect(process.listenerCount("SIGINT")).toBe(before + 1);
    dispose();
    expect(process.listenerCount("SIGINT")).toBe(before);
  });
});
