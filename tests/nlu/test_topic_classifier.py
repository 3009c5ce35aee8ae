"""The NLU pipeline's intent classifier (rasa_addons/topic_classifier.py) on real Rasa objects.

Trained on a small data set in a temporary model storage: what it sets on messages, that a
saved model loads back to the same answers, and the regex features of the NLU data.
"""

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_addons.topic_classifier import TopicClassifier, TopicModel, mark_negations

EXAMPLES = {
    "melding_gaslek": [
        "ik ruik gas",
        "gaslucht in de keuken",
        "het stinkt naar gas in huis",
        "sterke gasgeur bij de meterkast",
        "gaslek in de gang",
        "ik denk dat er gas lekt bij het fornuis",
    ],
    "melding_glasschade": [
        "de ruit is kapot",
        "er zit een barst in het raam",
        "het glas van de voordeur is gebroken",
        "raam ingegooid",
        "dubbel glas gesprongen",
        "de ruit van de slaapkamer is gebarsten",
    ],
    "melding_overig": [
        "de deurbel doet het niet",
        "een tegel in de badkamer is gebarsten",
        "het keukenkastje hangt scheef",
        "de rookmelder piept, batterij leeg",
        "de deurklink zit los",
        "de lamp in de hal is stuk",
    ],
}
REGEXES = [{"name": "gas", "pattern": r"\bga+s+"}]


def training_data() -> TrainingData:
    messages = [
        Message(data={"text": text, "intent": intent})
        for intent, texts in EXAMPLES.items()
        for text in texts
    ]
    return TrainingData(training_examples=messages, regex_features=REGEXES)


@pytest.fixture
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


def component(storage, config=None):
    context = ExecutionContext(GraphSchema({}), node_name="topic")
    return TopicClassifier.create(
        {**TopicClassifier.get_default_config(), **(config or {})},
        storage,
        Resource("topic"),
        context,
    )


def parse(classifier, *texts):
    messages = [Message(data={"text": t}) for t in texts]
    classifier.process(messages)
    return messages


