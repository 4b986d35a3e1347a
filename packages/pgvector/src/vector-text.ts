import pgvector from 'pgvector';

/**
 * pgvector's text format, `[x1,x2,…]`. Nine significant digits name every float32 uniquely
 * (half the text of its double value, which pgvector's `toSql` writes, and −0 keeps its sign);
 * pgvector's shortest float4 output is read back the same way: the float32 bits come back unchanged.
 */
export function vectorToSql(v: Float32Array): string {
  return `[${Array.from(v, (x) => (Object.is(x, -0) ? '-0' : x.toPrecision(9))).join(',')}]`;
}

export function vectorFromSql(text: string): Float32Array {
  return Float32Array.from(pgvector.fromSql(text) as number[]);
}
