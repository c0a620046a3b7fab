import pytest
import torch

from minibert.tasks import qa
from minibert.tasks.qa import Answer, QAExample
from minibert.tasks.windows import max_context_flags, window_spans

SENTENCES = ["Paris is the capital of France.", "The Seine flows through the city of Paris.",
             "Gustave Eiffel's company built the tower in 1889.", "Millions of tourists visit it every year.",
             "The Louvre is the world's most-visited museum."]
CONTEXT = " ".join(SENTENCES[i % 5] for i in range(12))  # about 130 tokens: several windows of 48


def example(qid, answer_text=None, occurrence=0, context=CONTEXT, question="What is the capital of France?"):
    """A question whose answer is the ``occurrence``-th appearance of ``answer_text`` in the context."""
    if answer_text is None:
        return QAExample(qid, question, context, [], is_impossible=True)
    start = -1
    for _ in range(occurrence + 1):
        start = context.index(answer_text, start + 1)
    return QAExample(qid, question, context, [Answer(answer_text, start)])


def context_offsets(feature):
    return [o for o in feature["offset_mapping"] if o is not None]


def test_windows_cover_the_context_with_doc_stride_overlap(tok):
    features = qa.prepare_eval_features([example("q", "France")], tok, max_length=48, doc_stride=12)
    assert len(features) >= 4
    whole = [tuple(o) for o in tok(CONTEXT, return_offsets_mapping=True)["offset_mapping"][1:-1]]
    windows = [context_offsets(f) for f in features]
    assert windows[0] == whole[:len(windows[0])]
    position = 0
    for previous, window in zip(windows, windows[1:]):
        assert previous[-12:] == window[:12]  # exactly doc_stride tokens shared
        position += len(previous) - 12
        assert window == whole[position:position + len(window)]
    assert windows[-1][-1] == whole[-1]  # nothing lost at the end
    for f in features:
        assert len(f["input_ids"]) <= 48 and f["example_id"] == "q"
        question_end = f["token_type_ids"].index(1)  # question and specials have no offsets
        assert all(o is None for o in f["offset_mapping"][:question_end]) and f["offset_mapping"][-1] is None


@pytest.mark.parametrize("answer, occurrence", [("France", 0), ("France", 2), ("Gustave Eiffel's company", 1),
                                                ("1889", 1), ("most-visited museum", 1)])
def test_train_labels_point_at_the_answer_in_every_window_holding_it(tok, answer, occurrence):
    ex = example("q", answer, occurrence)
    train = qa.prepare_train_features([ex], tok, max_length=48, doc_stride=16)
    evals = qa.prepare_eval_features([ex], tok, max_length=48, doc_stride=16)
    assert [f["input_ids"] for f in train] == [f["input_ids"] for f in evals]
    start_char = ex.answers[0].answer_start
    holding = 0
    for t, e in zip(train, evals):
        offsets = context_offsets(e)
        inside = offsets[0][0] <= start_char and start_char + len(answer) <= offsets[-1][1]
        s, end = t["start_positions"], t["end_positions"]
        if inside:
            holding += 1
            span = CONTEXT[e["offset_mapping"][s][0]:e["offset_mapping"][end][1]]
            assert span == answer
        else:
            assert (s, end) == (0, 0)  # [CLS]: no answer in this window
    assert holding >= 1 and holding < len(train)


def test_impossible_question_points_at_cls(tok):
    features = qa.prepare_train_features([example("q", None)], tok, max_length=48, doc_stride=16)
    assert len(features) > 1
    assert all((f["start_positions"], f["end_positions"]) == (0, 0) for f in features)


def test_question_too_long_is_an_error(tok):
    with pytest.raises(ValueError, match="max_length"):
        qa.prepare_train_features([example("q", "France", question="why " * 60)], tok, max_length=48)


