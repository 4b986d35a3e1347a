/**
 * The page's memory (its workers and WASM heaps included) as Chromium measures it; null where the
 * API is missing (not cross-origin isolated) or Chromium has not answered within 30 s (it may hold
 * the measurement until its next garbage collection).
 */
export async function pageMemoryBytes(): Promise<number | null> {
  const measure = (performance as Performance & { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> }).measureUserAgentSpecificMemory;
  if (!measure || !crossOriginIsolated) return null;
  return Promise.race([measure.call(performance).then((m) => m.bytes), new Promise<null>((resolve) => setTimeout(() => resolve(null), 30_000))]);
}
