import random
from pathlib import Path

import pytest
import torch

from minibert.config import BertConfig
from minibert.heads import BertForMultipleChoice
from minibert.tasks import multiple_choice as mc
from minibert.tasks.multiple_choice import ChoiceExample, load_swag

DATA = Path(__file__).resolve().parents[1] / "data" / "tasks" / "multiple_choice"


pytestmark = pytest.mark.usefixtures("one_thread")  # tests/conftest.py


@pytest.fixture(scope="module")
def items():
    return load_swag(DATA / "dev.csv").examples[:6]


def tiny_model(seed=0) -> BertForMultipleChoice:
    torch.manual_seed(seed)
    config = BertConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64,
                        max_position_embeddings=64)
    return BertForMultipleChoice(config)


def test_each_choice_is_a_sentence_pair(tok, items):
    features = mc.choice_features(items, tok, max_length=64)
    for item, feature in zip(items, features):
        assert len(feature["input_ids"]) == len(item.endings) == 4
        assert feature["labels"] == item.label
        for ending, ids, segments in zip(item.endings, feature["input_ids"], feature["token_type_ids"]):
            expected = tok(item.context, f"{item.start} {ending}")["input_ids"]
            assert ids == expected  # [CLS] context [SEP] start ending [SEP]
            first_sep = ids.index(tok.sep_token_id)
            assert segments == [0] * (first_sep + 1) + [1] * (len(ids) - first_sep - 1)


def test_long_pairs_are_cut_to_max_length(tok, items):
    features = mc.choice_features(items, tok, max_length=12)
    assert all(len(row) <= 12 and row[-1] == tok.sep_token_id for f in features for row in f["input_ids"])


def test_batches_are_items_by_choices_by_tokens(tok, items):
    features = mc.choice_features(items, tok, max_length=64)
    batch = mc.choice_collator(tok.pad_token_id)(features)
    T = max(len(row) for f in features for row in f["input_ids"])
    for key in ("input_ids", "token_type_ids", "attention_mask"):
        assert batch[key].shape == (6, 4, T)
    assert batch["labels"].tolist() == [item.label for item in items]
    assert batch["attention_mask"].sum().item() == sum(len(row) for f in features for row in f["input_ids"])
    out = tiny_model()(**batch)
    assert out.logits.shape == (6, 4) and out.loss.ndim == 0


def test_a_batch_needs_one_number_of_choices(tok, items):
    three = ChoiceExample("The sky is", "", ["blue.", "green.", "loud."], 0)
    features = mc.choice_features([items[0], three], tok)
    with pytest.raises(ValueError, match="same number of choices"):
        mc.choice_collator()(features)
    with pytest.raises(ValueError, match="needs >= 2"):
        mc.choice_features([ChoiceExample("The sky is", "", ["blue."], 0)], tok)


def toy_items(n: int, seed: int) -> list[ChoiceExample]:
    """The right ending always mentions a colour, the others an animal: separable from the ending alone."""
    rng = random.Random(seed)
    colours, animals = ["red", "blue", "green", "yellow"], ["cat", "dog", "horse", "bird", "fish", "cow"]
    items = []
    for i in range(n):
        endings = [f"it is a {a}." for a in rng.sample(animals, 3)]
        label = rng.randrange(4)
        endings.insert(label, f"it is {rng.choice(colours)}.")
        items.append(ChoiceExample("Look at this.", "", endings, label, id=str(i)))
    return items


def test_the_model_learns_a_separable_toy_set(tok):
    model = tiny_model()
    train = mc.choice_features(toy_items(32, seed=0), tok)
    dev_items = toy_items(40, seed=1)
    dev = mc.choice_features(dev_items, tok)
    model.eval()
    before = mc.evaluate(model, dev_items, dev)["accuracy"]
    collate = mc.choice_collator(tok.pad_token_id)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3)
    model.train()
    for step in range(40):
        batch = collate(train[(step * 8) % 32:(step * 8) % 32 + 8])
        model(**batch).loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.eval()
    after = mc.evaluate(model, dev_items, dev)["accuracy"]
    assert after >= 0.9 and after > before + 0.3, (before, after)


def test_predict_gives_the_label_and_a_distribution(tok):
    result = mc.predict(tiny_model(), tok, "Look at this.", ["it is red.", "it is a cat.", "it is a dog."])
    assert set(result) == {"label", "scores"} and len(result["scores"]) == 3
    assert result["label"] == max(range(3), key=result["scores"].__getitem__)
    assert sum(result["scores"]) == pytest.approx(1.0, abs=1e-6)
