#!/usr/bin/env python3
"""transformers' side of the generation bench (bench/README.md): RagTokenForGeneration /
RagSequenceForGeneration.generate on given contexts, torch CPU float32 (or, with "torchDevice":
"cuda" and "torchDtype": "float16" in SPEC, the GPU anchor of the issue), in this process alone
(its peak RSS is the row's memory).

    python3 bench/generation/hf_generate.py SPEC.json

SPEC: {"checkpoint": ".../hf/rag-token", "inputs": INPUTS.json, "threads": 2, "repeats": 3,
       "scenarios": [{"name", "variant": "token"|"sequence", "numBeams", "short": 2, "long": 21}]}
INPUTS: {"contextInputIds": [[...]] (n_docs rows), "docScores": [[...]]}
Prints one JSON object: per scenario the wall times of min_length = max_length = short and long
(median of `repeats`, after one warm-up), the long run's ids, and the process's peak RSS.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time


OVERALL_PEAK = [0]


def reset_peak_rss():
    """Linux keeps a high-water mark of RSS (VmHWM, also ru_maxrss) that writing 5 to clear_refs resets:
    one peak per scenario; the mark before each reset is kept for the whole run's."""
    if sys.platform == "linux":
        OVERALL_PEAK[0] = max(OVERALL_PEAK[0], peak_rss())
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")


def peak_rss():
    if sys.platform != "linux":
        return None
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))


def main(spec_path):
    import torch
    from transformers import RagSequenceForGeneration, RagTokenForGeneration

    with open(spec_path) as f:
        spec = json.load(f)
    with open(spec["inputs"]) as f:
        inputs = json.load(f)
    torch.set_num_threads(spec["threads"])
    device = torch.device(spec.get("torchDevice", "cpu"))
    dtype = getattr(torch, spec.get("torchDtype", "float32"))
    cuda = device.type == "cuda"
    t = time.perf_counter()
    token = RagTokenForGeneration.from_pretrained(spec["checkpoint"], dtype=dtype).to(device).eval()
    # The same modules, so both variants share one copy of the weights.
    sequence = RagSequenceForGeneration(config=token.config, question_encoder=token.rag.question_encoder,
                                        generator=token.rag.generator).eval()
    load_s = time.perf_counter() - t
    ids = torch.tensor(inputs["contextInputIds"], dtype=torch.long, device=device)
    mask = (ids != token.config.generator.pad_token_id).long()
    scores = torch.tensor(inputs["docScores"], dtype=dtype, device=device)
    n_docs = ids.shape[0] // scores.shape[0]

    # Generator work per generate, in token positions through each half (rows x positions per
    # call): what ours.ts counts too. The FLOPs follow (about 2 x parameters per position).
    work = {"encoderTokens": 0, "decoderTokens": 0}
    # Decoder calls' start times: one call per step (all beams and documents batched), so the
    # intervals between them are the decode steps, prefill and rescoring aside (their median).
    decoder_calls = []

    def counter(half):
        def hook(_module, args, kwargs):
            x = kwargs.get("input_ids") if kwargs.get("input_ids") is not None else (args[0] if args else None)
            if x is None:
                x = kwargs["inputs_embeds"][..., 0]
            work[half] += x.numel()
            if half == "decoderTokens":
                if cuda:
                    torch.cuda.synchronize()
                decoder_calls.append(time.perf_counter())
        return hook

    token.rag.generator.model.encoder.register_forward_pre_hook(counter("encoderTokens"), with_kwargs=True)
    token.rag.generator.model.decoder.register_forward_pre_hook(counter("decoderTokens"), with_kwargs=True)

    def run(scenario, length):
        model = token if scenario["variant"] == "token" else sequence
        work["encoderTokens"] = work["decoderTokens"] = 0
        decoder_calls.clear()
        t0 = time.perf_counter()
        with torch.no_grad():
            out = model.generate(context_input_ids=ids, context_attention_mask=mask, doc_scores=scores, n_docs=n_docs,
                                 num_beams=scenario["numBeams"], num_return_sequences=1, min_length=length,
                                 max_length=length)
        if cuda:
            torch.cuda.synchronize()
        steps = [b - a for a, b in zip(decoder_calls, decoder_calls[1:])]
        return time.perf_counter() - t0, out[0].tolist(), dict(work), steps

    results = []
    for scenario in spec["scenarios"]:
        reset_peak_rss()
        run(scenario, scenario["short"])
        short = [run(scenario, scenario["short"])[0] for _ in range(spec["repeats"])]
        longs = [run(scenario, scenario["long"]) for _ in range(spec["repeats"])]
        results.append({
            "name": scenario["name"],
            "shortMs": [round(s * 1000, 2) for s in short],
            "longMs": [round(s * 1000, 2) for s, _, _, _ in longs],
            "shortMedianMs": round(statistics.median(short) * 1000, 2),
            "longMedianMs": round(statistics.median(s for s, _, _, _ in longs) * 1000, 2),
            "ids": longs[0][1],
            "work": longs[0][2],
            "stepMedianMs": round(statistics.median(x for _, _, _, steps in longs for x in steps) * 1000, 2),
            **({"peakRssBytes": peak} if (peak := peak_rss()) is not None else {}),
        })
    print(json.dumps({
        "system": "transformers",
        "versions": {"torch": torch.__version__, "transformers": __import__("transformers").__version__},
        "threads": torch.get_num_threads(),
        "torch": {"device": str(device), "dtype": str(dtype).removeprefix("torch."),
                  **({"gpu": torch.cuda.get_device_name(device)} if cuda else {})},
        "loadMs": round(load_s * 1000),
        "weightBytes": sum(p.numel() * p.element_size() for p in token.parameters()),
        "peakRssBytes": max(OVERALL_PEAK[0], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024),
        "scenarios": results,
    }))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
