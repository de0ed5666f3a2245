import random
import string
from collections import Counter

from followup.wordfreq import _WORD, count_words, tokenize, word_frequencies


def test_tokenize_lowercases_and_keeps_inner_apostrophes_and_hyphens():
    assert tokenize("Don’t re-use IT's 42 tools!") == ["don't", "re-use", "it's", "tools"]


def test_stop_words_numbers_and_single_letters_are_left_out():
    result = word_frequencies(["The team and I, we 2 were a team of 10 x"])
    assert result == [("team", 2)]


def test_most_frequent_first_ties_alphabetical_and_limited():
    texts = ["trust speed trust", "Speed, TRUST, clarity", "zeal"]
    assert word_frequencies(texts) == [("trust", 3), ("speed", 2), ("clarity", 1), ("zeal", 1)]
    assert word_frequencies(texts, limit=2) == [("trust", 3), ("speed", 2)]


def test_unknown_language_falls_back_to_english_and_empty_text_is_fine():
    assert word_frequencies(["the insight"], language="xx") == [("insight", 1)]
    assert word_frequencies(["", None]) == []


def test_non_english_letters_are_words():
    assert word_frequencies(["Zusammenarbeit über Grenzen"]) == [
        ("grenzen", 1), ("zusammenarbeit", 1), ("über", 1),
    ]


def test_ascii_text_gives_the_words_the_unicode_pattern_gives():
    rng = random.Random(0)
    for _ in range(200):
        text = "".join(rng.choice(string.printable + "''--__") for _ in range(300))
        assert tokenize(text) == _WORD.findall(text.casefold())
    assert tokenize("Café’s new-ish idea") == ["café's", "new-ish", "idea"]


def test_words_are_counted_as_the_pattern_finds_them():
    rng = random.Random(1)
    alphabet = string.printable + "''--__’ßÉé"
    for size in (0, 1, 5, 300):
        for _ in range(200):
            text = "".join(rng.choice(alphabet) for _ in range(size))
            assert count_words(text) == Counter(tokenize(text)), text
            ascii_text = text.encode("ascii", "ignore").decode()
            assert count_words(ascii_text) == Counter(_WORD.findall(ascii_text.casefold()))
    assert count_words("Don’t re-use IT's -x- a--b 'q' don't") == Counter(
        {"don't": 2, "re-use": 1, "it's": 1, "x": 1, "a": 1, "b": 1, "q": 1})
