import { describe, expect, it } from "vitest";
import { formatClock, formatDuration } from "../../../src/runner/format.js";

describe("formatDuration", () => {
  it.each([
    [0, "0.0s"],
    [449, "0.4s"],
    [3200, "3.2s"],
    [59_940, "59.9s"],
    [59_960, "1m00s"],
    [125_000, "2m05s"],
    [3_599_000, "59m59s"],
    [3_720_000, "1h02m"],
  ])("%i ms reads %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe("formatClock", () => {
  it("pads hours, minutes and seconds", () => {
    expect(formatClock(new Date(2025, 0, 1, 7, 3, 9))).toBe("07:03:09");
  });
});
