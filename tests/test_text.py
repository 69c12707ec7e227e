"""rag.text: sentences and words of any script, as chunks, ranking, BM25 and the citation check read them."""

from rag.text import ENDS_SENTENCE, split_sentences, stem, words


def test_sentences_and_words_of_any_script():
    assert [s for _, s in split_sentences("Мост открыт. Строительство заняло четыре года.")] == [
        "Мост открыт.", "Строительство заняло четыре года."]
    assert [s for _, s in split_sentences("北京今天下雪。交通受到影响！")] == ["北京今天下雪。", "交通受到影响！"]
    assert words("Élodie a coûté 250 € à l'État; Волга — река.") == [
        "Élodie", "a", "coûté", "250", "à", "l'État", "Волга", "река"]


def test_a_line_of_only_a_full_stop_is_no_sentence_and_no_crash():
    """Ten news2022 articles hold a line that is just "." between paragraphs; asking about them crashed."""
    text = 'Said meteorologist Alex Sosnowski.\n\n.\n\nAs snow accumulated on Valentine\'s Day, roads closed.'
    assert [s for _, s in split_sentences(text)] == [
        "Said meteorologist Alex Sosnowski.", ".", "As snow accumulated on Valentine's Day, roads closed."]


def test_stems_follow_the_words_script():
    assert (stem("abandoned"), stem("моста"), stem("мостом")) == ("abandon", "мост", "мост")
    assert stem("Élodie") == "Élodi"  # a Latin word with accents is stemmed as English: nearly as written


def test_a_line_ends_a_sentence_at_a_stop_or_a_closing_mark_in_any_script():
    assert [bool(ENDS_SENTENCE.search(line)) for line in ("He left.", "“He left.”", "交通受到影响。", "[AP]", "Latest")] == [
        True, True, True, True, False]


def test_a_clock_time_and_its_zone_stay_in_one_sentence():
    text = ("The launch window runs from 8:33 a.m. ET to 10:33 a.m. ET on Monday, August 29. Backups are set. "
            "The crew woke at 6 a.m. Breakfast followed.")
    assert [s for _, s in split_sentences(text)] == [
        "The launch window runs from 8:33 a.m. ET to 10:33 a.m. ET on Monday, August 29.", "Backups are set.",
        "The crew woke at 6 a.m.", "Breakfast followed."]
