"""tiny-p: tiny-a's checkpoint (not trained further) with prefixes and quoted titles.

- `config.generator.prefix` ("answer: ") differs from the RAG-level `config.prefix`
  ("rag prefix: "): transformers passes the generator's (RagModel.forward and
  RagTokenForGeneration.generate call the retriever with
  `prefix=self.generator.config.prefix`; RagRetriever.__call__ defaults to
  `self.config.generator.prefix`), so every context string starts with "answer: ".
- Passage titles in double quotes, some with a quote at one end only, one title with
  quotes inside (corpus.quote_titles); `postprocess_docs` strips one '"' each side.
  The passage embeddings are recomputed with the context encoder on the quoted titles.
- The generate setting token_beam3_eoslist_badwords_len10 (a list of forced EOS ids and
  bad words), asserted to matter here.
"""

from __future__ import annotations

import json
import os
import shutil
import time

import numpy as np

from .common import REPO_DIR, log, read_jsonl, write_jsonl
from .corpus import quote_kind, quote_titles
from .export import run_export, write_qa
from .generation import batch_decode, run_generate, stable_topk
from .reference import compute_reference
from .retrieval import embed_passages, postprocess, top_docs
from .specs import CASES, SETTING_BY_NAME, settings_for

EOSLIST_SETTING = "token_beam3_eoslist_badwords_len10"


def base_case_dir(out_dir, base):
    for d in (os.path.join(out_dir, base), os.path.join(REPO_DIR, "fixtures", base)):
        if os.path.isfile(os.path.join(d, "hf", "rag-token", "config.json")):
            return d
    raise FileNotFoundError(f"{base}/hf/rag-token not found in {out_dir} or fixtures/ (build {base} first)")


def json_diff(a, b, path=""):
    """Paths of the keys whose values differ between two JSON objects."""
    out = []
    for k in sorted(set(a) | set(b)):
        x, y = a.get(k, "<absent>"), b.get(k, "<absent>")
        if isinstance(x, dict) and isinstance(y, dict):
            out += json_diff(x, y, f"{path}{k}.")
        elif x != y:
            out.append(f"{path}{k}")
    return out


def copy_checkpoint(base_dir, hf_dir, spec):
    """tiny-a's hf/ (weights and tokenizers byte for byte) with both prefixes in config.json."""
    from transformers import RagConfig, RagTokenForGeneration

    shutil.copytree(os.path.join(base_dir, "hf"), hf_dir)
    rag_dir, ctx_dir = os.path.join(hf_dir, "rag-token"), os.path.join(hf_dir, "ctx-encoder")
    cfg = RagConfig.from_pretrained(rag_dir)
    cfg.prefix = spec["rag_prefix"]
    cfg.generator.prefix = spec["generator_prefix"]
    cfg.save_pretrained(rag_dir)
    with open(os.path.join(base_dir, "hf", "rag-token", "config.json")) as f, \
            open(os.path.join(rag_dir, "config.json")) as g:
        changed = json_diff(json.load(f), json.load(g))
    if changed != ["generator.prefix", "prefix"]:
        raise AssertionError(f"config.json changed in more than the prefixes: {changed}")
    model = RagTokenForGeneration.from_pretrained(rag_dir)
    got = (model.config.prefix, model.config.generator.prefix, model.rag.generator.config.prefix)
    if got != (spec["rag_prefix"], spec["generator_prefix"], spec["generator_prefix"]):
        raise AssertionError(f"prefixes after reload: {got}")
    if spec["rag_prefix"] == spec["generator_prefix"]:
        raise AssertionError("the two prefixes must differ")
    return rag_dir, ctx_dir


def context_encoder(torch, ctx_dir, base_dir, base_passages):
    """The ctx encoder and its tokenizer, checked to give the base case's embeddings again."""
    from transformers import AutoTokenizer, DPRContextEncoder

    ctx_model = DPRContextEncoder.from_pretrained(ctx_dir).eval()
    ctok = AutoTokenizer.from_pretrained(ctx_dir)
    again = embed_passages(torch, ctx_model, ctok, base_passages)
    d = float(np.abs(again - np.load(os.path.join(base_dir, "passage_embeddings.npy"))).max())
    if d > 1e-5:
        raise AssertionError(f"the ctx encoder does not reproduce the base embeddings (max diff {d})")
    log(f"  ctx encoder reproduces the base case's embeddings (max abs diff {d:.2e})")
    return ctx_model, ctok


