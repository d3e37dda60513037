/**
 * A clock that runs only while the installer makes progress. The kill-and-resume test gives it
 * to the proxy's latency model: while the installer is dead, or a resumed run is still
 * re-observing what earlier runs finished, provisioning stands still. So an interrupted install
 * follows the same timeline as an uninterrupted one, stretched by the catch-ups, and a kill at
 * logical offset t lands where an uninterrupted install would be at t. (Real AWS keeps
 * provisioning while the installer is dead; that only makes a resume easier: the resource is
 * then ready when the next run looks.)
 */
export class LogicalClock {
  private elapsed = 0;
  private since: number | undefined;

  /** Logical milliseconds so far. */
  now = (): number => this.elapsed + (this.since === undefined ? 0 : Date.now() - this.since);

  get running(): boolean {
    return this.since !== undefined;
  }

  start(): void {
    this.since ??= Date.now();
  }

  stop(): void {
    if (this.since === undefined) return;
    this.elapsed += Date.now() - this.since;
    this.since = undefined;
  }
}
