"""The torch modules each ONNX graph is traced from (and checked against)."""

from __future__ import annotations


def cache_kv(cache, i):
    """Key and value tensors of layer i of a transformers cache, across cache layouts."""
    layers = getattr(cache, "layers", None)
    if layers is not None:
        return layers[i].keys, layers[i].values
    if hasattr(cache, "key_cache"):
        return cache.key_cache[i], cache.value_cache[i]
    return cache[i][0], cache[i][1]


def padding_bias(torch, mask, dtype):
    """(B, S) 0/1 mask -> (B, 1, 1, S) additive attention bias, the 4-D mask transformers takes as is.
    Left to itself, transformers 5 builds it by gathering the flattened mask at index tensors
    (masking_utils); onnxruntime-web runs that int64 index math on the CPU, so every decoder step
    read the mask back from the GPU. One comparison and one Where keep it on the GPU."""
    return torch.where(mask[:, None, None, :] > 0, 0.0, torch.finfo(dtype).min).to(dtype)


def causal_bias(torch, input_ids, dtype):
    """(B, 1, T, T) causal bias of a decoder run without past (the same reason as padding_bias)."""
    t = input_ids.shape[1]
    pos = torch.arange(t, device=input_ids.device)
    bias = torch.where(pos[None, :] <= pos[:, None], 0.0, torch.finfo(dtype).min).to(dtype)
    return bias[None, None].expand(input_ids.shape[0], 1, t, t)


def shared_cross_attention(torch, attn, grouping):
    """A replacement for BartAttention.forward as the decoder's cross-attention, for a batch whose
    decoder rows are laid out (batch, group, doc) (RAG's (batch, beam, doc)) while the encoder
    rows, the cross-attention mask and the cross K/V cache hold each (batch, doc) once. The
    group's rows of one document become query positions over that document's keys: the same
    attention as transformers' on the expanded encoder output, without the copies (4 beams: 4x
    less cross K/V to hold and read each step). `grouping` holds the (E, 1, 1, S) padding bias
    and n_docs of the current call (set by the wrapper before it runs the generator); when it is
    empty, transformers' own forward runs (the per-row reference of checks.shared_cross_check)."""
    original = attn.forward

    def forward(hidden_states, key_value_states=None, past_key_values=None, attention_mask=None, **kwargs):
        if not grouping:
            return original(hidden_states, key_value_states, past_key_values, attention_mask, **kwargs)
        rows, t, _ = hidden_states.shape
        heads, head_dim = attn.num_heads, attn.head_dim
        cache = past_key_values.cross_attention_cache
        if past_key_values.is_updated.get(attn.layer_idx):
            key, value = cache.layers[attn.layer_idx].keys, cache.layers[attn.layer_idx].values
        else:
            enc_rows, s = key_value_states.shape[:2]
            key = attn.k_proj(key_value_states).view(enc_rows, s, heads, head_dim).transpose(1, 2)
            value = attn.v_proj(key_value_states).view(enc_rows, s, heads, head_dim).transpose(1, 2)
            key, value = cache.update(key, value, attn.layer_idx)
            past_key_values.is_updated[attn.layer_idx] = True
        bias, n_docs = grouping["bias"], grouping["n_docs"]
        enc_rows = key.shape[0]
        batch, groups = enc_rows // n_docs, rows // enc_rows
        query = attn.q_proj(hidden_states).view(batch, groups, n_docs, t, heads, head_dim)
        query = query.permute(0, 2, 4, 1, 3, 5).reshape(enc_rows, heads, groups * t, head_dim)
        scores = torch.matmul(query, key.transpose(2, 3)) * attn.scaling + bias
        probs = torch.softmax(scores, dim=-1, dtype=torch.float32).to(query.dtype)
        out = torch.matmul(probs, value).view(batch, n_docs, heads, groups, t, head_dim)
        out = out.permute(0, 3, 1, 4, 2, 5).reshape(rows, t, heads * head_dim)
        return attn.out_proj(out), None

    return forward