def inner_quote_title(passages):
    """The first title (sorted) of two words or more: the one with quotes inside."""
    return sorted({p["title"] for p in passages if " " in p["title"]})[0]


def choose_questions(torch, model, qtok, gtok, passages, emb, base_ref, titles, templates, spec):
    """The base case's reference questions, after questions whose retrieved passages have a title
    quoted at one end only and the title with inner quotes; all with a retrieval margin >= min_gap."""
    cfg, n_docs = model.config, model.config.n_docs
    pool = list(base_ref["questions"]) + [tpl.format(t=t) for tpl in templates for t in titles]
    items, seen = [], set()
    with torch.no_grad():
        for q in pool:
            if q in seen:
                continue
            seen.add(q)
            enc = qtok(q, return_tensors="pt")
            pooled = model.rag.question_encoder(enc["input_ids"], attention_mask=enc["attention_mask"],
                                                return_dict=True).pooler_output
            doc_ids, gap = top_docs(emb, pooled[0].numpy(), n_docs)
            if gap < spec["min_gap"]:
                continue
            qstr = batch_decode(qtok, enc["input_ids"])[0]
            strings, _, _ = postprocess(cfg, gtok, passages, doc_ids, qstr, n_docs, torch)
            top = strings[0].removeprefix(spec["generator_prefix"])
            title_part, rest = top.split(cfg.title_sep, 1)
            answer = title_part + cfg.title_sep + " ".join(rest.split()[:4])
            kinds = {quote_kind(passages[i]["title"]) for i in doc_ids}
            items.append(dict(question=q, answer=answer, kinds=kinds))
    picked = []
    for kind in ("inner", "start", "end"):
        hit = next((it for it in items if kind in it["kinds"]), None)
        if hit is None:
            raise AssertionError(f"no question retrieves a passage whose title is quoted as {kind!r}")
        if hit not in picked:
            picked.append(hit)
    for it in items:
        if len(picked) >= spec["n_questions"]:
            break
        if it not in picked:
            picked.append(it)
    return [it["question"] for it in picked], [it["answer"] for it in picked]


def tie_order_sensitive(torch, model, seq_model, ref, name):
    """Per setting, the questions whose transformers output changes when torch.topk keeps exact ties
    in index order (as rag-web's beam search does)."""
    out = {}
    with torch.no_grad(), stable_topk(torch):
        for s, kind, kw in settings_for(name):
            out[s] = sum(
                run_generate(kind, kw, model, seq_model, torch.tensor(pq["context_input_ids"]),
                             torch.tensor(pq["context_attention_mask"]), torch.tensor([pq["doc_scores"]]),
                             len(pq["doc_ids"])) != pq["generate"][s]
                for pq in ref["per_question"])
    return out


def setting_checks(torch, rag_dir, ref, name):
    """The list of forced EOS ids and the bad words of EOSLIST_SETTING both change outputs, and its
    outputs do not depend on the order of exact ties in torch.topk (see specs.FORCED_EOS_ID)."""
    from transformers import RagSequenceForGeneration, RagTokenForGeneration

    model = RagTokenForGeneration.from_pretrained(rag_dir).eval()
    seq_model = RagSequenceForGeneration.from_pretrained(rag_dir).eval()
    kind, kw = SETTING_BY_NAME[EOSLIST_SETTING]
    forced, bad = kw["forced_eos_token_id"], kw["bad_words_ids"]
    variants = {
        "no_bad_words": {k: v for k, v in kw.items() if k != "bad_words_ids"},
        "forced_eos_2_only": dict(kw, forced_eos_token_id=forced[0]),
    }
    for j in range(len(bad)):
        variants[f"without_bad_word_{j}"] = dict(kw, bad_words_ids=bad[:j] + bad[j + 1 :])
    changed = {v: 0 for v in variants}
    ends_with_other, bad_seen = 0, 0
    with torch.no_grad():
        for pq in ref["per_question"]:
            cids = torch.tensor(pq["context_input_ids"])
            cmask = torch.tensor(pq["context_attention_mask"])
            ds = torch.tensor([pq["doc_scores"]])
            got = pq["generate"][EOSLIST_SETTING]
            for v, vkw in variants.items():
                other = run_generate(kind, vkw, model, seq_model, cids, cmask, ds, len(pq["doc_ids"]))
                changed[v] += other != got
            for s in got:
                ends_with_other += s[-1] in forced[1:]
                bad_seen += any(s[i : i + len(b)] == b for b in bad for i in range(len(s) - len(b) + 1))
    ties = tie_order_sensitive(torch, model, seq_model, ref, name)
    res = {"bad_words_change_outputs": changed["no_bad_words"],
           "each_bad_word_changes_outputs": [changed[f"without_bad_word_{j}"] for j in range(len(bad))],
           "forced_eos_list_changes_outputs": changed["forced_eos_2_only"],
           "sequences_ending_with_other_forced_id": ends_with_other, "sequences_with_bad_words": bad_seen,
           "questions_changed_by_stable_topk": ties}
    log(f"  {EOSLIST_SETTING}: {res}")
    if res["bad_words_change_outputs"] < 1 or min(res["each_bad_word_changes_outputs"]) < 1 or bad_seen:
        raise AssertionError(f"{EOSLIST_SETTING}: the bad words do not matter or still occur: {res}")
    if res["forced_eos_list_changes_outputs"] < 1 or ends_with_other < 1:
        raise AssertionError(f"{EOSLIST_SETTING}: the forced EOS list does not matter: {res}")
    if ties[EOSLIST_SETTING]:
        raise AssertionError(f"{EOSLIST_SETTING}: outputs depend on torch.topk's order of ties: {res}")
    return res