def test_trained_classifier_sets_intent_and_a_sorted_ranking(storage):
    classifier = component(storage)
    classifier.train(training_data())
    gas, glass, other = parse(
        classifier, "help ik ruik gas in de gang", "ruit gebroken", "deurbel kapot"
    )
    assert gas.get("intent")["name"] == "melding_gaslek"
    assert glass.get("intent")["name"] == "melding_glasschade"
    assert other.get("intent")["name"] == "melding_overig"
    ranking = gas.get("intent_ranking")
    confidences = [r["confidence"] for r in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert {r["name"] for r in ranking} == set(EXAMPLES)
    assert 0.99 < sum(confidences) < 1.01
    assert ranking[0] == gas.get("intent")


def test_saved_model_loads_back_to_the_same_answers(storage):
    classifier = component(storage)
    classifier.train(training_data())
    texts = ("gaslucht bij de buren", "barst in de tegel", "het raam is kapot")
    before = [m.get("intent_ranking") for m in parse(classifier, *texts)]
    context = ExecutionContext(GraphSchema({}), node_name="topic")
    loaded = TopicClassifier.load(
        TopicClassifier.get_default_config(), storage, Resource("topic"), context
    )
    after = [m.get("intent_ranking") for m in parse(loaded, *texts)]
    assert after == before


def test_nothing_saved_loads_an_untrained_classifier_that_sets_no_intent(storage):
    context = ExecutionContext(GraphSchema({}), node_name="topic")
    loaded = TopicClassifier.load(
        TopicClassifier.get_default_config(), storage, Resource("missing"), context
    )
    (message,) = parse(loaded, "ik ruik gas")
    assert message.get("intent") == {"name": None, "confidence": 0.0}


def test_empty_message_and_too_little_data_set_no_intent(storage):
    # An empty intent, not a missing one: Rasa's FallbackClassifier reads it next.
    classifier = component(storage)
    classifier.train(
        TrainingData(training_examples=[Message(data={"text": "hoi", "intent": "greet"})])
    )
    assert parse(classifier, "hoi")[0].get("intent") == {"name": None, "confidence": 0.0}
    classifier.train(training_data())
    assert parse(classifier, "   ")[0].get("intent") == {"name": None, "confidence": 0.0}
    assert parse(classifier, "   ")[0].get("intent_ranking") == []


def test_the_same_data_gives_the_same_model():
    texts = [t for ts in EXAMPLES.values() for t in ts]
    intents = [i for i, ts in EXAMPLES.items() for _ in ts]
    config = TopicClassifier.get_default_config()
    first = TopicModel(config, []).fit(texts, intents).rank(["gas in huis"], 3)
    second = TopicModel(config, []).fit(texts, intents).rank(["gas in huis"], 3)
    assert first == second


def test_the_order_of_the_examples_changes_nothing():
    # Files and examples in another order (a file renamed, an example moved): the same model.
    pairs = [(t, i) for i, ts in EXAMPLES.items() for t in ts]
    config = TopicClassifier.get_default_config()
    texts = ["gas in huis", "barst in de tegel", "de deur is dicht gevallen"]
    forward = TopicModel(config, []).fit([t for t, _ in pairs], [i for _, i in pairs])
    backward = TopicModel(config, []).fit([t for t, _ in pairs[::-1]], [i for _, i in pairs[::-1]])
    assert forward.rank(texts, 5) == backward.rank(texts, 5)


def test_each_regex_is_one_feature_whatever_the_case():
    texts = [t for ts in EXAMPLES.values() for t in ts]
    model = TopicModel(TopicClassifier.get_default_config(), [r"\bga+s+", "melder"])
    plain = TopicModel(TopicClassifier.get_default_config(), [])
    with_flags = model._matrix(texts, fit=True)
    without = plain._matrix(texts, fit=True)
    assert with_flags.shape[1] == without.shape[1] + 2
    flags = model._matrix(["GAAS in de hal", "de Rookmelder piept", "ruit kapot"])[:, -2:]
    assert flags.toarray().tolist() == [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]


def test_a_regex_that_matched_weighs_its_regex_weight():
    config = {**TopicClassifier.get_default_config(), "regex_weight": 2.0}
    model = TopicModel(config, ["melder"])
    model._matrix([t for ts in EXAMPLES.values() for t in ts], fit=True)
    flags = model._matrix(["de rookmelder piept", "ruit kapot"])[:, -1:]
    assert flags.toarray().tolist() == [[2.0], [0.0]]


@pytest.mark.parametrize(
    ("text", "marked"),
    [
        (
            "geen lek of gas, gewoon geen verwarming",
            "geen neg_lek neg_of neg_gas , gewoon geen neg_verwarming",
        ),
        # the scope ends at "en" (and after three words): the smoke is not negated
        (
            "het stroomt niet meer en er komt rook uit de kast",
            "het stroomt niet neg_meer en er komt rook uit de kast",
        ),
        ("No fire, but smoke", "no neg_fire , but smoke"),
        ("ik ruik gas", "ik ruik gas"),
        ("er is niks ingebroken", "er is niks neg_ingebroken"),
    ],
)
def test_negated_words_are_marked_within_their_clause(text, marked):
    assert mark_negations(text) == marked


def test_negation_changes_the_word_features_only():
    texts = [t for ts in EXAMPLES.values() for t in ts]
    config = {**TopicClassifier.get_default_config(), "negation": True}
    model = TopicModel(config, [])
    model._matrix(texts, fit=True)
    assert "neg_gas" not in model.words.vocabulary_  # no training example negates gas
    assert model.words.transform(["geen gas"]).nnz == 1  # only "geen": neg_gas is unknown
    plain = TopicModel(TopicClassifier.get_default_config(), [])
    plain._matrix(texts, fit=True)
    negated = model._matrix(["geen gas"])[:, len(model.words.vocabulary_) :]
    as_written = plain._matrix(["geen gas"])[:, len(plain.words.vocabulary_) :]
    assert (negated != as_written).nnz == 0  # the character n-grams see "gas" as written


def test_a_negating_model_loads_back_to_the_same_answers(storage):
    config = {"negation": True}
    classifier = component(storage, config)
    classifier.train(training_data())
    texts = ("geen gas maar de ruit is kapot", "gaslucht bij de buren")
    before = [m.get("intent_ranking") for m in parse(classifier, *texts)]
    context = ExecutionContext(GraphSchema({}), node_name="topic")
    loaded = TopicClassifier.load(
        {**TopicClassifier.get_default_config(), **config}, storage, Resource("topic"), context
    )
    assert [m.get("intent_ranking") for m in parse(loaded, *texts)] == before
