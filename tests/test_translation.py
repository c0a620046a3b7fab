import dataclasses
import json
import math
from pathlib import Path

import pytest
import torch

from minibert.config import BertConfig
from minibert.modeling import BertModel
from minibert.tasks import translation as tr
from minibert.tasks.metrics import bleu
from minibert.tasks.translation import ParallelExample, load_parallel
from minibert.tasks.translation_model import DECODER_CONFIG_NAME, TARGET_VOCAB_KEY, BertEncoderDecoder
from minibert.tokenizer import BertTokenizer

DATA = Path(__file__).resolve().parents[1] / "data" / "tasks" / "translation"
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


pytestmark = pytest.mark.usefixtures("one_thread")  # tests/conftest.py


@pytest.fixture(scope="module")
def pairs() -> list[ParallelExample]:
    return load_parallel(DATA / "train.tsv").examples[:8]


@pytest.fixture(scope="module")
def tok(pairs, tmp_path_factory) -> BertTokenizer:
    """A whole-word vocabulary of the 8 pairs: a 60-row output layer instead of 30,522 keeps the test fast."""
    basic = BertTokenizer.from_pretrained("minilm").basic_tokenizer
    words = sorted({w for p in pairs for text in (p.source, p.target) for w in basic.tokenize(text)})
    vocab = tmp_path_factory.mktemp("vocab") / "vocab.txt"
    vocab.write_text("\n".join(SPECIALS + words) + "\n", encoding="utf-8")
    return BertTokenizer(vocab, do_lower_case=True)


def tiny_config(tok, dropout=0.1) -> BertConfig:
    return BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                      intermediate_size=64, max_position_embeddings=64, hidden_dropout_prob=dropout,
                      attention_probs_dropout_prob=dropout)


@pytest.fixture
def model(tok) -> BertEncoderDecoder:
    torch.manual_seed(0)
    return BertEncoderDecoder(tiny_config(tok)).eval()


@pytest.fixture(scope="module")
def trained(pairs, tok):
    """The 8 pairs learnt by heart (teacher forcing, full batch)."""
    torch.manual_seed(0)
    model = BertEncoderDecoder(tiny_config(tok, dropout=0.0))
    batch = tr.translation_collator(tok.pad_token_id)(tr.translation_features(pairs, tok))
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(150):
        loss = model(**batch).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    return model.eval(), losses


def source_batch(tok, texts):
    enc = tok(texts, padding=True, return_tensors="pt")
    return {k: enc[k] for k in ("input_ids", "token_type_ids", "attention_mask")}


def ends(tok):
    return {"start_token_id": tok.cls_token_id, "end_token_id": tok.sep_token_id}


# --------------------------------------------------------------------------- features


def test_features_shift_the_target_by_one(pairs, tok):
    features = tr.translation_features(pairs[:2], tok)
    for feature, pair in zip(features, pairs):
        target = tok(pair.target)["input_ids"]  # [CLS] y1 .. yn [SEP]
        assert feature["decoder_input_ids"] == target[:-1]
        assert feature["labels"] == target[1:]
        assert feature["input_ids"] == tok(pair.source)["input_ids"]
    batch = tr.translation_collator(tok.pad_token_id)(features)
    B, T = batch["labels"].shape
    assert batch["decoder_input_ids"].shape == (B, T) == (2, max(len(f["labels"]) for f in features))
    short = min(range(2), key=lambda i: len(features[i]["labels"]))
    assert (batch["labels"][short, len(features[short]["labels"]):] == -100).all()


def test_evaluation_features_have_no_target(pairs, tok):
    feature = tr.translation_features(pairs[:1], tok, train=False)[0]
    assert set(feature) == {"input_ids", "token_type_ids", "attention_mask"}


def test_truncation_is_announced(pairs, tok):
    with pytest.warns(UserWarning, match="length limit"):
        tr.translation_features(pairs[:2], tok, max_length=4, max_target_length=4)


# --------------------------------------------------------------------------- the model