def build_prefix_case(name, spec, out_dir, args, versions):
    import torch
    from transformers import RagTokenForGeneration, RagTokenizer

    t0 = time.time()
    base_dir = base_case_dir(out_dir, spec["base"])
    case_dir = os.path.join(out_dir, name)
    if os.path.isdir(case_dir):
        shutil.rmtree(case_dir)
    os.makedirs(case_dir)
    rag_dir, ctx_dir = copy_checkpoint(base_dir, os.path.join(case_dir, "hf"), spec)

    base_passages = read_jsonl(os.path.join(base_dir, "passages.jsonl"))
    passages = quote_titles(base_passages, inner_quote_title(base_passages))
    write_jsonl(os.path.join(case_dir, "passages.jsonl"), passages)
    kinds = [quote_kind(p["title"]) for p in passages]
    log(f"{name}: {len(passages)} passages from {spec['base']}, titles quoted: "
        f"{ {k: kinds.count(k) for k in sorted(set(kinds))} }")
    ctx_model, ctok = context_encoder(torch, ctx_dir, base_dir, base_passages)
    emb = embed_passages(torch, ctx_model, ctok, passages)
    np.save(os.path.join(case_dir, "passage_embeddings.npy"), emb)

    with open(os.path.join(base_dir, "reference.json")) as f:
        base_ref = json.load(f)
    model = RagTokenForGeneration.from_pretrained(rag_dir).eval()
    rtok = RagTokenizer.from_pretrained(rag_dir)
    questions, answers = choose_questions(torch, model, rtok.question_encoder, rtok.generator, passages, emb,
                                          base_ref, sorted({p["title"] for p in base_passages}),
                                          CASES[spec["base"]]["templates"], spec)
    cfg = model.config
    config_info = {"base": spec["base"], "generator_prefix": cfg.generator.prefix, "rag_prefix": cfg.prefix,
                   "n_docs": cfg.n_docs, "mcl": cfg.max_combined_length, "n_passages": len(passages),
                   "quoted_titles": {k: kinds.count(k) for k in sorted(set(kinds))}}
    ref = compute_reference(name, rag_dir, ctx_dir, case_dir, passages, emb, questions, answers, config_info,
                            versions)
    for pq in ref["per_question"]:
        if not all(s.startswith(spec["generator_prefix"]) for s in pq["context_strings"]):
            raise AssertionError(f"{name}: a context string does not start with the generator prefix")
    retrieved = {quote_kind(passages[i]["title"]) for pq in ref["per_question"] for i in pq["doc_ids"]}
    checks = setting_checks(torch, rag_dir, ref, name)
    with open(os.path.join(case_dir, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(ref, f, separators=(",", ":"))
    write_qa(case_dir, ref)
    log(f"{name}: reference.json written ({time.time() - t0:.1f}s so far); retrieved title kinds {sorted(retrieved)}")

    export_summary = run_export(rag_dir, ctx_dir, os.path.join(case_dir, "model"), spec["dtypes"], args)
    return {"seconds": round(time.time() - t0, 1), "export": export_summary, "derived_from": spec["base"],
            "prefixes": {"generator": cfg.generator.prefix, "rag": cfg.prefix},
            "retrieved_title_quoting": sorted(retrieved),
            "requirements": {**checks, "degenerate_sequences": ref["degenerate_sequences"],
                             "empty_sequences": ref["empty_sequences"]}}