def build_wrappers(torch, rag_model, ctx_model, shared_cross=False):
    """The torch modules of every graph. shared_cross: the decoders take the encoder side once per
    (batch, doc) (shared_cross_attention), `encoder_attention_mask` as (batch, n_docs, S)."""
    from torch import nn
    from transformers.cache_utils import DynamicCache, EncoderDecoderCache
    from transformers.modeling_outputs import BaseModelOutput

    gen = rag_model.rag.generator
    n_layers = gen.config.decoder_layers
    grouping = {}
    if shared_cross:
        for layer in gen.model.decoder.layers:
            layer.encoder_attn.forward = shared_cross_attention(torch, layer.encoder_attn, grouping)

    def decode(gen, input_ids, encoder_hidden_states, encoder_attention_mask, cache, with_encoder, decoder_bias):
        """BartForConditionalGeneration.forward (logits include final_logits_bias), then the
        presents flattened per layer: decoder.key, decoder.value[, encoder.key, encoder.value].
        Both masks go in as 4-D biases (padding_bias). A 3-D mask means shared cross-attention."""
        dtype = encoder_hidden_states.dtype
        grouping.clear()
        if encoder_attention_mask.dim() == 3:
            grouping["n_docs"] = encoder_attention_mask.shape[1]
            encoder_attention_mask = encoder_attention_mask.flatten(0, 1)
            grouping["bias"] = padding_bias(torch, encoder_attention_mask, dtype)
        out = gen(
            attention_mask=padding_bias(torch, encoder_attention_mask, dtype),
            encoder_outputs=BaseModelOutput(last_hidden_state=encoder_hidden_states),
            decoder_input_ids=input_ids,
            decoder_attention_mask=decoder_bias,
            past_key_values=cache,
            use_cache=True,
            return_dict=True,
        )
        pkv = out.past_key_values
        flat = []
        for i in range(n_layers):
            flat += list(cache_kv(pkv.self_attention_cache, i))
            if with_encoder:
                flat += list(cache_kv(pkv.cross_attention_cache, i))
        return (out.logits, *flat)

    class DprPooled(nn.Module):
        def __init__(self, enc):
            super().__init__()
            self.enc = enc

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.enc(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=token_type_ids,
                return_dict=True,
            )
            return out.pooler_output

    class GenEncoder(nn.Module):
        def __init__(self, gen):
            super().__init__()
            self.encoder = gen.get_encoder() if hasattr(gen, "get_encoder") else gen.model.encoder

        def forward(self, input_ids, attention_mask):
            bias = padding_bias(torch, attention_mask, self.encoder.embed_tokens.weight.dtype)
            return self.encoder(input_ids=input_ids, attention_mask=bias, return_dict=True).last_hidden_state

    class GenDecoder(nn.Module):
        """First step / full forward: logits + all present K/V."""

        def __init__(self, gen):
            super().__init__()
            self.gen = gen

        def forward(self, input_ids, encoder_hidden_states, encoder_attention_mask):
            cache = EncoderDecoderCache(DynamicCache(), DynamicCache())
            bias = causal_bias(torch, input_ids, encoder_hidden_states.dtype)
            return decode(self.gen, input_ids, encoder_hidden_states, encoder_attention_mask, cache, True, bias)

    class GenDecoderWithPast(nn.Module):
        """One step with past: cross-attention K/V come from the past."""

        def __init__(self, gen):
            super().__init__()
            self.gen = gen

        def forward(self, input_ids, encoder_attention_mask, *past):
            self_cache, cross_cache = DynamicCache(), DynamicCache()
            for i in range(n_layers):
                dk, dv, ek, ev = past[4 * i : 4 * i + 4]
                self_cache.update(dk, dv, i)
                cross_cache.update(ek, ev, i)
            cache = EncoderDecoderCache(self_cache, cross_cache)
            # BART only runs cross-attention when encoder_hidden_states is given;
            # its values are never read here (the cross K/V come from the cache),
            # only its shape (batch, enc_seq, d_model) for the cross mask.
            ek0 = past[2]
            enc_stub = ek0.transpose(1, 2).flatten(2)
            # One new position sees every cached one: a bias of zeros over past + 1 keys.
            bias = torch.zeros(input_ids.shape[0], 1, 1, past[0].shape[2] + 1, dtype=enc_stub.dtype)
            return decode(self.gen, input_ids, enc_stub, encoder_attention_mask, cache, False, bias)

    class BertLastHidden(nn.Module):
        """DPR as a BERT feature extractor (the hub layout): the encoder's last hidden state; the
        runtime takes its [CLS] row, which is DPR's pooled output when there is no projection."""

        def __init__(self, dpr):
            super().__init__()
            self.bert = dpr.bert_model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids, return_dict=True
            ).last_hidden_state

    qenc = rag_model.rag.question_encoder
    wrappers = {
        "question": DprPooled(qenc),
        "encoder": GenEncoder(gen),
        "decoder": GenDecoder(gen),
        "decoder_with_past": GenDecoderWithPast(gen),
    }
    if getattr(qenc.config, "projection_dim", 0) == 0:
        wrappers["bert"] = BertLastHidden(qenc.question_encoder)
    if ctx_model is not None:
        wrappers["ctx"] = DprPooled(ctx_model)
        if getattr(ctx_model.config, "projection_dim", 0) == 0:
            wrappers["ctx_bert"] = BertLastHidden(ctx_model.ctx_encoder)
    for w in wrappers.values():
        w.eval()
    return wrappers
