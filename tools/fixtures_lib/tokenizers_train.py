"""Tokenizers of the tiny cases: trained with `tokenizers`, wrapped as transformers tokenizers."""

from __future__ import annotations

import json
import os
import tempfile

from .common import log


def train_wordpiece(texts, vocab_size):
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

    tk = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tk.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True
    )
    tk.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tk.decoder = decoders.WordPiece(prefix="##")
    trainer = trainers.WordPieceTrainer(
        vocab_size=vocab_size,
        special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"],
        # no limit_alphabet (it breaks frequency ties in hash-map order); the
        # WordPiece trainer is still not reproducible run to run, see
        # fixtures/README.md ("Known issue")
        continuing_subword_prefix="##",
        show_progress=False,
    )
    tk.train_from_iterator(texts, trainer)
    cls_id, sep_id = tk.token_to_id("[CLS]"), tk.token_to_id("[SEP]")
    tk.post_processor = processors.TemplateProcessing(
        single="[CLS]:0 $A:0 [SEP]:0",
        pair="[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    return tk


def train_bpe(texts, vocab_size):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    tk = Tokenizer(models.BPE())
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tk.train_from_iterator(texts, trainer)
    tk.post_processor = processors.RobertaProcessing(
        ("</s>", tk.token_to_id("</s>")), ("<s>", tk.token_to_id("<s>")), trim_offsets=True, add_prefix_space=False
    )
    return tk


def bpe_merges(tk):
    merges = json.loads(tk.to_str())["model"]["merges"]
    return [tuple(m.split(" ", 1)) if isinstance(m, str) else tuple(m) for m in merges]


def check_same_ids(hf_tok, raw, samples, pairs=None):
    for s in samples:
        a = hf_tok(s)["input_ids"]
        b = raw.encode(s).ids
        if a != b:
            raise RuntimeError(f"tokenizer mismatch on {s[:60]!r}: {a[:20]} vs {b[:20]}")
    for t, x in pairs or []:
        a = hf_tok(t, x)["input_ids"]
        b = raw.encode(t, x).ids
        if a != b:
            raise RuntimeError(f"tokenizer pair mismatch on {t!r}: {a[:20]} vs {b[:20]}")


def class_or_fast(transformers, name):
    return getattr(transformers, name + "Fast", None) or getattr(transformers, name)


def first_that_works(cls, builders, check):
    """The first tokenizer of `builders` ((how, build) pairs) that `check` accepts."""
    errors = []
    for how, build in builders:
        try:
            tok = build()
            check(tok)
            log(f"  {cls.__name__} built with {how}")
            return tok
        except Exception as exc:
            errors.append(f"{how}: {type(exc).__name__}: {exc}")
    raise RuntimeError(f"could not build {cls.__name__}: {errors}")


def make_wordpiece_hf(cls, raw, samples, pairs):
    vocab = raw.get_vocab()

    def from_vocab_file():
        d = tempfile.mkdtemp()
        with open(os.path.join(d, "vocab.txt"), "w", encoding="utf-8") as f:
            for t, _ in sorted(vocab.items(), key=lambda kv: kv[1]):
                f.write(t + "\n")
        return cls(vocab_file=os.path.join(d, "vocab.txt"), do_lower_case=True, model_max_length=128)

    builders = [
        ("vocab", lambda: cls(vocab=dict(vocab), do_lower_case=True, model_max_length=128)),
        ("vocab_file", from_vocab_file),
        ("tokenizer_object", lambda: cls(tokenizer_object=raw, do_lower_case=True, model_max_length=128,
                                         unk_token="[UNK]", sep_token="[SEP]", pad_token="[PAD]",
                                         cls_token="[CLS]", mask_token="[MASK]")),
    ]
    return first_that_works(cls, builders, lambda tok: check_same_ids(tok, raw, samples, pairs))


def make_bpe_hf(cls, raw, samples):
    vocab, merges = raw.get_vocab(), bpe_merges(raw)

    def from_vocab_file():
        d = tempfile.mkdtemp()
        with open(os.path.join(d, "vocab.json"), "w", encoding="utf-8") as f:
            json.dump(vocab, f)
        with open(os.path.join(d, "merges.txt"), "w", encoding="utf-8") as f:
            f.write("#version: 0.2\n")
            for a, b in merges:
                f.write(f"{a} {b}\n")
        return cls(vocab_file=os.path.join(d, "vocab.json"), merges_file=os.path.join(d, "merges.txt"),
                   model_max_length=1024)

    builders = [
        ("vocab", lambda: cls(vocab=dict(vocab), merges=list(merges), model_max_length=1024)),
        ("vocab_file", from_vocab_file),
        ("tokenizer_object", lambda: cls(tokenizer_object=raw, model_max_length=1024, bos_token="<s>",
                                         eos_token="</s>", sep_token="</s>", cls_token="<s>", unk_token="<unk>",
                                         pad_token="<pad>", mask_token="<mask>")),
    ]
    return first_that_works(cls, builders, lambda tok: check_same_ids(tok, raw, samples))