def test_qa_collator_pads_to_the_longest(tok):
    exs = [example("a", "France", context="Paris is in France."), example("b", "1889")]
    batch = qa.qa_collator(tok.pad_token_id)(qa.prepare_train_features(exs, tok, max_length=384))
    assert set(batch) == {"input_ids", "token_type_ids", "attention_mask", "start_positions", "end_positions"}
    n = len(tok("What is the capital of France?", "Paris is in France.")["input_ids"])
    assert batch["input_ids"].shape[0] == 2 and batch["attention_mask"][0].sum() == n
    assert (batch["input_ids"][0, n:] == tok.pad_token_id).all() and (batch["attention_mask"][0, n:] == 0).all()
    assert batch["start_positions"].shape == (2,) and batch["start_positions"][0] > 0


# --------------------------------------------------------------------------- decoding

def logits_for(features, marks):
    """Logit rows (-10 everywhere) with ``marks``: list of (feature, "start"/"end", token index, value)."""
    width = max(len(f["input_ids"]) for f in features) + 3  # as if padded
    start, end = torch.full((len(features), width), -10.0), torch.full((len(features), width), -10.0)
    for i, which, k, value in marks:
        (start if which == "start" else end)[i, k] = value
    return start, end


def token_of(feature, char):
    """The token whose span holds character ``char``."""
    return next(k for k, o in enumerate(feature["offset_mapping"]) if o is not None and o[0] <= char < o[1])


def test_postprocess_skips_question_tokens_reversed_and_overlong_spans(tok):
    context = "Paris is the capital of France. It lies on the Seine, a river of northern France."
    ex = example("q", "France", context=context)
    features = qa.prepare_eval_features([ex], tok)
    f = features[0]
    s_star = token_of(f, context.index("the Seine"))
    e_star = token_of(f, context.index("Seine") + 1)
    late, early = token_of(f, context.index("river")), token_of(f, context.index("capital"))
    question_token = 3
    marks = [(0, "start", question_token, 20.0), (0, "end", question_token, 20.0),  # in the question
             (0, "start", late, 15.0), (0, "end", early, 15.0),  # end before start
             (0, "start", s_star, 5.0), (0, "end", e_star, 5.0)]
    preds = qa.postprocess_predictions([ex], features, *logits_for(features, marks))
    best = preds["q"].best_span
    assert preds["q"].text == "the Seine" == context[best.start:best.end]
    assert best.score == pytest.approx(10.0)
    # The right span is too long for max_answer_length=1: the best one-token span wins instead.
    short = qa.postprocess_predictions([ex], features, *logits_for(features, marks), max_answer_length=1)
    assert short["q"].text in ("river", "capital")  # a one-token span with score 15 - 10
    token_spans = {o for o in f["offset_mapping"] if o is not None}
    assert all((span.start, span.end) in token_spans for span in short["q"].n_best)
    n_best = preds["q"].n_best
    assert len({s.text for s in n_best}) == len(n_best) <= 20
    assert sum(s.probability for s in n_best) == pytest.approx(1.0)
    assert all(a.score >= b.score for a, b in zip(n_best, n_best[1:]))


def test_max_context_flags_one_window_per_token(tok):
    features = qa.prepare_eval_features([example("q", "France")], tok, max_length=48, doc_stride=16)
    owners = {}
    for w, f in enumerate(features):
        context = [k for k, o in enumerate(f["offset_mapping"]) if o is not None]
        for local, k in enumerate(context):
            if f["token_is_max_context"][k]:
                assert f["offset_mapping"][k] not in owners
                owners[f["offset_mapping"][k]] = (w, local, len(context))
    assert len(owners) == len(tok(CONTEXT)["input_ids"]) - 2  # every context token has one owner
    # In the 16 shared tokens, the first half belongs to the earlier window, the second to the later one.
    first, second = context_offsets(features[0]), context_offsets(features[1])
    assert owners[second[2]][0] == 0 and owners[first[-3]][0] == 1


