"""minibert.probing: the POS column, word vectors, linear probes, control tasks, head masks, occlusion."""
from collections import Counter

import pytest
import torch

from minibert import BertConfig, BertModel, BertForTokenClassification
from minibert import probing
from minibert.tasks.formats import FormatError
from minibert.tasks.ner import load_conll

CONLL = """-DOCSTART- -X- -X- O

Barack NNP B-NP B-PER
Obama NNP I-NP I-PER
was VBD B-VP O
born VBN I-VP O
in IN B-PP O
Hawaii NNP B-NP B-LOC
. . O O

the DT B-NP O
cat NN I-NP O
sat VBD B-VP O
"""


@pytest.fixture(scope="module")
def model(one_thread):
    torch.manual_seed(0)
    config = BertConfig.from_preset("tiny", vocab_size=30522, hidden_size=32, intermediate_size=64,
                                    num_hidden_layers=2, num_attention_heads=4, hidden_dropout_prob=0.0,
                                    attention_probs_dropout_prob=0.0)
    return BertModel(config).eval()


def test_pos_column_lines_up_with_load_conll(tmp_path):
    path = tmp_path / "ner.txt"
    path.write_text(CONLL)
    pos, ner = probing.load_conll_pos(path), load_conll(path).examples
    assert [e.tokens for e in pos] == [e.tokens for e in ner]
    assert pos[0].tags == ["NNP", "NNP", "VBD", "VBN", "IN", "NNP", "."] and pos[1].tags == ["DT", "NN", "VBD"]
    path.write_text("the DT O\n")
    with pytest.raises(FormatError, match="ner.txt:1: expected 4 columns"):
        probing.load_conll_pos(path)


def test_entity_types_and_first_pieces():
    assert probing.entity_types(["B-PER", "I-PER", "O", "B-LOC"]) == ["PER", "PER", "O", "LOC"]
    assert probing.first_piece_positions([None, 0, 1, 1, 1, 2, 3, 3, None]) == [1, 2, 5, 6]


def test_word_vectors_are_the_first_pieces_of_every_layer(model, tok):
    sentences = [["Arnold", "Schwarzenegger", "visited", "Wolfsburg"], ["Hawaii"], ["a", "b", "c"]]
    vectors = probing.word_vectors(model, tok, sentences, batch_size=2)
    assert vectors.shape == (3, 8, 32)  # L + 1 layers, 8 words, H
    enc = tok(sentences[0], is_split_into_words=True, return_tensors="pt", return_word_ids=True)
    with torch.no_grad():
        hidden = model(input_ids=enc["input_ids"], output_hidden_states=True).hidden_states
    # [CLS] arnold schwarz ##ene ##gger visited wolf ##sburg [SEP]: first pieces at 1, 2, 5, 6
    expected = torch.stack([h[0, [1, 2, 5, 6]] for h in hidden])
    torch.testing.assert_close(vectors[:, :4], expected, atol=1e-5, rtol=1e-5)  # batched with padding: same


def test_a_probe_separates_separable_data_and_is_deterministic():
    g = torch.Generator().manual_seed(0)
    centres = torch.randn(3, 16, generator=g) * 4
    labels = torch.arange(3).repeat(50)
    features = centres[labels] + torch.randn(150, 16, generator=g)
    probe = probing.train_probe(features, labels, 3)
    assert probing.accuracy(probe.predict(features), labels) == 1.0
    again = probing.train_probe(features, labels, 3)
    torch.testing.assert_close(probe.linear.weight, again.linear.weight)
    manual = ((features - features.mean(0)) / features.std(0)) @ probe.linear.weight.T + probe.linear.bias
    torch.testing.assert_close(probe(features), manual)


def test_label_index_and_lookup():
    index = probing.LabelIndex(["O", "PER"])
    assert index.encode(["PER", "LOC", "O"]).tolist() == [1, 2, 0] and index.names == ["O", "PER", "LOC"]
    lookup = probing.MajorityLookup(["paris", "paris", "paris", "the"], ["LOC", "LOC", "PER", "O"])
    assert lookup.predict(["paris", "the", "unseen"]) == ["LOC", "O", "LOC"]  # unseen: the most frequent label