def test_causal_mask_hides_the_future(model, pairs, tok):
    batch = tr.translation_collator(tok.pad_token_id)(tr.translation_features(pairs[:1], tok))
    logits = model(**batch).logits  # (1, T, V)
    t = 3
    changed = batch["decoder_input_ids"].clone()
    changed[0, t] = tok.unk_token_id
    assert batch["decoder_input_ids"][0, t] != tok.unk_token_id
    new = model(**{**batch, "decoder_input_ids": changed}).logits
    torch.testing.assert_close(new[:, :t], logits[:, :t], atol=1e-5, rtol=0)  # earlier positions: unchanged
    assert not torch.allclose(new[:, t], logits[:, t], atol=1e-4)  # the changed position itself: changed


def test_cross_attention_reads_the_source(model, pairs, tok):
    batch = tr.translation_collator(tok.pad_token_id)(tr.translation_features(pairs[:1], tok))
    logits = model(**batch).logits
    other = batch["input_ids"].clone()
    other[0, 1] = tok.unk_token_id
    new = model(**{**batch, "input_ids": other}).logits
    assert not torch.allclose(new, logits, atol=1e-4)  # every target position sees the changed source


def test_decoder_must_match_the_encoder(tok):
    config = tiny_config(tok)
    with pytest.raises(ValueError, match="hidden_size"):
        BertEncoderDecoder(config, dataclasses.replace(config, hidden_size=64))


def test_target_longer_than_the_decoder_positions_is_refused(model, pairs, tok):
    batch = tr.translation_collator(tok.pad_token_id)(tr.translation_features(pairs[:1], tok))
    long_prefix = batch["decoder_input_ids"].repeat(1, 30)[:, :129]  # the default decoder has 128 positions
    with pytest.raises(ValueError, match="max_position_embeddings"):
        model(**{**batch, "decoder_input_ids": long_prefix, "labels": None})
    with pytest.raises(ValueError, match="labels"):
        model(**{**batch, "decoder_input_ids": long_prefix[:, :20]})


# --------------------------------------------------------------------------- decoding


def test_beam_of_one_is_greedy(model, trained, pairs, tok):
    for net in (model, trained[0]):  # a random model and one that has learnt something
        batch = source_batch(tok, [p.source for p in pairs])
        greedy = net.generate(**batch, **ends(tok), num_beams=1, max_length=12)
        beam = [net.beam_search(*net.encode(**{k: v[i:i + 1] for k, v in batch.items()}), tok.cls_token_id,
                                tok.sep_token_id, num_beams=1, max_new=12) for i in range(len(pairs))]
        assert greedy == beam


@pytest.mark.parametrize("num_beams", [1, 3])
def test_outputs_stop_at_sep_or_max_length(model, trained, pairs, tok, num_beams):
    batch = source_batch(tok, [p.source for p in pairs])
    for net, max_length in ((model, 5), (trained[0], 30)):
        for ids in net.generate(**batch, **ends(tok), num_beams=num_beams, max_length=max_length):
            if ids[-1] == tok.sep_token_id:
                assert tok.sep_token_id not in ids[:-1] and len(ids) <= max_length
            else:
                assert len(ids) == max_length and tok.sep_token_id not in ids
    trained_ids = trained[0].generate(**batch, **ends(tok), num_beams=num_beams, max_length=30)
    assert all(ids[-1] == tok.sep_token_id for ids in trained_ids)  # a trained model ends its sentences


def test_overfitting_eight_pairs_reaches_bleu_near_100(trained, pairs, tok):
    model, losses = trained
    assert losses[-1] < 0.05 < losses[0]
    features = tr.translation_features(pairs, tok, train=False)
    for num_beams in (1, 3):
        scores = tr.evaluate(model, pairs, features, tokenizer=tok, num_beams=num_beams)
        assert scores["bleu"] > 95, scores


