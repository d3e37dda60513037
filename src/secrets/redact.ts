/**
 * Last line of defence: replaces known secret values in text bound for a terminal or log file.
 * The first line is never to put a secret in a message at all (STYLE.md §7).
 */
export const REDACTED = "[redacted]";

export class Redactor {
  readonly #needles = new Set<string>();

  /** Registers a secret and the encodings it commonly travels in. Short values would redact noise. */
  add(secret: string | undefined): void {
    if (!secret || secret.length < 6) return;
    const buffer = Buffer.from(secret, "utf8");
    for (const form of [secret, buffer.toString("base64"), buffer.toString("base64url"), encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]) {
      this.#needles.add(form);
    }
  }

  redact(text: string): string {
    let result = text;
    // Longest first, so a secret's encoding is not half-replaced by a shorter secret inside it.
    for (const needle of [...this.#needles].sort((a, b) => b.length - a.length)) {
      if (result.includes(needle)) result = result.split(needle).join(REDACTED);
    }
    return result;
  }
}
