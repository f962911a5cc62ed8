import DataLoader from 'dataloader';

/** A DataLoader over a batch read that returns a Map; missing keys resolve to `fallback`. */
export function batchLoader<K, V>(fetch: (keys: readonly K[]) => Promise<Map<K, V>>, fallback: V): DataLoader<K, V>;
export function batchLoader<K, V>(fetch: (keys: readonly K[]) => Promise<Map<K, V>>): DataLoader<K, V | undefined>;
export function batchLoader<K, V>(fetch: (keys: readonly K[]) => Promise<Map<K, V>>, fallback?: V): DataLoader<K, V | undefined> {
  return new DataLoader<K, V | undefined>(async (keys) => {
    const found = await fetch(keys);
    return keys.map((k) => found.get(k) ?? fallback);
  });
}

/** A value read at most once per request. */
export function once<T>(read: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => (pending ??= read());
}