def test_detokenize_rejoins_elision_and_compounds(tok):
    assert tr.detokenize(tok, tok("je n'aime pas la carotte .")["input_ids"]) == "je n'aime pas la carotte."
    full = BertTokenizer.from_pretrained("minilm")
    assert tr.normalise_target(full, "Où est le Royaume-Uni ?") == "ou est le royaume-uni?"


# --------------------------------------------------------------------------- saving and loading


def test_save_and_load_give_the_same_outputs(trained, pairs, tok, tmp_path):
    model = trained[0]
    model.save_pretrained(tmp_path)
    assert json.loads((tmp_path / DECODER_CONFIG_NAME).read_text())["num_hidden_layers"] == 2
    loaded = BertEncoderDecoder.from_pretrained(tmp_path)
    batch = tr.translation_collator(tok.pad_token_id)(tr.translation_features(pairs, tok))
    torch.testing.assert_close(loaded(**batch).logits, model(**batch).logits, atol=0, rtol=0)
    source = source_batch(tok, [p.source for p in pairs])
    assert loaded.generate(**source, **ends(tok), num_beams=2) == model.generate(**source, **ends(tok), num_beams=2)


def test_a_bert_checkpoint_initialises_the_encoder(tok, tmp_path):
    torch.manual_seed(1)
    bert = BertModel(tiny_config(tok))
    bert.save_pretrained(tmp_path)
    with pytest.warns(UserWarning, match="newly initialised.*decoder"):
        model = BertEncoderDecoder.from_pretrained(tmp_path)
    torch.testing.assert_close(model.bert.embeddings.word_embeddings.weight, bert.embeddings.word_embeddings.weight)
    torch.testing.assert_close(model.bert.encoder.layer[0].output.dense.weight,
                               bert.encoder.layer[0].output.dense.weight)
    assert model.decoder_config.num_hidden_layers == 2  # the default decoder


def test_predict_returns_translation_text(trained, pairs, tok):
    out = tr.predict(trained[0], tok, [pairs[0].source, pairs[1].source], num_beams=2)
    assert out == [{"translation_text": tr.normalise_target(tok, p.target)} for p in pairs[:2]]


def test_without_max_length_a_batch_writes_at_most_twice_its_source_plus_10(model, pairs, tok):
    features = tr.translation_features(pairs[:2], tok, train=False)
    limit = 2 * max(len(f["input_ids"]) for f in features) + 10
    for text in tr.translate_features(model, tok, features):  # a random model rarely stops by itself
        assert len(tok.tokenize(text)) <= limit


# --------------------------------------------------------------------------- learning on the course data


@pytest.fixture(scope="module")
def minilm_tok() -> BertTokenizer:
    return BertTokenizer.from_pretrained("minilm")


@pytest.fixture(scope="module")
def course(minilm_tok):
    """A slice of the course corpus: 2,000 training pairs and 100 dev pairs, with their features."""
    train = load_parallel(DATA / "train.tsv").examples[:2000]
    dev = load_parallel(DATA / "dev.tsv").examples[:100]
    return (train, tr.translation_features(train, minilm_tok), dev,
            tr.translation_features(dev, minilm_tok, train=False))


