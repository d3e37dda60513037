/** Plain SGR codes: four colours do not justify a dependency. The caller decides (NO_COLOR, TTY). */
export type Paint = (text: string) => string;

const sgr =
  (open: number, close: number): Paint =>
  (text) =>
    `\u001B[${open}m${text}\u001B[${close}m`;

export const ansi = {
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  green: sgr(32, 39),
  yellow: sgr(33, 39),
  cyan: sgr(36, 39),
} as const satisfies Record<string, Paint>;

export type Palette = Record<keyof typeof ansi, Paint>;

const plain: Paint = (text) => text;
export const noColor: Palette = { bold: plain, dim: plain, red: plain, green: plain, yellow: plain, cyan: plain };

export function palette(color: boolean): Palette {
  return color ? ansi : noColor;
}