def test_max_context_rule_picks_the_window_with_more_context(tok):
    ex = example("q", "France")
    features = qa.prepare_eval_features([ex], tok, max_length=48, doc_stride=16)
    # A token shared by windows 0 and 1, two tokens into the overlap: 14 tokens to its right in
    # window 0, but only 1 to its left in window 1. Window 1 scores the span higher.
    shared = context_offsets(features[1])[1]
    k0, k1 = features[0]["offset_mapping"].index(shared), features[1]["offset_mapping"].index(shared)
    marks = [(0, "start", k0, 3.0), (0, "end", k0, 3.0), (1, "start", k1, 10.0), (1, "end", k1, 10.0)]
    preds = qa.postprocess_predictions([ex], features, *logits_for(features, marks))
    assert preds["q"].best_span.score == pytest.approx(6.0)  # from window 0, where the token has context
    assert preds["q"].text == CONTEXT[shared[0]:shared[1]]


def test_postprocess_errors(tok):
    ex = example("q", "France")
    features = qa.prepare_eval_features([ex], tok)
    start, end = logits_for(features, [])
    with pytest.raises(ValueError, match="1 features but 2 start"):
        qa.postprocess_predictions([ex], features, torch.cat([start, start]), end)
    with pytest.raises(KeyError, match="'q'"):
        qa.postprocess_predictions([example("other", "France")], features, start, end)


def test_v2_null_answers_and_threshold_tuning(tok):
    context = "Paris is the capital of France. The tower was built in 1889."
    exs = [example("q1", "France", context=context), example("q2", None, context=context),
           example("q3", "1889", context=context, question="When was the tower built?")]
    features = qa.prepare_eval_features(exs, tok)
    marks = []
    # Each question's best span scores 10; the null scores (start[0] + end[0]) are 9, 12 and 10.5,
    # so null_score_diff is -1, 2 and 0.5. q2's span ("Paris") is wrong: it has no answer.
    for i, (answer, null) in enumerate([("France", 9.0), ("Paris", 12.0), ("1889", 10.5)]):
        k = token_of(features[i], context.index(answer))
        marks += [(i, "start", k, 5.0), (i, "end", k, 5.0), (i, "start", 0, null / 2), (i, "end", 0, null / 2)]
    logits = logits_for(features, marks)
    at_zero = qa.postprocess_predictions(exs, features, *logits, version_2=True)
    assert {q: p.text for q, p in at_zero.items()} == {"q1": "France", "q2": "", "q3": ""}
    assert [at_zero[q].null_score_diff for q in ("q1", "q2", "q3")] == pytest.approx([-1.0, 2.0, 0.5])
    assert qa.evaluate(exs, at_zero, version_2=True)["f1"] == pytest.approx(200 / 3)

    threshold, best_f1 = qa.best_null_threshold(exs, at_zero)
    assert threshold == pytest.approx(0.5) and best_f1 == pytest.approx(100.0)
    tuned = qa.postprocess_predictions(exs, features, *logits, version_2=True, null_threshold=threshold)
    assert qa.evaluate(exs, tuned, version_2=True)["f1"] == pytest.approx(100.0)
    # Without version_2 every question gets its best span.
    assert qa.postprocess_predictions(exs, features, *logits)["q2"].text == "Paris"


def test_max_context_on_googles_example():
    # run_squad.py's docstring: "the man went to the store and bought a gallon of milk", windows
    # A = "the man went to the", B = "to the store and bought", C = "and bought a gallon of".
    # "bought" (token 7) has 4 left / 0 right in B, 1 left / 3 right in C: C is its max context.
    flags = max_context_flags([(0, 5), (3, 5), (6, 5)], 11)
    assert flags[1][4] is False and flags[2][1] is True
    assert flags == [[True, True, True, True, False], [False, True, True, True, False],
                     [False, True, True, True, True]]


def test_windows_that_do_not_overlap_as_promised_are_an_error():
    with pytest.raises(RuntimeError, match="question 'q' do not overlap by doc_stride=1"):
        window_spans([[(0, 1), (2, 3)], [(4, 5)]], 1, "question 'q'")