def test_target_vocabulary_restricts_the_output(course, minilm_tok, tmp_path):
    _, features, _, dev_features = course
    vocab = tr.target_vocabulary(features, minilm_tok)
    assert minilm_tok.sep_token_id in vocab and minilm_tok.unk_token_id in vocab and len(vocab) < 500
    torch.manual_seed(0)
    model = BertEncoderDecoder(tiny_config(minilm_tok), target_vocab=vocab).eval()
    batch = tr.translation_collator(minilm_tok.pad_token_id)(features[:4])
    out = model(**batch)
    assert out.logits.shape == (*batch["labels"].shape, len(vocab))  # one column per target id
    assert out.loss.item() == pytest.approx(math.log(len(vocab)), abs=1.0)  # untrained: about uniform
    source = source_batch(minilm_tok, ["the cat is black .", "where are the books ?"])
    for num_beams in (1, 2):
        for ids in model.generate(**source, **ends(minilm_tok), num_beams=num_beams, max_length=6):
            assert set(ids) <= set(vocab)  # only ids of the target vocabulary are written
    model.save_pretrained(tmp_path)
    loaded = BertEncoderDecoder.from_pretrained(tmp_path)
    assert loaded.target_ids.tolist() == vocab
    torch.testing.assert_close(loaded(**batch).logits, out.logits, atol=0, rtol=0)
    outside = batch["labels"].clone()
    outside[0, 0] = next(i for i in range(len(minilm_tok)) if i not in set(vocab))
    with pytest.raises(ValueError, match="target vocabulary"):
        model(**{**batch, "labels": outside})
    with pytest.raises(ValueError, match="token ids in"):
        model.set_target_vocab([len(minilm_tok)])
    model.set_target_vocab(None)  # back to the whole vocabulary, same weights
    assert model(**batch).logits.shape[-1] == len(minilm_tok)
    assert TARGET_VOCAB_KEY not in model.decoder_config.extra


def test_untrained_minilm_decoder_does_not_copy_its_input(course, minilm_tok):
    """The decoder's LayerNorm output (length ~sqrt(H)) scored against MiniLM's word table (rows of
    length ~1) gives the input word a logit of ~20 unless a transform comes first: a first loss of
    ~17 instead of ~ln K, and a model that writes "les les les ..." after 100 steps."""
    _, features, _, _ = course
    vocab = tr.target_vocabulary(features, minilm_tok)
    torch.manual_seed(0)
    with pytest.warns(UserWarning, match="newly initialised"):
        model = BertEncoderDecoder.from_pretrained("minilm", target_vocab=vocab)
    batch = tr.translation_collator(minilm_tok.pad_token_id)(features[:16])
    assert model(**batch).loss.item() < math.log(len(vocab)) + 1.5


def test_parameter_groups_give_the_new_decoder_a_higher_rate(model):
    groups = model.parameter_groups(lr=1e-4, weight_decay=0.01, decoder_lr=1e-3)
    names = {id(p): n for n, p in model.named_parameters()}
    seen = [names[id(p)] for g in groups for p in g["params"]]
    assert sorted(seen) == sorted(names.values())  # every parameter exactly once
    for group in groups:
        for p in group["params"]:
            name = names[id(p)]
            assert group["lr"] == (1e-4 if name.startswith("bert.") else 1e-3), name
            assert (group["weight_decay"] == 0.0) == (name.endswith("bias") or "LayerNorm" in name), name


def test_a_short_run_on_the_course_data_translates(course, minilm_tok):
    """A tiny model trained for 150 steps (about 6 s of one core) on 2,000 course pairs translates unseen
    dev sentences far better than copying the source or writing one sentence for every source (what
    the model did before the output transform and the target vocabulary: BLEU ~0.2). It reaches ~56."""
    train, features, dev, dev_features = course
    torch.manual_seed(0)
    config = dataclasses.replace(tiny_config(minilm_tok, dropout=0.0), hidden_size=64, num_attention_heads=4,
                                 intermediate_size=128)
    model = BertEncoderDecoder(config, target_vocab=tr.target_vocabulary(features, minilm_tok))
    optimizer = torch.optim.AdamW(model.parameter_groups(lr=3e-3, decoder_lr=3e-3))
    collate = tr.translation_collator(minilm_tok.pad_token_id)
    batches = torch.Generator().manual_seed(0)
    for _ in range(150):
        batch = collate([features[i] for i in torch.randint(len(features), (32,), generator=batches).tolist()])
        model(**batch).loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.eval()
    scores = tr.evaluate(model, dev, dev_features, tokenizer=minilm_tok)
    references = [tr.normalise_target(minilm_tok, e.target) for e in dev]
    copy = bleu([e.source for e in dev], references)
    constant = max(bleu([tr.normalise_target(minilm_tok, e.target)] * len(dev), references) for e in train[:20])
    assert max(copy, constant) < 5 and scores["bleu"] > 30, (scores, copy, constant)