def test_control_labels_follow_the_label_distribution_and_ignore_order():
    types = [f"w{i}" for i in range(4000)]
    labels = [0] * 700 + [1] * 200 + [2] * 100
    control = probing.control_labels(types, labels, seed=3)
    assert control == probing.control_labels(list(reversed(types)) + types, labels, seed=3)
    assert control != probing.control_labels(types, labels, seed=4)
    shares = Counter(control.values())
    assert abs(shares[0] / 4000 - 0.7) < 0.03 and abs(shares[2] / 4000 - 0.1) < 0.03


def test_masking_a_head_is_zeroing_its_columns_of_w_o(model):
    ids = torch.randint(1000, 2000, (2, 7), generator=torch.Generator().manual_seed(1))
    d = model.config.head_size
    surgery = BertModel(model.config).eval()
    surgery.load_state_dict(model.state_dict())
    with torch.no_grad():
        surgery.encoder.layer[1].attention.output.dense.weight[:, 2 * d:3 * d] = 0.0  # head 2 of layer 1
        expected = surgery(ids).last_hidden_state
        intact = model(ids).last_hidden_state
        with probing.heads_masked(model, [(1, 2)]):
            masked = model(ids).last_hidden_state
        after = model(ids).last_hidden_state
    torch.testing.assert_close(masked, expected)
    assert not torch.allclose(masked, intact)
    torch.testing.assert_close(after, intact)  # the hooks are gone after the block
    with pytest.raises(ValueError, match=r"no head \(2, 0\)"):
        with probing.heads_masked(model, [(2, 0)]):
            pass


def test_masking_every_head_of_a_layer_leaves_the_bias_and_the_residual(model):
    x = torch.randn(1, 5, 32)
    attention = model.encoder.layer[0].attention
    with torch.no_grad(), probing.heads_masked(model, [(0, h) for h in range(4)]):
        out, _ = attention(x, None)
    expected = attention.output.LayerNorm(x + attention.output.dense.bias)
    torch.testing.assert_close(out, expected)


def test_the_layer_cache_reruns_the_top_of_the_encoder(model):
    batch = {"input_ids": torch.randint(1000, 2000, (3, 6)), "attention_mask": torch.ones(3, 6, dtype=torch.long)}
    batch["attention_mask"][2, 4:] = 0  # padding
    cache = probing.LayerCache(model, [batch])
    with torch.no_grad():
        full = model(**batch).last_hidden_state
    torch.testing.assert_close(cache.last_hidden_states(0)[0], full)
    torch.testing.assert_close(cache.last_hidden_states(1)[0], full)
    with torch.no_grad(), probing.heads_masked(model, [(1, 3)]):
        expected = model(**batch).last_hidden_state
        from_cache = cache.last_hidden_states(1)[0]
    torch.testing.assert_close(from_cache, expected)
    scores = probing.ablate_each_head(cache, lambda hidden: hidden[0].sum().item(), [(0, 0), (1, 3)])
    assert set(scores) == {(0, 0), (1, 3)} and scores[(1, 3)] == pytest.approx(expected.sum().item(), rel=1e-5)


def test_heads_masked_finds_the_encoder_inside_a_head():
    config = BertConfig.from_preset("tiny", vocab_size=100, hidden_size=16, intermediate_size=32,
                                    num_hidden_layers=1, num_attention_heads=2, num_labels=3)
    tagger = BertForTokenClassification(config).eval()
    ids = torch.randint(5, 100, (1, 4))
    with torch.no_grad(), probing.heads_masked(tagger, [(0, 0), (0, 1)]):
        masked = tagger(ids).logits
    assert not torch.allclose(masked, tagger(ids).logits)


def test_occlusion_copies_and_word_attention():
    copies = probing.occluded_copies(["Zoe", "flew", "to", "Lima"], skip=3)
    assert copies == [["[MASK]", "flew", "to", "Lima"], ["Zoe", "[MASK]", "to", "Lima"], ["Zoe", "flew", "[MASK]", "Lima"]]
    word_ids = [None, 0, 1, 1, None]  # [CLS] w0 w1a w1b [SEP]
    attention = torch.zeros(2, 5, 5)
    attention[0, 1] = torch.tensor([0.5, 0.1, 0.2, 0.2, 0.0])
    attention[1, 1] = torch.tensor([0.1, 0.3, 0.3, 0.1, 0.2])
    per_word = probing.word_attention(attention, word_ids, query_word=0)
    torch.testing.assert_close(per_word, torch.tensor([0.2, 0.4]))  # head mean; pieces summed; [CLS], [SEP] left out
