/** Field options for a list field: its cost is its expected size times its items' cost. */
export const listOf = (expectedSize: number) => ({
  complexity: ({ childComplexity }: { childComplexity: number }) => 1 + expectedSize * childComplexity,
});
