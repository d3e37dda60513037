/**
 * Independent AWS calls made at once, where a step is on the install's critical path and their
 * round trips would otherwise add up. Every promise settles before the first rejection is
 * thrown, so no call is left running behind a failed step (the state and the report stay true).
 */
export async function allSettledOrThrow<T extends readonly unknown[]>(promises: readonly [...{ [K in keyof T]: Promise<T[K]> }]): Promise<T> {
  const settled: PromiseSettledResult<unknown>[] = await Promise.allSettled(promises as readonly Promise<unknown>[]);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
