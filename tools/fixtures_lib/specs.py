"""The fixture cases and the generate settings of reference.json."""

from __future__ import annotations

# What tiny-a and tiny-b share (2-layer encoders and decoders, 100-word passages, the training schedule).
TINY_COMMON = dict(ql=2, gel=2, gdl=2, g_init=0.05, words=100, q_steps=300, q_lr=2e-3, steps=600, batch=16)
CASES = {
    "tiny-a": dict(
        TINY_COMMON, seed=11, qv=400, gv=500, qh=32, qheads=4, q_ffn=64, gd=32, gheads=4, g_ffn=64,
        n_docs=4, mcl=48, init=0.2, max_chunks=6, max_passages=300, n_eval=8, lr=3e-3,
        templates=["what is {t}", "how does {t} work", "explain {t}", "tell me about {t}"],
        dtypes=["fp32", "fp16", "q8", "q4"],
    ),
    "tiny-b": dict(
        TINY_COMMON, seed=23, qv=300, gv=450, qh=48, qheads=6, q_ffn=96, gd=48, gheads=6, g_ffn=96,
        n_docs=3, mcl=64, init=0.25, max_chunks=4, max_passages=240, n_eval=6, lr=2e-3,
        templates=["what does {t} mean", "describe {t}", "how is {t} used"],
        dtypes=["fp32", "q8"],
    ),
}
HF_CASES = {"hf-o1": "o1", "hf-o2": "o2"}
HF_DTYPES = ["fp32"]  # fp32 only, to keep fixtures/ small (tiny-a/tiny-b carry the other dtypes)

# tiny-p: tiny-a's checkpoint without training, with a generator prefix that differs from the
# RAG-level one (transformers uses the generator's) and quoted passage titles (postprocess_docs
# strips one '"' at each end).  See prefix_case.py.
PREFIX_CASES = {
    "tiny-p": dict(
        base="tiny-a",
        generator_prefix="answer: ",
        rag_prefix="rag prefix: ",
        n_questions=8,
        min_gap=2e-4,
        dtypes=["fp32"],
    ),
}
# token_beam3_eoslist_badwords_len10's ids, in tiny-p's (= tiny-a's) generator vocabulary, chosen
# so that they matter (prefix_case.py asserts it).  At max_length - 1 ForcedEOSTokenLogitsProcessor
# gives every listed id the score 0, so each beam's "</s>" (2) and FORCED_EOS_ID continuations tie
# exactly and torch.topk's (unspecified) order of ties decides; FORCED_EOS_ID 0 ("<s>") is an id
# for which transformers' outputs equal those of a top-k that keeps ties in index order (asserted),
# and every tiny-p output then ends with 0.  Bad words: "/" (19) and "ec" (302) followed by "m"
# (81); each changes outputs on its own.
FORCED_EOS_ID = 0
BAD_WORDS_IDS = [[19], [302, 81]]
ALL_CASES = list(CASES) + list(PREFIX_CASES) + list(HF_CASES)

# (name, model kind, generate kwargs).  Names are those of the shared
# hf-reference schema, plus token_beam2_min6_len10 (the no_repeat_ngram_size
# setting without no_repeat_ngram_size, to show that the latter matters) and
# token_beam3_eoslist_badwords_len10 (a list of forced EOS ids and bad words;
# its ids are tiny-p's generator vocabulary, so only tiny-p has it).
SETTINGS = [
    ("token_greedy_len12", "token", dict(num_beams=1, max_length=12)),
    ("token_beam3_len12", "token", dict(num_beams=3, max_length=12)),
    ("token_beam3_ret2_len10", "token", dict(num_beams=3, num_return_sequences=2, max_length=10)),
    ("token_beam2_min6_len10", "token", dict(num_beams=2, min_length=6, max_length=10)),
    ("token_beam2_min6_len10_norepeat2", "token",
     dict(num_beams=2, min_length=6, no_repeat_ngram_size=2, max_length=10)),
    ("seq_beam2_ret1_len10", "seq", dict(num_beams=2, num_return_sequences=1, max_length=10)),
    ("seq_beam3_ret2_len10", "seq", dict(num_beams=3, num_return_sequences=2, max_length=10)),
    ("seq_beam2_ret2_nodedup_len8", "seq",
     dict(num_beams=2, num_return_sequences=2, do_deduplication=False, max_length=8)),
    ("token_beam3_eoslist_badwords_len10", "token",
     dict(num_beams=3, max_length=10, forced_eos_token_id=[2, FORCED_EOS_ID], bad_words_ids=BAD_WORDS_IDS)),
]
# Settings that only some cases have (the others' reference.json stay as they were).
SETTING_CASES = {"token_beam3_eoslist_badwords_len10": ("tiny-p",)}
SETTING_BY_NAME = {n: (k, kw) for n, k, kw in SETTINGS}
BATCH2_SETTINGS = ["token_greedy_len12", "token_beam3_len12", "seq_beam2_ret1_len10"]
MAX_ATTEMPTS = 3


def settings_for(case):
    """The SETTINGS a case's reference.json has."""
    return [s for s in SETTINGS if case in SETTING_CASES.get(s[0], (case,))]
