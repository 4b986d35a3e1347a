/** The generate settings of tools/make_fixtures.py, by the name reference.json stores them under. */
export const GENERATE_SETTINGS: Record<string, { variant: 'token' | 'sequence'; args: Record<string, unknown> }> = {
  token_greedy_len12: { variant: 'token', args: { numBeams: 1, maxLength: 12 } },
  token_beam3_len12: { variant: 'token', args: { numBeams: 3, maxLength: 12 } },
  token_beam3_ret2_len10: { variant: 'token', args: { numBeams: 3, numReturnSequences: 2, maxLength: 10 } },
  token_beam2_min6_len10: { variant: 'token', args: { numBeams: 2, minLength: 6, maxLength: 10 } },
  token_beam2_min6_len10_norepeat2: { variant: 'token', args: { numBeams: 2, minLength: 6, maxLength: 10, noRepeatNgramSize: 2 } },
  seq_beam2_ret1_len10: { variant: 'sequence', args: { numBeams: 2, numReturnSequences: 1, maxLength: 10 } },
  seq_beam3_ret2_len10: { variant: 'sequence', args: { numBeams: 3, numReturnSequences: 2, maxLength: 10 } },
  seq_beam2_ret2_nodedup_len8: { variant: 'sequence', args: { numBeams: 2, numReturnSequences: 2, maxLength: 8, doDeduplication: false } },
  // tiny-p only (its ids are tiny-a's generator vocabulary): a list of forced EOS ids and bad words.
  token_beam3_eoslist_badwords_len10: { variant: 'token', args: { numBeams: 3, maxLength: 10, forcedEosTokenId: [2, 0], badWordsIds: [[19], [302, 81]] } },
};

/** Context arguments of one reference question, as the RAG classes take them. */
export function contextArgs(q: { context_input_ids: number[][]; doc_scores: number[] }, padTokenId = 1) {
  return {
    contextInputIds: q.context_input_ids,
    contextAttentionMask: q.context_input_ids.map((row) => row.map((id) => (id === padTokenId ? 0 : 1))),
    docScores: [q.doc_scores],
  };
}
